"""Fill Visit.visited_on for the visits recorded before it existed: the day of visited_at in
settings.TIME_ZONE (on SQLite with the zone's current offset, exact for Asia/Shanghai)."""

import datetime as dt

from django.conf import settings
from django.db import migrations
from django.utils import timezone


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "UPDATE sales_visit SET visited_on = (visited_at AT TIME ZONE %s)::date "
                "WHERE visited_on IS NULL",
                [settings.TIME_ZONE],
            )
        else:
            offset = timezone.get_default_timezone().utcoffset(dt.datetime.now())
            minutes = int(offset.total_seconds() // 60)
            cursor.execute(
                "UPDATE sales_visit SET visited_on = date(visited_at, %s) "
                "WHERE visited_on IS NULL",
                [f"{minutes:+d} minutes"],
            )


class Migration(migrations.Migration):
    dependencies = [("sales", "0003_visit_visited_on")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

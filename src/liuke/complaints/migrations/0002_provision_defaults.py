"""Data: the default causes and settings row for every existing business. Pages used to write
them on first view; now a business gets them when it is created
(`accounts.services.business_provision`) and pages only read. Idempotent like
`defaults_ensure`; the reverse leaves the rows (they may have been edited since)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

# The rows' writer takes the historical models from the migration.
from liuke.complaints import defaults


def provision(apps: Any, schema_editor: Any) -> None:
    Business = apps.get_model("accounts", "Business")
    for business_id in Business.objects.values_list("id", flat=True):
        defaults.write(business_id, apps.get_model)


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(provision, migrations.RunPython.noop, elidable=True),
    ]

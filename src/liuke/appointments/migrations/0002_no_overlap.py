"""No double booking on PostgreSQL: exclusion constraints over the items' time ranges.

`btree_gist` lets one GiST index compare the staff id (or resource id and unit) by equality and
the range by overlap. Both constraints are partial on `active`: a cancelled or no-show item holds
no time. Ranges are half-open ([start, end)): one item may end when the next begins. SQLite has
no such constraint; the booking services check inside the IMMEDIATE write lock there
(`appointments.conflicts`). `btree_gist` is a trusted extension (PostgreSQL 13+): the database's
owner may create it.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

TABLE = "appointments_appointmentitem"
FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    f"ALTER TABLE {TABLE} ADD CONSTRAINT appt_item_staff_no_overlap EXCLUDE USING gist "
    "(staff_id WITH =, tstzrange(start_at, end_at, '[)') WITH &&) WHERE (active)",
    f"ALTER TABLE {TABLE} ADD CONSTRAINT appt_item_resource_no_overlap EXCLUDE USING gist "
    "(resource_id WITH =, resource_unit WITH =, tstzrange(start_at, end_at, '[)') WITH &&) "
    "WHERE (active AND resource_id IS NOT NULL)",
]
BACKWARD = [
    f"ALTER TABLE {TABLE} DROP CONSTRAINT IF EXISTS appt_item_resource_no_overlap",
    f"ALTER TABLE {TABLE} DROP CONSTRAINT IF EXISTS appt_item_staff_no_overlap",
]


def _run(statements: list[str]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("appointments", "0001_initial")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]

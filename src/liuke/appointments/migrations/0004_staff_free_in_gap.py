"""The staff member is free during a processing gap (PostgreSQL's staff constraint).

The staff constraint of 0002 compared the whole item; now it compares the parts that hold the
staff member: the item's range without its gap, as a multirange (PostgreSQL 14+ indexes
multiranges with GiST), so a second customer may be booked into a colleague's developing time.
The resource constraint still compares the whole item: the chair stays taken during the gap.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

TABLE = "appointments_appointmentitem"
STAFF_HELD = (
    "tstzmultirange(tstzrange(start_at, COALESCE(gap_start_at, end_at), '[)'), "
    "tstzrange(COALESCE(gap_end_at, end_at), end_at, '[)'))"
)
FORWARD = [
    f"ALTER TABLE {TABLE} DROP CONSTRAINT IF EXISTS appt_item_staff_no_overlap",
    f"ALTER TABLE {TABLE} ADD CONSTRAINT appt_item_staff_no_overlap EXCLUDE USING gist "
    f"(staff_id WITH =, {STAFF_HELD} WITH &&) WHERE (active)",
]
BACKWARD = [
    f"ALTER TABLE {TABLE} DROP CONSTRAINT IF EXISTS appt_item_staff_no_overlap",
    f"ALTER TABLE {TABLE} ADD CONSTRAINT appt_item_staff_no_overlap EXCLUDE USING gist "
    "(staff_id WITH =, tstzrange(start_at, end_at, '[)') WITH &&) WHERE (active)",
]


def _run(statements: list[str]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("appointments", "0003_item_processing_gap")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]

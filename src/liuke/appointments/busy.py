"""The booked time of staff members and resources, read fast for the free-slot search.

A branch's fortnight can hold tens of thousands of items; the ORM would turn each stored time
into a datetime through its converters (on SQLite: parse the text, then make it aware), which
costs more than the whole search. Here SQLite answers the stored text as it is and each
distinct text becomes a datetime once (bookings fall on a few thousand distinct moments however
many there are); PostgreSQL's driver makes its datetimes itself, fast. The rows are the same as
the ORM's would be.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator

from django.db import connection

from liuke.appointments.models import AppointmentItem

Row = tuple[int, dt.datetime, dt.datetime, int]


def _column(name: str) -> str:
    # an expression has no declared type: SQLite's datetime converter leaves it alone
    return name if connection.vendor == "postgresql" else f"({name} || '')"


def _aware(value: dt.datetime | str) -> dt.datetime:
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def active_items(
    *, key: str, ids: Collection[int], start: dt.datetime, end: dt.datetime
) -> Iterator[Row]:
    """(staff or resource id, start, end, resource unit or 0) of the active items of the `ids`
    (`key`: "staff_id" or "resource_id") overlapping [start, end), ordered by id and start."""
    if key not in ("staff_id", "resource_id") or not ids:
        return
    table = connection.ops.quote_name(AppointmentItem._meta.db_table)
    marks = ", ".join(["%s"] * len(ids))
    sql = (
        f"SELECT {key}, {_column('start_at')}, {_column('end_at')}, "  # noqa: S608 (names are ours)
        f"COALESCE(resource_unit, 0) FROM {table} WHERE {key} IN ({marks}) AND active "
        f"AND start_at < %s AND end_at > %s ORDER BY {key}, start_at"
    )
    adapt = connection.ops.adapt_datetimefield_value
    moments: dict[dt.datetime | str, dt.datetime] = {}

    def moment(value: dt.datetime | str) -> dt.datetime:
        found = moments.get(value)
        if found is None:
            found = moments[value] = _aware(value)
        return found

    with connection.cursor() as cursor:
        cursor.execute(sql, [*ids, adapt(end), adapt(start)])
        for owner, begins, ends, unit in cursor.fetchall():
            yield owner, moment(begins), moment(ends), unit

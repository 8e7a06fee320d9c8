"""On PostgreSQL the database itself refuses a double booking: with the services' own checks
switched off, the exclusion constraints still say no (and a cancelled item holds nothing)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from tests.appointments.helpers import Salon, at, book, counts, item
from tests.appointments.roster_helpers import colour_make

from liuke.accounts.models import User
from liuke.appointments import conflicts
from liuke.appointments.errors import SlotTaken
from liuke.appointments.models import AppointmentItem
from liuke.appointments.services import booking

pytestmark = [pytest.mark.django_db, pytest.mark.postgres_only]


def _copy(source: AppointmentItem, **change: object) -> AppointmentItem:
    fields = {
        "appointment": source.appointment,
        "branch": source.branch,
        "service": source.service,
        "staff": source.staff,
        "resource": source.resource,
        "resource_unit": source.resource_unit,
        "start_at": source.start_at + dt.timedelta(minutes=30),
        "end_at": source.end_at + dt.timedelta(minutes=30),
    }
    return AppointmentItem(**{**fields, **change})


def test_the_constraints_refuse_overlaps_written_around_the_services(
    salon: Salon, front_a: User
) -> None:
    first = book(
        salon,
        front_a,
        item(salon.facial, salon.lin, at(salon.branch, 1, 10), resource_id=salon.device.pk),
    ).items.get()
    for change in ({"resource": None, "resource_unit": None}, {"staff": salon.wu}):
        with pytest.raises(IntegrityError) as refused, transaction.atomic():
            _copy(first, **change).save()
        assert conflicts.is_slot_clash(refused.value)
    # an inactive (cancelled) item holds nothing
    _copy(first, active=False).save()
    # and the same unit of another resource, or another unit of this one, is no clash
    _copy(first, staff=salon.wu, resource_unit=1).save()


def test_the_service_maps_the_databases_refusal_to_slot_taken(
    salon: Salon, front_a: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    start = at(salon.branch, 1, 10)
    book(salon, front_a, item(salon.facial, salon.lin, start, resource_id=salon.device.pk))
    # the checks the services make first are switched off: only the database is left
    monkeypatch.setattr(booking, "staff_free", lambda *a, **k: True)
    monkeypatch.setattr(booking, "free_unit", lambda *a, **k: 0)
    before = counts()
    with pytest.raises(SlotTaken):
        book(salon, front_a, item(salon.massage, salon.lin, start))
    with pytest.raises(SlotTaken):
        book(salon, front_a, item(salon.massage, salon.wu, start, resource_id=salon.device.pk))
    assert counts() == before


def test_the_staff_constraint_leaves_the_processing_gap_free(
    salon: Salon, front_a: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    colour = colour_make(salon.branch)  # 30 work, 30 gap, 15 clean-up
    start = at(salon.branch, 1, 10)
    book(salon, front_a, item(colour, salon.lin, start))
    monkeypatch.setattr(booking, "staff_free", lambda *a, **k: True)
    minute = dt.timedelta(minutes=1)
    # the database lets lin take a customer in the gap, not across its edges or the clean-up
    book(
        salon,
        front_a,
        item(salon.facial, salon.lin, start + 30 * minute, end_at=start + 60 * minute),
    )
    for begin, end in ((25, 35), (55, 65), (65, 80)):
        with pytest.raises(SlotTaken):
            book(
                salon,
                front_a,
                item(salon.massage, salon.lin, start + begin * minute, end_at=start + end * minute),
            )

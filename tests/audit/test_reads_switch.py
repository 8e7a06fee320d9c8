"""LIUKE_AUDIT_READS=0 (the benchmark's comparison only) skips reads, never changes."""

from __future__ import annotations

import pytest
from django.test import override_settings
from tests.factories import customer_make

from liuke.accounts.models import User
from liuke.audit.models import AuditEvent
from liuke.customers.selectors import customer_get

pytestmark = pytest.mark.django_db


def test_reads_are_recorded_by_default(owner: User) -> None:
    customer = customer_make(actor=owner)
    customer_get(actor=owner, customer_id=customer.pk)
    assert list(AuditEvent.objects.order_by("seq").values_list("action", flat=True)) == [
        "create",
        "view",
    ]


def test_switched_off_reads_leave_no_event_but_changes_do(owner: User) -> None:
    with override_settings(LIUKE_AUDIT_READS=False):
        customer = customer_make(actor=owner)
        customer_get(actor=owner, customer_id=customer.pk)
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["create"]

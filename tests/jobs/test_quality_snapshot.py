from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from liuke.accounts.choices import Role
from liuke.accounts.models import Branch, Business, User
from liuke.customers.models import DataQualitySnapshot
from liuke.customers.services import customer_create
from liuke.customers.tasks import snapshot_data_quality

pytestmark = pytest.mark.django_db


def _owner() -> tuple[User, Branch]:
    business = Business.objects.create(name="丽颜美容", stale_after_months=12)
    branch = Branch.objects.create(business=business, name="静安店", code="B01")
    user = User.objects.create(username="boss", business=business, role=Role.OWNER)
    return user, branch


def test_snapshot_counts_and_is_idempotent() -> None:
    # Given two customers, one of them with data older than a year
    owner, branch = _owner()
    with time_machine.travel(dt.datetime(2024, 1, 10, tzinfo=dt.UTC)):
        customer_create(actor=owner, data={"name": "王芳", "branch_id": branch.pk})
    with time_machine.travel(dt.datetime(2025, 6, 1, tzinfo=dt.UTC)):
        customer_create(
            actor=owner, data={"name": "李娜", "branch_id": branch.pk, "mobile": "13912345678"}
        )
        # When the job runs twice on the same day
        assert snapshot_data_quality() == 1
        assert snapshot_data_quality() == 1
    # Then there is one row for the day, with the stale customer counted
    snapshot = DataQualitySnapshot.objects.get()
    assert snapshot.customers == 2
    assert snapshot.stale == 1
    assert snapshot.day == dt.date(2025, 6, 1)
    assert 0 < snapshot.completeness < 100

"""Branches: add, change, close and open again (accounts.setup.branches), with their refusals."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from tests.factories import customer_make

from liuke.accounts.errors import AccountsErrorCode
from liuke.accounts.models import Branch, User
from liuke.accounts.selectors import branch_choices, branch_list
from liuke.accounts.setup.branches import (
    branch_close,
    branch_create,
    branch_reopen,
    branch_update,
)
from liuke.audit.models import AuditEvent
from liuke.core.errors import CapabilityDenied, NotFound
from liuke.sales.services.lookups import branch_for

pytestmark = pytest.mark.django_db


def _codes(exc: ValidationError) -> dict[str, list[str | None]]:
    return {field: [e.code for e in errors] for field, errors in exc.error_dict.items()}


def test_the_owner_adds_a_branch_with_the_next_free_code_and_hours(owner: User) -> None:
    branch = branch_create(
        actor=owner,
        data={
            "name": " 徐汇店 ",
            "address": "上海市徐汇区漕溪北路 1 号",
            "phone": "021-64000000",
            "opens_at": "10:00",
            "closes_at": "21:00",
            "receipt_header": "丽颜美容 · 徐汇店",
        },
    )
    assert (branch.name, branch.code, branch.time_zone) == ("徐汇店", "B01", "Asia/Shanghai")
    assert branch.hours() == (dt.time(10), dt.time(21))
    assert branch.is_active
    event = next(
        e
        for e in AuditEvent.objects.filter(action="settings")
        if f"branch:{branch.pk}:name" in e.fields
    )
    assert json.loads(event.reason.split(" ", 1)[1])["name"] == [None, "徐汇店"]


def test_a_branch_code_is_unique_in_the_business(owner: User, branch_a: Branch) -> None:
    with pytest.raises(ValidationError) as exc:
        branch_create(actor=owner, data={"name": "重复", "code": branch_a.code})
    assert _codes(exc.value) == {"code": [AccountsErrorCode.BRANCH_CODE_TAKEN]}


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ({"name": ""}, "name", "required"),
        ({"name": "店", "time_zone": "Mars/Olympus"}, "time_zone", "invalid_time_zone"),
        ({"name": "店", "opens_at": "10:00"}, "closes_at", "required"),
        ({"name": "店", "name_en": "x"}, "name_en", "invalid"),
    ],
)
def test_bad_branch_input_is_refused_by_field(
    owner: User, data: dict[str, str], field: str, code: str
) -> None:
    before = Branch.objects.count()
    with pytest.raises(ValidationError) as exc:
        branch_create(actor=owner, data=data)
    assert _codes(exc.value) == {field: [code]}
    assert Branch.objects.count() == before


def test_the_owner_changes_a_branch_and_the_audit_keeps_before_and_after(
    owner: User, branch_a: Branch
) -> None:
    branch_update(
        actor=owner,
        branch_id=branch_a.pk,
        data={"phone": "021-5555", "receipt_footer": "谢谢惠顾", "time_zone": "Asia/Urumqi"},
    )
    branch_a.refresh_from_db()
    assert (branch_a.phone, branch_a.receipt_footer, branch_a.time_zone) == (
        "021-5555",
        "谢谢惠顾",
        "Asia/Urumqi",
    )
    event = AuditEvent.objects.filter(action="settings").latest("seq")
    assert sorted(event.fields) == [
        f"branch:{branch_a.pk}:phone",
        f"branch:{branch_a.pk}:receipt_footer",
        f"branch:{branch_a.pk}:time_zone",
    ]
    assert json.loads(event.reason)["time_zone"] == ["Asia/Shanghai", "Asia/Urumqi"]


def test_a_manager_changes_the_counter_details_of_their_own_branch_only(
    manager_a: User, branch_a: Branch, branch_b: Branch
) -> None:
    branch_update(actor=manager_a, branch_id=branch_a.pk, data={"address": "南京西路 8 号"})
    assert Branch.objects.get(pk=branch_a.pk).address == "南京西路 8 号"
    # not the owner's fields (the hours decide the audit's after-hours flags) …
    for data in ({"name": "改名"}, {"opens_at": "06:00", "closes_at": "23:00"}, {"code": "X"}):
        with pytest.raises(CapabilityDenied):
            branch_update(actor=manager_a, branch_id=branch_a.pk, data=data)
    # … and not another branch
    with pytest.raises(NotFound):
        branch_update(actor=manager_a, branch_id=branch_b.pk, data={"address": "x"})
    assert Branch.objects.get(pk=branch_a.pk).name == "静安店"


def test_only_owners_add_close_or_reopen_and_front_desk_edits_nothing(
    manager_a: User, front_a: User, auditor: User, branch_a: Branch
) -> None:
    with pytest.raises(CapabilityDenied):
        branch_create(actor=manager_a, data={"name": "新店"})
    with pytest.raises(CapabilityDenied):
        branch_close(actor=manager_a, branch_id=branch_a.pk)
    for who in (front_a, auditor):
        with pytest.raises(CapabilityDenied):
            branch_update(actor=who, branch_id=branch_a.pk, data={"phone": "1"})


def test_another_business_cannot_touch_the_branch(outsider: User, branch_a: Branch) -> None:
    with pytest.raises(NotFound):
        branch_update(actor=outsider, branch_id=branch_a.pk, data={"phone": "1"})
    with pytest.raises(NotFound):
        branch_close(actor=outsider, branch_id=branch_a.pk)


def test_a_closed_branch_keeps_its_customers_but_takes_nothing_new(
    owner: User, branch_a: Branch, branch_b: Branch
) -> None:
    customer = customer_make(actor=owner, branch=branch_b, name="老客户")
    branch_close(actor=owner, branch_id=branch_b.pk)
    branch_b.refresh_from_db()
    assert not branch_b.is_active
    assert branch_b.closed_at is not None
    assert list(branch_choices(actor=owner)) == [branch_a]
    assert branch_b in branch_list(actor=owner)
    customer.refresh_from_db()
    assert customer.branch_id == branch_b.pk
    # no new visit, card or package there …
    with pytest.raises(ValidationError) as exc:
        branch_for(owner, branch_b.pk)
    assert _codes(exc.value) == {"branch_id": [AccountsErrorCode.BRANCH_CLOSED]}
    # … no new customer
    with pytest.raises(ValidationError) as exc:
        customer_make(actor=owner, branch=branch_b, name="新客户")
    assert _codes(exc.value) == {"branch_id": [AccountsErrorCode.BRANCH_CLOSED]}
    # and open again, it takes them
    branch_reopen(actor=owner, branch_id=branch_b.pk)
    assert branch_for(owner, branch_b.pk) == branch_b


def test_the_last_open_branch_cannot_be_closed(
    owner: User, branch_a: Branch, branch_b: Branch
) -> None:
    branch_close(actor=owner, branch_id=branch_a.pk)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        branch_close(actor=owner, branch_id=branch_b.pk)
    assert exc.value.code == AccountsErrorCode.LAST_BRANCH
    assert "last open branch" in exc.value.messages[0]
    assert Branch.objects.get(pk=branch_b.pk).is_active

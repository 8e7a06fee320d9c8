"""Staff pickers offer only those who can do the job, in the actor's branches, and a role that
may not make a key account cannot tick the box nor get past the service (issue 16: the pickers
offered the auditor and other branches' staff; the front desk could make a key account)."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from tests.factories import customer_make

from liuke.accounts.models import Branch, User
from liuke.customers.models import Customer

pytestmark = pytest.mark.django_db


def _options(page: str, name: str) -> set[int]:
    select = re.search(rf'<select[^>]* name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select is not None, name
    return {int(v) for v in re.findall(r'<option value="(\d+)"', select.group(1))}


def test_the_new_customer_form_offers_only_staff_who_look_after_customers_here(
    owner: User,
    manager_a: User,
    front_a: User,
    front_b: User,
    beautician_a: User,
    auditor: User,
    front_a_client: Client,
) -> None:
    page = front_a_client.get(reverse("customers:create")).content.decode()
    offered = _options(page, "owner_id")
    assert {owner.pk, manager_a.pk, front_a.pk, beautician_a.pk} <= offered
    assert auditor.pk not in offered
    assert front_b.pk not in offered  # another branch


def test_the_key_account_box_is_disabled_for_the_front_desk_and_the_service_refuses_it(
    front_a: User,
    manager_a: User,
    branch_a: Branch,
    front_a_client: Client,
    manager_a_client: Client,
) -> None:
    page = front_a_client.get(reverse("customers:create")).content.decode()
    box = re.search(r'<input type="checkbox" name="is_key_account"[^>]*>', page)
    assert box is not None
    assert "disabled" in box.group(0)
    managers = manager_a_client.get(reverse("customers:create")).content.decode()
    box = re.search(r'<input type="checkbox" name="is_key_account"[^>]*>', managers)
    assert box is not None
    assert "disabled" not in box.group(0)
    with pytest.raises(ValidationError) as caught:
        customer_make(actor=front_a, branch=branch_a, is_key_account=True)
    assert "is_key_account" in caught.value.message_dict
    assert not Customer.objects.filter(is_key_account=True).exists()
    made = customer_make(actor=manager_a, branch=branch_a, is_key_account=True)
    assert made.is_key_account


def test_the_auditor_cannot_be_made_responsible_for_a_customer(
    owner: User, auditor: User, branch_a: Branch
) -> None:
    with pytest.raises(ValidationError) as caught:
        customer_make(actor=owner, branch=branch_a, owner_id=auditor.pk)
    assert "owner_id" in caught.value.message_dict


def test_the_follow_up_and_complaint_team_pickers_leave_out_auditor_and_other_branches(
    owner: User,
    manager_a: User,
    front_b: User,
    beautician_a: User,
    auditor: User,
    manager_a_client: Client,
) -> None:
    for url in (reverse("engagement:followups"), reverse("engagement:tasks")):
        offered = _options(manager_a_client.get(url).content.decode(), "staff")
        assert beautician_a.pk in offered
        assert auditor.pk not in offered
        assert front_b.pk not in offered
    customer = customer_make(actor=owner, branch=manager_a.branches.get())
    page = manager_a_client.get(reverse("complaints:new") + f"?customer={customer.pk}")
    offered = _options(page.content.decode(), "staff_id")
    assert beautician_a.pk in offered
    assert auditor.pk not in offered
    assert front_b.pk not in offered


def test_customers_are_handed_over_only_to_staff_who_look_after_customers(
    manager_a: User, beautician_a: User, auditor: User, front_b: User, manager_a_client: Client
) -> None:
    page = manager_a_client.get(reverse("customers:handover")).content.decode()
    offered = _options(page, "to_user_id")
    assert beautician_a.pk in offered
    assert auditor.pk not in offered
    assert front_b.pk not in offered


def test_the_referrer_is_picked_by_name_or_phone_not_typed_as_a_number(
    owner: User, front_a: User, front_b: User, branch_a: Branch, branch_b: Branch,
    front_a_client: Client,
) -> None:  # fmt: skip
    friend = customer_make(actor=owner, branch=branch_a, name="赵美玲", mobile="13700001111")
    customer_make(actor=owner, branch=branch_b, name="赵美华", mobile="13700002222")
    page = front_a_client.get(reverse("customers:create")).content.decode()
    assert 'name="referrer_id" type="number"' not in page
    assert 'type="number" name="referrer_id"' not in page
    assert 'name="referrer_q"' in page
    for query in ("赵美", "1111"):
        found = front_a_client.get(reverse("customers:referrer_pick"), {"referrer_q": query})
        text = found.content.decode()
        assert f'<input type="radio" name="referrer_id" value="{friend.pk}"' in text
        assert "赵美华" not in text  # another branch's customer
    made = front_a_client.post(
        reverse("customers:create"),
        {"name": "新客", "branch_id": branch_a.pk, "referrer_id": friend.pk, "gender": ""},
    )
    assert made.status_code == 302, made.content.decode()[:2000]
    new = Customer.objects.get(name="新客")
    assert new.referrer_id == friend.pk
    edit = front_a_client.get(reverse("customers:edit", args=[new.pk]))
    assert f'value="{friend.pk}" checked' in edit.content.decode()

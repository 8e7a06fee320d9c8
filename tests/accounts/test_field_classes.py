"""The policy's field classes as functions: who sees money, how an API answer loses its money,
and which list rows show a key account's file details. The walk over every route is
tests/privacy/test_sentinels.py; these pin the rules it derives its expectations from."""

from __future__ import annotations

import pytest
from tests.factories import customer_make

from liuke.accounts import policy
from liuke.accounts.choices import Role
from liuke.accounts.models import User

pytestmark = pytest.mark.django_db


def test_everyone_but_the_beautician_sees_money() -> None:
    assert policy.roles_with(policy.Cap.FINANCE_VIEW) == set(Role) - {Role.BEAUTICIAN}


def test_an_answer_loses_every_money_figure_for_a_beautician(
    beautician_a: User, front_a: User
) -> None:
    answer = {
        "id": 7,
        "total_fen": 100,
        "note": "x",
        "lines": [{"amount_fen": 50, "quantity": 2}],
        "card": {"balance_fen": 9, "number": "A1"},
    }
    assert policy.without_money(beautician_a, answer) == {
        "id": 7,
        "total_fen": None,
        "note": "x",
        "lines": [{"amount_fen": None, "quantity": 2}],
        "card": {"balance_fen": None, "number": "A1"},
    }
    assert policy.without_money(front_a, answer) == answer


def test_list_rows_show_a_key_accounts_details_only_to_those_who_look_after_it(
    manager_a: User, front_a: User, auditor: User, owner: User
) -> None:
    plain = customer_make(actor=manager_a)
    key = customer_make(actor=manager_a, is_key_account=True, owner_id=front_a.pk)
    others = customer_make(actor=manager_a, is_key_account=True, owner_id=manager_a.pk)
    assert policy.lists_file_details(auditor, plain)
    assert policy.lists_file_details(front_a, key)  # its responsible person
    assert not policy.lists_file_details(front_a, others)
    assert not policy.lists_file_details(auditor, others)
    assert policy.lists_file_details(owner, others)

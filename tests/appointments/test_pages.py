"""The day view: a column per staff member, on the branch's clock, scoped as the API is."""

from __future__ import annotations

import pytest
from django.test import Client
from tests.appointments.helpers import Salon, at, book, item

from liuke.accounts.models import User

pytestmark = pytest.mark.django_db


def test_the_day_shows_a_column_per_staff_member(
    salon: Salon, front_a: User, front_a_client: Client
) -> None:
    book(salon, front_a, item(salon.facial, salon.lin, at(salon.branch, 1, 10)))
    book(salon, front_a, item(salon.massage, salon.wu, at(salon.branch, 1, 10, 30)))
    day = at(salon.branch, 1, 0).date().isoformat()
    page = front_a_client.get(f"/appointments/?branch={salon.branch.pk}&day={day}")
    text = page.content.decode()
    assert page.status_code == 200
    assert text.count('class="card book-column"') == 2
    assert "10:00–11:00" in text  # on the branch's clock
    assert "10:30–11:15" in text
    assert "林小雨" in text


def test_a_beautician_sees_her_own_column_and_other_branches_see_nothing(
    salon: Salon,
    front_a: User,
    beautician_a: User,
    beautician_a_client: Client,
    front_b_client: Client,
) -> None:
    book(salon, front_a, item(salon.facial, beautician_a, at(salon.branch, 1, 10)))
    book(salon, front_a, item(salon.massage, salon.wu, at(salon.branch, 1, 10)))
    day = at(salon.branch, 1, 0).date().isoformat()
    own = beautician_a_client.get(f"/appointments/?branch={salon.branch.pk}&day={day}")
    assert own.content.decode().count('class="card book-column"') == 1
    assert "肩颈按摩" not in own.content.decode()
    other = front_b_client.get(f"/appointments/?branch={salon.branch.pk}&day={day}")
    assert other.status_code == 404

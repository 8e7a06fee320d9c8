"""The book's pages: the day with a column per staff member of the branch (those working that
day first), a staff member's week, tap-to-book, the appointment's card and its status buttons,
today's arrivals; on the branch's clock, scoped as the API is."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import F
from django.test import Client
from tests.appointments.helpers import Salon, at, book, counts, item
from tests.appointments.roster_helpers import roster_make

from liuke.accounts.models import User
from liuke.appointments.models import Appointment, AppointmentItem
from liuke.audit.models import AuditEvent
from liuke.customers.models import Customer

pytestmark = pytest.mark.django_db


def _day(salon: Salon, days: int = 1) -> str:
    return f"/appointments/?branch={salon.branch.pk}&day={at(salon.branch, days, 0).date()}"


def _columns(text: str) -> list[str]:
    """The staff ids of the day's columns, in order."""
    return re.findall(r'<section class="book-col[^"]*" data-staff="(\d+)"', text)


def test_the_day_shows_a_column_per_staff_member(
    salon: Salon, front_a: User, front_a_client: Client
) -> None:
    book(salon, front_a, item(salon.facial, salon.lin, at(salon.branch, 1, 10)))
    book(salon, front_a, item(salon.massage, salon.wu, at(salon.branch, 1, 10, 30)))
    page = front_a_client.get(_day(salon))
    text = page.content.decode()
    assert page.status_code == 200
    columns = _columns(text)
    assert {str(salon.lin.pk), str(salon.wu.pk), str(front_a.pk)} <= set(columns)
    assert str(salon.zhou.pk) not in columns  # the other branch's
    assert columns[:2] == sorted(columns[:2], key=lambda c: c != str(salon.wu.pk))
    assert "10:00–11:00" in text  # on the branch's clock
    assert "10:30–11:15" in text
    assert "林小雨" in text


def test_those_working_that_day_come_first_and_the_rest_of_the_day_is_shaded(
    salon: Salon, front_a: User, front_a_client: Client
) -> None:
    roster_make(salon.branch, [salon.wu])
    text = front_a_client.get(_day(salon)).content.decode()
    assert _columns(text)[0] == str(salon.wu.pk)
    wu = text[text.index(f'data-staff="{salon.wu.pk}"') :]
    wu = wu[: wu.index("</section>")]
    assert wu.count('class="book-off"') == 2  # the lunch break, after 18:00 (opens at 09:00)
    assert "off-duty" in text  # the others keep no roster here: not working


def test_a_beautician_sees_her_own_column_and_other_branches_see_nothing(
    salon: Salon,
    front_a: User,
    beautician_a: User,
    beautician_a_client: Client,
    front_b_client: Client,
) -> None:
    book(salon, front_a, item(salon.facial, beautician_a, at(salon.branch, 1, 10)))
    book(salon, front_a, item(salon.massage, salon.wu, at(salon.branch, 1, 10)))
    own = beautician_a_client.get(_day(salon)).content.decode()
    assert _columns(own) == [str(beautician_a.pk)]
    assert "肩颈按摩" not in own
    assert "data-new-url" not in own  # she does not book
    assert front_b_client.get(_day(salon)).status_code == 404


def test_the_week_of_a_staff_member(salon: Salon, front_a: User, front_a_client: Client) -> None:
    book(salon, front_a, item(salon.facial, salon.lin, at(salon.branch, 1, 10)))
    book(salon, front_a, item(salon.massage, salon.lin, at(salon.branch, 2, 15)))
    day = at(salon.branch, 1, 0).date()
    url = f"/appointments/week/?branch={salon.branch.pk}&staff={salon.lin.pk}&day={day}"
    text = front_a_client.get(url).content.decode()
    assert len(re.findall(r'<section class="book-col', text)) == 7
    assert "10:00–11:00" in text
    assert "15:00–15:45" in text


def test_the_book_is_in_the_menu(front_a_client: Client) -> None:
    assert 'href="/appointments/"' in front_a_client.get("/today/").content.decode()


def _form(salon: Salon, **more: Any) -> dict[str, Any]:
    start = at(salon.branch, 1, 11).strftime("%Y-%m-%dT%H:%M")
    return {
        "branch_id": salon.branch.pk,
        "staff_id": salon.lin.pk,
        "service_id": salon.facial.pk,
        "start_at": start,
        **more,
    }


def test_tap_to_book_a_customer_found_by_the_search(salon: Salon, front_a_client: Client) -> None:
    start = at(salon.branch, 1, 11).strftime("%Y-%m-%dT%H:%M")
    form = front_a_client.get(
        f"/appointments/new/?branch={salon.branch.pk}&staff={salon.lin.pk}&start={start}"
    ).content.decode()
    assert f'value="{start}"' in form
    found = front_a_client.get("/appointments/customers/?q=lxy").content.decode()
    assert f'value="{salon.customer.pk}"' in found
    answer = front_a_client.post(
        "/appointments/new/", _form(salon, customer_id=salon.customer.pk), HTTP_HX_REQUEST="true"
    )
    assert answer.status_code == 204
    assert answer["HX-Redirect"].startswith("/appointments/?branch=")
    stored = Appointment.objects.get().items.get()
    assert (stored.staff_id, stored.start_at) == (salon.lin.pk, at(salon.branch, 1, 11))


def test_a_new_caller_becomes_a_customer_and_a_refusal_writes_nothing(
    salon: Salon, front_a: User, front_a_client: Client
) -> None:
    caller = {"new_name": "赵小姐", "new_mobile": "13900001111"}
    front_a_client.post("/appointments/new/", _form(salon, **caller), HTTP_HX_REQUEST="true")
    assert Appointment.objects.get().customer.name == "赵小姐"
    customers = Customer.objects.count()
    before = counts()
    again = {"new_name": "钱先生", "new_mobile": "13900002222"}
    refused = front_a_client.post("/appointments/new/", _form(salon, **again))
    assert refused.status_code == 200
    assert "already booked" in refused.content.decode() or "已" in refused.content.decode()
    assert counts() == before
    assert Customer.objects.count() == customers  # the caller was not kept either
    empty = front_a_client.post("/appointments/new/", _form(salon))
    assert 'role="alert"' in empty.content.decode()


def test_the_card_and_its_status_buttons(
    salon: Salon, front_a: User, front_a_client: Client
) -> None:
    appointment = book(salon, front_a, item(salon.facial, salon.lin, at(salon.branch, 1, 10)))
    card = front_a_client.get(f"/appointments/{appointment.pk}/").content.decode()
    assert 'data-status="confirmed"' in card
    assert 'data-status="arrived"' in card
    assert 'name="reason"' in card
    answer = front_a_client.post(f"/appointments/{appointment.pk}/status/", {"status": "arrived"})
    assert answer.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == "arrived"
    refused = front_a_client.post(f"/appointments/{appointment.pk}/status/", {"status": "booked"})
    assert refused.status_code == 302  # back to the day with the refusal in words
    appointment.refresh_from_db()
    assert appointment.status == "arrived"


def test_cancel_with_a_reason(salon: Salon, front_a: User, front_a_client: Client) -> None:
    appointment = book(salon, front_a, item(salon.facial, salon.lin, at(salon.branch, 2, 10)))
    front_a_client.post(f"/appointments/{appointment.pk}/cancel/", {"reason": "出差"})
    appointment.refresh_from_db()
    assert (appointment.status, appointment.cancel_reason) == ("cancelled", "出差")
    assert not appointment.late_cancellation  # the salon's cancellation unless ticked


def _today(appointment: Appointment) -> None:
    """Move a booking of tomorrow to today (the services refuse a time already begun)."""
    shift = dt.timedelta(days=1)
    AppointmentItem.objects.filter(appointment=appointment).update(
        start_at=F("start_at") - shift, end_at=F("end_at") - shift
    )
    Appointment.objects.filter(pk=appointment.pk).update(starts_at=F("starts_at") - shift)


def test_todays_arrivals_with_what_the_brief_says(
    salon: Salon, owner: User, front_a: User, front_a_client: Client
) -> None:
    salon.customer.allergies = "对果酸过敏"
    salon.customer.save()
    _today(book(salon, front_a, item(salon.facial, salon.lin, at(salon.branch, 1, 10))))
    page = front_a_client.get(_day(salon, 0)).content.decode()
    assert "/appointments/arrivals/" in page  # loaded beside the grid
    day = at(salon.branch, 0, 0).date()
    arrivals = front_a_client.get(
        f"/appointments/arrivals/?branch={salon.branch.pk}&day={day}"
    ).content.decode()
    assert "林小雨" in arrivals
    assert "对果酸过敏" in arrivals
    today = front_a_client.get("/today/").content.decode()
    assert "对果酸过敏" in today[today.index('id="book-arrivals"') :]


#: The day view's reads: the session, the user and their branch ids, the branches, the book's
#: branch (scoped), the items, the staff, whether the branch keeps a roster and the working time
#: (branch, exceptions, spans), the navigation's counts; the request's one audit append comes
#: on top. More staff or bookings add no query.
DAY_QUERIES = 12


def _append() -> int:
    from django.db import connection

    return {"sqlite": 6, "postgresql": 4}[connection.vendor]


def test_the_day_view_query_count(
    salon: Salon,
    front_a: User,
    front_a_client: Client,
    django_assert_num_queries: Callable[..., Any],
) -> None:
    roster_make(salon.branch, [salon.lin, salon.wu])
    for hour in (10, 13, 15):
        book(salon, front_a, item(salon.facial, salon.lin, at(salon.branch, 1, hour)))
        book(salon, front_a, item(salon.massage, salon.wu, at(salon.branch, 1, hour)))
    front_a_client.get("/customers/")  # the session's first request writes its idle clock
    before = AuditEvent.objects.count()
    with django_assert_num_queries(DAY_QUERIES + _append()):
        assert front_a_client.get(_day(salon)).status_code == 200
    assert AuditEvent.objects.count() == before + 1

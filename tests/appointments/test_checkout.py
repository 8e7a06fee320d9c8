"""The appointment joined to the visit: checkout from an appointment, rebooking at the checkout,
refunds keeping both consistent, follow-ups from that visit."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from tests.appointments.helpers import Salon, at, book, counts, item

from liuke.accounts.models import User
from liuke.appointments import services
from liuke.appointments.errors import AppointmentsErrorCode as E
from liuke.appointments.models import Appointment
from liuke.core.errors import ServiceError
from liuke.engagement.jobs import followups_create
from liuke.engagement.models import FollowUp, FollowUpRule
from liuke.sales import services as sales
from liuke.sales.models import Visit

pytestmark = pytest.mark.django_db


def _arrived(salon: Salon, actor: User) -> Appointment:
    a = book(salon, actor, item(salon.facial, salon.lin, at(salon.branch, 1, 10)))
    return services.appointment_status_set(actor=actor, appointment_id=a.pk, status="arrived")


def _data(salon: Salon, **more: Any) -> dict[str, Any]:
    return {
        "customer_id": salon.customer.pk,
        "branch_id": salon.branch.pk,
        "lines": [{"service_id": salon.facial.pk, "staff_id": salon.lin.pk, "quantity": 1}],
        "payments": [{"method": "cash", "amount_fen": salon.facial.price_fen}],
        **more,
    }


def test_checking_out_an_appointment_completes_it_and_links_the_visit(
    salon: Salon, front_a: User
) -> None:
    a = _arrived(salon, front_a)
    visit = sales.checkout(actor=front_a, data=_data(salon, appointment_id=a.pk))
    a.refresh_from_db()
    assert (a.status, a.visit_id) == ("completed", visit.pk)


@pytest.mark.parametrize("status", ["booked", "completed"])
def test_only_an_arrived_appointment_is_checked_out_and_nothing_is_written(
    salon: Salon, front_a: User, status: str
) -> None:
    if status == "booked":
        a = book(salon, front_a, item(salon.facial, salon.lin, at(salon.branch, 1, 10)))
    else:
        a = _arrived(salon, front_a)
        sales.checkout(actor=front_a, data=_data(salon, appointment_id=a.pk))
    visits = Visit.objects.count()
    with pytest.raises(ServiceError) as error:
        sales.checkout(actor=front_a, data=_data(salon, appointment_id=a.pk))
    assert error.value.code == E.NOT_HERE
    assert Visit.objects.count() == visits  # the checkout rolled back


def test_another_customers_appointment_is_refused(salon: Salon, front_a: User) -> None:
    from tests.factories import customer_make

    a = _arrived(salon, front_a)
    other = customer_make(actor=front_a, branch=salon.branch, name="张三")
    with pytest.raises(ServiceError) as error:
        sales.checkout(actor=front_a, data=_data(salon, customer_id=other.pk, appointment_id=a.pk))
    assert error.value.code == E.CHECKOUT_MISMATCH
    assert not Visit.objects.exists()


def test_a_void_reopens_the_appointment_and_a_complaint_refund_does_not(
    salon: Salon, owner: User
) -> None:
    a = _arrived(salon, owner)
    visit = sales.checkout(actor=owner, data=_data(salon, appointment_id=a.pk))
    sales.visit_refund(actor=owner, visit_id=visit.pk, reason="not_satisfied")
    a.refresh_from_db()
    assert (a.status, a.visit_id) == ("completed", visit.pk)

    b = book(salon, owner, item(salon.facial, salon.lin, at(salon.branch, 1, 14)))
    services.appointment_status_set(actor=owner, appointment_id=b.pk, status="arrived")
    second = sales.checkout(actor=owner, data=_data(salon, appointment_id=b.pk))
    sales.visit_refund(actor=owner, visit_id=second.pk, reason="wrong_charge")
    b.refresh_from_db()
    assert (b.status, b.visit_id) == ("arrived", None)
    again = sales.checkout(actor=owner, data=_data(salon, appointment_id=b.pk))
    b.refresh_from_db()
    assert (b.status, b.visit_id) == ("completed", again.pk)


def test_rebooking_at_checkout_books_a_real_appointment(salon: Salon, front_a: User) -> None:
    a = _arrived(salon, front_a)
    when = at(salon.branch, 28, 11)
    rebook = {"service_id": salon.massage.pk, "staff_id": salon.wu.pk, "start_at": when}
    visit = sales.checkout(actor=front_a, data=_data(salon, appointment_id=a.pk, rebook=rebook))
    nxt = Appointment.objects.get(rebooked_at=visit)
    item_ = nxt.items.get()
    assert (item_.service_id, item_.staff_id, item_.start_at) == (
        salon.massage.pk,
        salon.wu.pk,
        when,
    )
    assert (nxt.customer_id, nxt.status) == (salon.customer.pk, "booked")
    visit.refresh_from_db()
    assert visit.next_visit_at == when


def test_a_rebooking_on_a_taken_time_refuses_the_whole_checkout(
    salon: Salon, front_a: User
) -> None:
    a = _arrived(salon, front_a)
    when = at(salon.branch, 28, 11)
    book(salon, front_a, item(salon.massage, salon.wu, when))
    before = counts()
    rebook = {"service_id": salon.massage.pk, "staff_id": salon.wu.pk, "start_at": when}
    with pytest.raises(ServiceError) as error:
        sales.checkout(actor=front_a, data=_data(salon, appointment_id=a.pk, rebook=rebook))
    assert error.value.code == E.SLOT_TAKEN
    assert counts() == before
    assert not Visit.objects.exists()
    a.refresh_from_db()
    assert a.status == "arrived"


def test_follow_ups_start_from_the_appointments_visit(salon: Salon, front_a: User) -> None:
    FollowUpRule.objects.create(
        business_id=salon.branch.business_id, day=3, purpose_zh="回访", is_active=True
    )
    a = _arrived(salon, front_a)
    visit = sales.checkout(actor=front_a, data=_data(salon, appointment_id=a.pk))
    followups_create()
    assert FollowUp.objects.filter(visit=visit, assignee=salon.lin).exists()


def test_check_out_opens_the_checkout_filled_in_and_the_form_completes_it(
    salon: Salon, front_a: User, front_a_client: Client
) -> None:
    a = _arrived(salon, front_a)
    response = front_a_client.get(reverse("appointments:checkout", args=[a.pk]))
    assert response.status_code == 302
    page = front_a_client.get(response["Location"])
    html = page.content.decode()
    assert f'name="appointment_id" value="{a.pk}"' in html
    assert f'<option value="s:{salon.facial.pk}" selected>' in html
    assert f'<option value="{salon.lin.pk}" selected>' in html
    posted = front_a_client.post(
        reverse("sales:checkout"),
        {
            "customer_id": salon.customer.pk,
            "branch_id": salon.branch.pk,
            "appointment_id": a.pk,
            "line_item": f"s:{salon.facial.pk}",
            "line_staff": salon.lin.pk,
            "line_qty": "1",
            "pay_method": "cash",
            "pay_amount": "0.01",
            "rebook_service": salon.massage.pk,
            "rebook_staff": salon.wu.pk,
            "rebook_at": at(salon.branch, 30, 15)
            .replace(tzinfo=None)
            .isoformat(timespec="minutes"),
            "idempotency_key": "appointment-checkout-1",
        },
    )
    assert posted.status_code == 302, posted.content.decode()[:2000]
    a.refresh_from_db()
    assert a.status == "completed"
    assert a.visit is not None
    nxt = Appointment.objects.get(rebooked_at=a.visit)
    assert nxt.starts_at == at(salon.branch, 30, 15)
    receipt = front_a_client.get(posted["Location"]).content.decode()
    assert "Next visit" in receipt or "下次" in receipt


def test_a_booked_appointment_has_no_check_out(
    salon: Salon, front_a: User, front_a_client: Client
) -> None:
    a = book(salon, front_a, item(salon.facial, salon.lin, at(salon.branch, 1, 10)))
    response = front_a_client.get(reverse("appointments:checkout", args=[a.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("appointments:day")
    assert "appointment_id" not in response.content.decode()

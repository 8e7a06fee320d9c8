"""Online booking's services: the one-time codes (hashed, expiring, attempts and rates
limited), the caller becoming a customer by the duplicate rule, and booking, moving and
cancelling within the business's rules."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from tests.appointments.helpers import Salon, at, book, item
from tests.appointments.online_helpers import MOBILE, Online, last_code, online_make
from tests.factories import customer_make

from liuke.appointments.choices import AppointmentStatus
from liuke.appointments.errors import AppointmentsErrorCode as E
from liuke.appointments.errors import SlotTaken, TooManyCodes
from liuke.appointments.models import Appointment, BookingSettings, OnlineCode
from liuke.appointments.public import codes
from liuke.appointments.services import online
from liuke.audit.models import AuditEvent
from liuke.core.errors import NotFound, ServiceError
from liuke.customers.choices import Source
from liuke.customers.services.online import customer_for_online
from liuke.engagement.models import CodeMessage

pytestmark = pytest.mark.django_db
UTC = dt.UTC


@pytest.fixture
def shop(salon: Salon) -> Online:
    return online_make(salon)


def test_a_code_is_stored_hashed_and_proves_the_number_once(shop: Online) -> None:
    row = codes.code_request(branch=shop.page.branch, mobile=MOBILE, address="10.0.0.1")
    code = last_code()
    assert code not in (row.code_hash, row.mobile_hash)
    assert MOBILE not in row.mobile_hash
    message = CodeMessage.objects.get()
    assert (message.mobile_last4, message.status) == ("5678", "queued")
    assert not codes.code_check(branch=shop.page.branch, mobile=MOBILE, code="12345x")
    assert codes.code_check(branch=shop.page.branch, mobile=MOBILE, code=code)
    assert not codes.code_check(branch=shop.page.branch, mobile=MOBILE, code=code)  # used
    row.refresh_from_db()
    assert row.attempts == 1
    assert row.verified_at is not None


def test_five_wrong_guesses_kill_the_code(shop: Online) -> None:
    codes.code_request(branch=shop.page.branch, mobile=MOBILE, address="10.0.0.1")
    code = last_code()
    wrong = "1" if code[0] != "1" else "2"
    for _ in range(codes.MAX_ATTEMPTS):
        assert not codes.code_check(branch=shop.page.branch, mobile=MOBILE, code=wrong * 6)
    assert not codes.code_check(branch=shop.page.branch, mobile=MOBILE, code=code)


def test_an_expired_code_proves_nothing(shop: Online) -> None:
    codes.code_request(branch=shop.page.branch, mobile=MOBILE, address="10.0.0.1")
    OnlineCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert not codes.code_check(branch=shop.page.branch, mobile=MOBILE, code=last_code())


def test_codes_are_limited_per_number_and_per_address(shop: Online) -> None:
    branch = shop.page.branch
    for n in range(3):
        codes.code_request(branch=branch, mobile=MOBILE, address=f"10.0.0.{n}")
    with pytest.raises(TooManyCodes) as refused:
        codes.code_request(branch=branch, mobile=MOBILE, address="10.0.0.9")
    assert refused.value.status == 429
    for n in range(10):
        codes.code_request(branch=branch, mobile=f"1391234{n:04d}", address="10.9.9.9")
    with pytest.raises(TooManyCodes):
        codes.code_request(branch=branch, mobile="13800000000", address="10.9.9.9")
    assert CodeMessage.objects.count() == 13


def test_a_known_number_is_that_customer_a_new_one_a_new_online_customer(shop: Online) -> None:
    salon = shop.salon
    known = customer_make(actor=salon.owner, branch=salon.branch, name="老客", mobile=MOBILE)
    same = customer_for_online(
        business_id=salon.branch.business_id, branch_id=salon.branch.pk, name="别名",
        mobile=f"+86 {MOBILE}",
    )  # fmt: skip
    assert same.pk == known.pk
    assert same.name == "老客"
    new = customer_for_online(
        business_id=salon.branch.business_id, branch_id=salon.branch.pk, name="新客",
        mobile="13700001111",
    )  # fmt: skip
    assert (new.source, new.mobile_last4, new.name_pinyin) == (Source.ONLINE, "1111", "xinke")
    assert AuditEvent.objects.filter(actor_label="system:online", action="create").exists()


def _book(shop: Online, start: dt.datetime, staff_id: int | None = None) -> Appointment:
    return online.online_book(
        branch=shop.page.branch, customer=shop.salon.customer, service_id=shop.salon.facial.pk,
        start=start, staff_id=staff_id,
    )  # fmt: skip


def test_book_an_offered_time_with_any_staff(shop: Online) -> None:
    salon = shop.salon
    book(salon, salon.owner, item(salon.facial, salon.lin, at(salon.branch, 1, 10)))
    appointment = _book(shop, at(salon.branch, 1, 10))
    assert appointment.source == "online"
    assert appointment.created_by is None
    assert appointment.items.get().staff_id == salon.wu.pk  # Lin is taken at 10:00
    with pytest.raises(SlotTaken):
        _book(shop, at(salon.branch, 1, 10, 30))  # both busy now


def test_online_rules_refuse_too_soon_too_far_off_and_off_roster(shop: Online) -> None:
    salon = shop.salon
    BookingSettings.objects.update(online_min_notice_hours=48, online_days_ahead=5)
    for start, code in (
        (at(salon.branch, 1, 10), E.OUTSIDE_ONLINE_WINDOW),
        (at(salon.branch, 6, 10), E.OUTSIDE_ONLINE_WINDOW),
    ):
        with pytest.raises(ServiceError) as refused:
            _book(shop, start)
        assert refused.value.code == code
    with pytest.raises(SlotTaken):
        _book(shop, at(salon.branch, 3, 19))  # nobody works at 19:00
    BookingSettings.objects.update(online_enabled=False)
    with pytest.raises(ServiceError) as off:
        _book(shop, at(salon.branch, 3, 10))
    assert off.value.code == E.ONLINE_OFF
    assert Appointment.objects.count() == 0


def test_move_and_cancel_before_the_notice_only(shop: Online) -> None:
    salon = shop.salon
    appointment = _book(shop, at(salon.branch, 2, 10), staff_id=salon.lin.pk)
    # a move that overlaps the booking's own time, with the same staff member
    online.online_move(
        customer=salon.customer, appointment_id=appointment.pk,
        start=at(salon.branch, 2, 10, 30), staff_id=salon.lin.pk,
    )  # fmt: skip
    moved = appointment.items.get()
    assert moved.start_at == at(salon.branch, 2, 10, 30)
    assert moved.staff_id == salon.lin.pk
    other = customer_make(actor=salon.owner, branch=salon.branch, name="别人")
    with pytest.raises(NotFound):
        online.online_cancel(customer=other, appointment_id=appointment.pk)
    BookingSettings.objects.update(cancel_notice_hours=72)
    with pytest.raises(ServiceError) as late:
        online.online_cancel(customer=salon.customer, appointment_id=appointment.pk)
    assert late.value.code == E.CANCEL_WINDOW_PASSED
    BookingSettings.objects.update(cancel_notice_hours=24)
    done = online.online_cancel(customer=salon.customer, appointment_id=appointment.pk)
    assert done.status == AppointmentStatus.CANCELLED
    assert not done.late_cancellation
    assert not done.items.get().active

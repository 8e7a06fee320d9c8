"""The public booking page over HTTP: a customer books with a one-time code, sees and cancels
their own bookings; a wrong link, a page switched off or another customer's booking show
nothing; the staff's settings page makes the link and its QR code."""

from __future__ import annotations

import pytest
from django.test import Client
from tests.appointments.helpers import Salon, at, book, item
from tests.appointments.online_helpers import MOBILE, Online, last_code, online_make
from tests.factories import customer_make

from liuke.appointments.choices import AppointmentStatus
from liuke.appointments.models import Appointment, BookingSettings
from liuke.appointments.public.views import SESSION_KEY
from liuke.customers.models import Customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(salon: Salon) -> Online:
    return online_make(salon)


def test_a_customer_books_with_a_code_then_cancels(shop: Online, client: Client) -> None:
    salon = shop.salon
    start = at(salon.branch, 2, 11)
    day = start.date().isoformat()
    page = client.get(shop.url(), {"service": str(salon.facial.pk), "day": day})
    assert page.status_code == 200
    assert page["X-Robots-Tag"] == "noindex, nofollow"
    text = page.content.decode()
    assert salon.facial.name in text
    assert f'value="{int(start.timestamp())}"' in text  # 11:00 is offered
    chosen = {"service": salon.facial.pk, "staff": "", "start": int(start.timestamp())}
    details = client.post(shop.url("book"), chosen)
    assert 'name="mobile"' in details.content.decode()
    sent = client.post(shop.url("code"), {**chosen, "name": "网客", "mobile": MOBILE})
    assert sent.status_code == 200
    assert "139****5678" in sent.content.decode()
    wrong = client.post(shop.url("verify"), {**chosen, "mobile": MOBILE, "code": "abcdef"})
    assert wrong.status_code == 400
    assert Appointment.objects.count() == 0
    done = client.post(
        shop.url("verify"), {**chosen, "name": "网客", "mobile": MOBILE, "code": last_code()}
    )
    assert done.status_code == 302
    appointment = Appointment.objects.get()
    customer = Customer.objects.get(mobile=MOBILE)
    assert (appointment.customer_id, appointment.source) == (customer.pk, "online")
    assert customer.source == "online"
    mine = client.get(shop.url("mine")).content.decode()
    assert 'id="booked-note"' in mine
    assert f'data-appointment="{appointment.pk}"' in mine
    client.post(shop.url("change"), {"appointment": appointment.pk, "action": "cancel"})
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED


def test_a_proven_customer_sees_only_their_own_bookings(shop: Online, client: Client) -> None:
    salon = shop.salon
    book(salon, salon.owner, item(salon.facial, salon.lin, at(salon.branch, 2, 10)))  # 林小雨
    other = customer_make(
        actor=salon.owner, branch=salon.branch, name="周丽娜", mobile="13811112222"
    )
    session = client.session
    session[SESSION_KEY] = {"id": other.pk, "business": salon.branch.business_id, "until": 9e9}
    session.save()
    text = client.get(shop.url("mine")).content.decode()
    assert 'id="no-bookings"' in text
    assert salon.customer.name not in text
    # nor can the other customer cancel it by its id
    theirs = Appointment.objects.get()
    client.post(shop.url("change"), {"appointment": theirs.pk, "action": "cancel"})
    theirs.refresh_from_db()
    assert theirs.status == AppointmentStatus.BOOKED
    # and the page's times name no customer
    page = client.get(shop.url(), {"service": salon.facial.pk})
    assert salon.customer.name not in page.content.decode()


@pytest.mark.parametrize("step", ["", "book", "code", "verify", "mine", "change"])
def test_a_wrong_link_or_a_page_switched_off_is_404(
    shop: Online, client: Client, step: str
) -> None:
    forged = f"/book/{shop.page.token}.x{'y' * 20}/" + (f"{step}/" if step else "")
    assert client.get(forged).status_code == 404
    assert client.post(forged, {"mobile": MOBILE}).status_code == 404
    BookingSettings.objects.update(online_enabled=False)
    assert client.get(shop.url(step)).status_code == 404


def test_too_many_codes_answer_429(shop: Online, client: Client) -> None:
    for _ in range(3):
        assert client.post(shop.url("code"), {"mobile": MOBILE}).status_code == 200
    assert client.post(shop.url("code"), {"mobile": MOBILE}).status_code == 429


def test_the_settings_page_makes_the_link_and_its_qr_code(
    salon: Salon, owner_client: Client, beautician_a_client: Client
) -> None:
    url = "/appointments/online/"
    assert beautician_a_client.get(url).status_code == 404  # the house answer to a denied page
    saved = owner_client.post(
        url, {"online_enabled": "on", "online_days_ahead": "14", "online_min_notice_hours": "1",
              "cancel_notice_hours": "12", "reminder_hours": "24"},
    )  # fmt: skip
    assert saved.status_code == 302
    rules = BookingSettings.objects.get()
    assert rules.online_enabled
    assert (rules.online_days_ahead, rules.cancel_notice_hours) == (14, 12)
    owner_client.post(url, {"branch": salon.branch.pk})
    text = owner_client.get(url).content.decode()
    assert "<svg" in text
    assert "/book/" in text


def test_my_bookings_open_with_a_code_for_a_known_number_only(shop: Online, client: Client) -> None:
    salon = shop.salon
    known = customer_make(actor=salon.owner, branch=salon.branch, name="熟客", mobile=MOBILE)
    book(
        salon, salon.owner, item(salon.facial, salon.lin, at(salon.branch, 2, 10)),
        customer_id=known.pk,
    )  # fmt: skip
    client.post(shop.url("code"), {"mobile": "13700009999"})
    unknown = client.post(shop.url("verify"), {"mobile": "13700009999", "code": last_code()})
    assert 'role="alert"' in unknown.content.decode()
    assert SESSION_KEY not in client.session
    client.post(shop.url("code"), {"mobile": MOBILE})
    opened = client.post(shop.url("verify"), {"mobile": MOBILE, "code": last_code()})
    assert opened.status_code == 302
    text = client.get(shop.url("mine")).content.decode()
    assert text.count('class="booked"') == 1

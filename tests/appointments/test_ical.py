"""The staff member's calendar feed: RFC 5545 text (escaping, folding, CRLF), a secret URL
of which only the hash is stored, renewed and revoked; no full name or phone unless allowed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from tests.appointments.helpers import Salon, at, book, item

from liuke.appointments import ical
from liuke.appointments.models import BookingSettings, CalendarFeed
from liuke.appointments.public.feed import shown_name
from liuke.appointments.services import feeds
from liuke.customers.services import customer_update

UTC = dt.UTC


def test_text_is_escaped_and_long_lines_are_folded_between_characters() -> None:
    assert ical.escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    line = "SUMMARY:" + "面部护理" * 30
    folded = ical.fold(line)
    parts = folded.split("\r\n ")
    assert "".join(parts) == line
    assert all(len(p.encode()) <= 75 for p in parts)
    assert len(parts) > 1


def test_a_calendar_has_its_events_in_utc_with_crlf() -> None:
    start = dt.datetime(2030, 5, 6, 2, tzinfo=UTC)
    text = ical.calendar(
        "日历", [ical.Event("u1@x", start, start + dt.timedelta(hours=1), "补水, 张女士")],
        now=start,
    )  # fmt: skip
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert "DTSTART:20300506T020000Z\r\nDTEND:20300506T030000Z\r\n" in text
    assert "SUMMARY:补水\\, 张女士\r\n" in text
    assert text.endswith("END:VEVENT\r\nEND:VCALENDAR\r\n")


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


@pytest.mark.django_db
def test_the_feed_names_the_customer_only_as_the_business_allows(
    salon: Salon, client: Client
) -> None:
    customer_update(
        actor=salon.owner, customer_id=salon.customer.pk,
        data={"gender": "F", "mobile": "13912345678"},
    )  # fmt: skip
    book(salon, salon.owner, item(salon.facial, salon.lin, at(salon.branch, 1, 10)))
    url = _path(feeds.feed_renew(actor=salon.lin))
    stored = CalendarFeed.objects.get(staff=salon.lin)
    assert stored.token_hash not in url
    answer = client.get(url)
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/calendar")
    text = answer.content.decode()
    assert "面部护理 · 林女士" in text
    assert salon.customer.name not in text
    assert "13912345678" not in text
    BookingSettings.objects.create(business_id=salon.branch.business_id, calendar_shows_names=True)
    assert salon.customer.name in client.get(url).content.decode()
    # Wu has no appointment of this customer, and no feed: nothing of Lin's leaks to others
    assert CalendarFeed.objects.filter(staff=salon.wu).count() == 0


@pytest.mark.django_db
def test_renewing_retires_the_old_url_and_revoking_stops_it(salon: Salon, client: Client) -> None:
    first = _path(feeds.feed_renew(actor=salon.lin))
    second = _path(feeds.feed_renew(actor=salon.lin))
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    assert feeds.feed_revoke(actor=salon.lin)
    assert client.get(second).status_code == 404
    assert client.get("/book/f/" + "x" * 20 + ".ics").status_code == 404


@pytest.mark.django_db
def test_without_a_known_gender_the_feed_says_customer(salon: Salon) -> None:
    assert shown_name(salon.customer, full=False) not in (salon.customer.name, "")
    assert shown_name(salon.customer, full=True) == salon.customer.name


@pytest.mark.django_db
def test_the_feed_page_shows_the_url_once(salon: Salon, beautician_a_client: Client) -> None:
    made = beautician_a_client.post("/appointments/calendar-feed/", {"action": "renew"})
    assert "/book/f/" in made.content.decode()
    again = beautician_a_client.get("/appointments/calendar-feed/").content.decode()
    assert "/book/f/" not in again
    beautician_a_client.post("/appointments/calendar-feed/", {"action": "revoke"})
    assert not CalendarFeed.objects.exists()

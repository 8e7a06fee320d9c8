"""What the book measures, against figures worked out by hand."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from tests.appointments.helpers import Salon, book, item
from tests.factories.sales import visit_make

from liuke.accounts.models import User
from liuke.appointments import services
from liuke.appointments.models import Appointment, AppointmentItem, BookingSettings
from liuke.appointments.reports import book_reports
from liuke.core.errors import CapabilityDenied
from liuke.rosters import services as rosters

pytestmark = pytest.mark.django_db
T = dt.time


def _monday(salon: Salon) -> dt.date:
    """A Monday at least a week ahead on the branch's clock."""
    today = timezone.now().astimezone(ZoneInfo(salon.branch.time_zone)).date()
    return today + dt.timedelta(days=7 + (7 - today.weekday()) % 7)


def _on(salon: Salon, day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, T(hour), tzinfo=ZoneInfo(salon.branch.time_zone))


def test_the_figures_of_a_day_worked_out_by_hand(salon: Salon, owner: User) -> None:
    day = _monday(salon)
    branch = salon.branch
    rosters.roster_day_set(
        actor=owner, staff_id=salon.lin.pk, branch_id=branch.pk, weekday=0,
        work=[(T(10), T(19))], breaks=[(T(12), T(13))],
    )  # fmt: skip
    rosters.roster_day_set(
        actor=owner, staff_id=salon.wu.pk, branch_id=branch.pk, weekday=0, work=[(T(10), T(14))]
    )
    BookingSettings.objects.create(business_id=branch.business_id, cancel_notice_hours=24 * 30)
    kept = book(salon, owner, item(salon.facial, salon.lin, _on(salon, day, 10)))  # 60 min
    online = book(
        salon, owner, item(salon.massage, salon.lin, _on(salon, day, 11)), source="online"
    )  # 45 min
    late = book(salon, owner, item(salon.facial, salon.wu, _on(salon, day, 10)))
    services.appointment_cancel(actor=owner, appointment_id=late.pk, reason="有事")
    missed = book(salon, owner, item(salon.massage, salon.wu, _on(salon, day, 13)))
    # a no-show is recorded once its time has begun: written as the service leaves it
    Appointment.objects.filter(pk=missed.pk).update(status="no_show")
    AppointmentItem.objects.filter(appointment=missed).update(active=False)
    # booked 24, 48, 72 and 96 hours ahead: the median lead time is 60 hours
    for hours, a in zip((24, 48, 72, 96), (kept, online, late, missed), strict=True):
        Appointment.objects.filter(pk=a.pk).update(
            created_at=a.starts_at - dt.timedelta(hours=hours)
        )
    # an appointment the day after (Lin works Tuesdays too) is outside the span
    rosters.roster_day_set(
        actor=owner, staff_id=salon.lin.pk, branch_id=branch.pk, weekday=1, work=[(T(10), T(19))]
    )
    book(salon, owner, item(salon.facial, salon.lin, _on(salon, day + dt.timedelta(days=1), 10)))
    # visits on the day: one rebooked at its checkout, one not, one refunded in full (left out)
    rebooked = visit_make(customer=salon.customer, at=_on(salon, day, 11))
    visit_make(customer=salon.customer, at=_on(salon, day, 12))
    refunded = visit_make(customer=salon.customer, at=_on(salon, day, 15), status="refunded")
    Appointment.objects.filter(pk=online.pk).update(rebooked_at=rebooked)
    Appointment.objects.filter(pk=kept.pk).update(rebooked_at=refunded)

    [report] = book_reports(actor=owner, branch_ids=[branch.pk], first=day, last=day)

    uses = {s.staff_id: (s.booked_min, s.rostered_min) for s in report.staff}
    assert uses == {salon.lin.pk: (105, 480), salon.wu.pk: (0, 240)}
    assert report.utilisation == pytest.approx(105 / 720)
    assert (report.appointments, report.no_shows, report.late_cancellations, report.online) == (
        4,
        1,
        1,
        1,
    )
    assert (report.no_show_rate, report.late_cancellation_rate, report.online_share) == (
        0.25,
        0.25,
        0.25,
    )
    assert report.lead_time_hours == pytest.approx(60)
    assert (report.visits, report.rebooked_visits, report.rebooking_rate) == (2, 1, 0.5)


def test_an_empty_span_has_no_rates(salon: Salon, owner: User) -> None:
    [report] = book_reports(
        actor=owner, branch_ids=[salon.branch.pk], first=_monday(salon), last=_monday(salon)
    )
    assert report.staff == []
    assert report.utilisation is None
    assert report.no_show_rate is None
    assert report.lead_time_hours is None
    assert report.rebooking_rate is None


def test_a_beautician_sees_no_report_and_other_branches_are_left_out(
    salon: Salon, owner: User, front_b: User
) -> None:
    with pytest.raises(CapabilityDenied):
        book_reports(actor=salon.lin, branch_ids=[salon.branch.pk], first=_monday(salon),
                     last=_monday(salon))  # fmt: skip
    assert (
        book_reports(
            actor=front_b, branch_ids=[salon.branch.pk], first=_monday(salon), last=_monday(salon)
        )
        == []
    )


def test_the_dashboards_appointments_tab_shows_the_book(
    salon: Salon, owner: User, owner_client: Client, beautician_a_client: Client
) -> None:
    rosters.roster_day_set(
        actor=owner, staff_id=salon.lin.pk, branch_id=salon.branch.pk,
        weekday=timezone.localdate().weekday(), work=[(T(10), T(12))],
    )  # fmt: skip
    page = owner_client.get(reverse("analytics:book"), {"days": "7"})
    html = page.content.decode()
    assert page.status_code == 200
    assert f'id="book-report-{salon.branch.pk}"' in html
    assert "report-appointments_book" in html
    # without analytics.view the page is not there for her (the project answers 404)
    assert beautician_a_client.get(reverse("analytics:book")).status_code == 404

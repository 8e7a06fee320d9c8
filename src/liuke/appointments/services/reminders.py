"""The customer's messages about their appointments, through the outbox and its consent rules:
the booking confirmation and the reminder before the start (the business sets how many hours,
`BookingSettings.reminder_hours`), which carries a link to confirm (and "reply 1 to confirm",
`appointment_confirm_by_reply`). Both are service notices: queued only for a customer who has
not turned service notices off, never for one merged away or erased.

`notices_queue` is the job (every 15 minutes); the outbox's unique occasion (customer, kind,
key) keeps it idempotent. A moved appointment gets a new reminder (the key holds the start).
An online booking that waits for the front desk is told nothing (no confirmation, no reminder)
until the desk confirms it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from liuke.appointments import timing
from liuke.appointments.choices import OPEN, AppointmentSource, AppointmentStatus
from liuke.appointments.models import Appointment, BookingSettings, ConfirmLink
from liuke.appointments.public import links
from liuke.appointments.selectors import booking_rules
from liuke.appointments.services.online import appointment_confirm_by_customer
from liuke.core.phone import normalise_mobile
from liuke.engagement.choices import MessageKind, MessageStatus
from liuke.engagement.models import Message

#: Confirmations are sent for bookings made this recently (the job does not write to every
#: customer of an old book the day it is switched on).
CONFIRM_RECENT = dt.timedelta(days=2)
#: The longest reminder a business may set (BookingSettings' check).
REMINDER_MAX = dt.timedelta(hours=168)
#: Replies that confirm ("1", yes, 是, 确认 …).
YES = frozenset({"1", "y", "yes", "ok", "是", "好", "确认", "确定", "好的", "可以"})


def _awaits_desk(appointment: Appointment, rules: BookingSettings) -> bool:
    return (
        rules.online_needs_confirmation
        and appointment.source == AppointmentSource.ONLINE
        and appointment.status == AppointmentStatus.BOOKED
    )


def _rules(business_ids: Iterable[int]) -> dict[int, BookingSettings]:
    return {b: booking_rules(b) for b in set(business_ids)}


def _keys_sent(kind: str, keys: list[str]) -> set[str]:
    return set(Message.objects.filter(kind=kind, key__in=keys).values_list("key", flat=True))


def _message(appointment: Appointment, kind: str, key: str, detail: str) -> Message:
    branch = appointment.branch
    return Message(
        business_id=appointment.business_id,
        branch_id=appointment.branch_id,
        customer_id=appointment.customer_id,
        kind=kind,
        key=key,
        is_marketing=False,
        occasion_on=timing.local(branch, appointment.starts_at).date(),
        detail=detail,
        status=MessageStatus.QUEUED,
    )


def _hhmm(appointment: Appointment) -> str:
    return f"{timing.local(appointment.branch, appointment.starts_at):%H:%M}"


def _open_upcoming(now: dt.datetime) -> Q:
    return Q(
        status__in=list(OPEN),
        starts_at__gt=now,
        customer__service_notices=True,
        customer__merged_into__isnull=True,
        customer__anonymised_at__isnull=True,
    )


def confirm_link_new(appointment: Appointment) -> str:
    """A new confirmation token for the appointment (only its hash is stored)."""
    token = links.new_token()
    ConfirmLink.objects.create(
        appointment=appointment, token_hash=links.token_hash(token), created_at=timezone.now()
    )
    return token


def _queue_confirmations(now: dt.datetime) -> int:
    found = list(
        Appointment.objects.filter(_open_upcoming(now), created_at__gte=now - CONFIRM_RECENT)
        .select_related("branch")
        .order_by("pk")[:5000]
    )
    rules = _rules(a.business_id for a in found)
    keys = {a.pk: f"appt:{a.pk}" for a in found}
    sent = _keys_sent(MessageKind.APPOINTMENT_BOOKED, list(keys.values()))
    rows = [
        _message(a, MessageKind.APPOINTMENT_BOOKED, keys[a.pk], _hhmm(a))
        for a in found
        if keys[a.pk] not in sent and not _awaits_desk(a, rules[a.business_id])
    ]
    Message.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _queue_reminders(now: dt.datetime) -> int:
    found = list(
        Appointment.objects.filter(_open_upcoming(now), starts_at__lte=now + REMINDER_MAX)
        .select_related("branch")
        .order_by("starts_at", "pk")[:20000]
    )
    rules = _rules(a.business_id for a in found)
    due = [
        a
        for a in found
        if rules[a.business_id].reminder_hours
        and a.starts_at <= now + dt.timedelta(hours=rules[a.business_id].reminder_hours)
    ]
    keys = {a.pk: f"appt:{a.pk}:{int(a.starts_at.timestamp())}" for a in due}
    sent = _keys_sent(MessageKind.APPOINTMENT_REMINDER, list(keys.values()))
    rows = []
    for a in due:
        if keys[a.pk] in sent or _awaits_desk(a, rules[a.business_id]):
            continue
        # the link of an appointment already confirmed just says so again
        detail = f"{confirm_link_new(a)}|{_hhmm(a)}"
        rows.append(_message(a, MessageKind.APPOINTMENT_REMINDER, keys[a.pk], detail))
    Message.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


@transaction.atomic
def notices_queue(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Queue the due booking confirmations and reminders (the job; idempotent)."""
    now = now or timezone.now()
    return {"confirmations": _queue_confirmations(now), "reminders": _queue_reminders(now)}


def confirm_by_link(token: str) -> Appointment | None:
    """The customer opened a reminder's link: its booked appointment is confirmed (once)."""
    link = ConfirmLink.objects.filter(token_hash=links.token_hash(token)).first()
    if link is None:
        return None
    appointment = Appointment.objects.select_related("branch").get(pk=link.appointment_id)
    if _awaits_desk(appointment, booking_rules(appointment.business_id)):
        return None
    done = appointment_confirm_by_customer(appointment_id=appointment.pk)
    if link.used_at is None:
        ConfirmLink.objects.filter(pk=link.pk).update(used_at=timezone.now())
    return done or (appointment if appointment.status == AppointmentStatus.CONFIRMED else None)


def appointment_confirm_by_reply(
    *, business_id: int, mobile: str, reply: str
) -> Appointment | None:
    """An inbound reply from `mobile` to the business (an SMS or WeChat channel calls this): a
    "yes" ("1", 是, 确认 …) confirms that customer's next booked appointment that was reminded
    of. None when the reply is not a yes, the number is no customer's, or nothing waits."""
    if reply.strip().lower().rstrip(".!。！") not in YES:
        return None
    try:
        number = normalise_mobile(mobile)
    except ValidationError:
        return None
    if not number:
        return None
    reminded = Message.objects.filter(
        business_id=business_id, kind=MessageKind.APPOINTMENT_REMINDER
    ).values("customer_id")
    appointment = (
        Appointment.objects.filter(
            business_id=business_id,
            customer__mobile=number,
            customer__merged_into__isnull=True,
            customer_id__in=reminded,
            status=AppointmentStatus.BOOKED,
            starts_at__gt=timezone.now(),
        )
        .order_by("starts_at", "pk")
        .first()
    )
    if appointment is None or _awaits_desk(appointment, booking_rules(business_id)):
        return None
    return appointment_confirm_by_customer(appointment_id=appointment.pk)

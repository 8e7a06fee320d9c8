"""The appointment book: resources, appointments and their items (docs/appointments.md).

Times are stored in UTC (`start_at`, `end_at`) and shown in the branch's time zone. No staff
member is booked twice for overlapping time and no resource more often at once than its count:
on PostgreSQL two exclusion constraints say so (migration 0002, `btree_gist`), on SQLite the
booking services check inside the IMMEDIATE write lock (`appointments.conflicts`).
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from liuke.accounts.models import Branch, Business, User
from liuke.appointments.choices import (
    AppointmentSource,
    AppointmentStatus,
    ResourceKind,
    WaitlistStatus,
)
from liuke.core.models import TimeStampedModel
from liuke.customers.models import Customer
from liuke.sales.models import Service, Visit


class Resource(TimeStampedModel):
    """A limited thing a service needs at a branch: a room, a bed (美容床), a device (仪器);
    `count` of them can be in use at once (each booking holds one unit, 0 … count-1)."""

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="+")
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=10, choices=ResourceKind.choices)
    count = models.PositiveSmallIntegerField(_("how many"), default=1)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["branch_id", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "name"], name="resource_name_unique"),
            models.CheckConstraint(
                condition=Q(count__gte=1) & Q(count__lte=100), name="resource_count_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ServiceResource(models.Model):
    """A resource a service needs: any resource of `kind` at the branch, or one named resource.
    A booking of the service without a resource given takes a free unit of one."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=ResourceKind.choices)
    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("resource a service needs")
        verbose_name_plural = _("resources services need")
        constraints = [
            models.UniqueConstraint(fields=["service", "kind"], name="service_resource_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.service_id}: {self.kind}"


class BookingSettings(models.Model):
    """A business's booking rules. Without a row the defaults hold (`selectors.booking_rules`)."""

    business = models.OneToOneField(Business, on_delete=models.CASCADE, related_name="+")
    #: A cancellation later than this before the start counts as late (against the customer).
    cancel_notice_hours = models.PositiveSmallIntegerField(
        _("cancellation notice (hours)"), default=24
    )
    #: The public booking page takes bookings (docs/appointments.md, "Online booking").
    online_enabled = models.BooleanField(_("online booking"), default=False)
    #: How far ahead a customer may book online.
    online_days_ahead = models.PositiveSmallIntegerField(_("bookable days ahead"), default=30)
    #: The earliest an online booking may start, from now.
    online_min_notice_hours = models.PositiveSmallIntegerField(
        _("minimum notice (hours)"), default=2
    )
    #: An online booking waits for the front desk to confirm it before the customer is told.
    online_needs_confirmation = models.BooleanField(
        _("front desk confirms online bookings"), default=False
    )
    #: The reminder goes this many hours before the start (0: no reminder).
    reminder_hours = models.PositiveSmallIntegerField(_("reminder (hours before)"), default=24)
    #: The staff's calendar feeds show the customer's full name (else the surname and 女士/先生).
    calendar_shows_names = models.BooleanField(_("calendar feeds show full names"), default=False)
    #: After this many no-shows and late cancellations a customer is under the policy below
    #: (shown on their profile and when they are booked); 0: no policy.
    missed_limit = models.PositiveSmallIntegerField(
        _("missed appointments before the policy applies"), default=2
    )
    #: What the front desk reads about such a customer ("ask for a deposit", "call first").
    missed_note = models.CharField(_("note for the front desk"), max_length=200, blank=True)
    #: Such a customer books only with a deposit (the front desk takes it).
    missed_deposit = models.BooleanField(_("deposit required"), default=False)

    class Meta:
        verbose_name = _("booking settings")
        verbose_name_plural = _("booking settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(online_days_ahead__gte=1) & Q(online_days_ahead__lte=365),
                name="booking_days_ahead_range",
            ),
            models.CheckConstraint(
                condition=Q(online_min_notice_hours__lte=168), name="booking_min_notice_range"
            ),
            models.CheckConstraint(
                condition=Q(reminder_hours__lte=168), name="booking_reminder_range"
            ),
        ]

    def __str__(self) -> str:
        return str(self.business_id)


class Appointment(TimeStampedModel):
    """A customer's booking at a branch: one or several items (services), in sequence or in
    parallel, each with its staff member and resource."""

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="+")
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="appointments")
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.BOOKED,
    )
    source = models.CharField(
        _("source"), max_length=10, choices=AppointmentSource.choices, default="desk"
    )
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    #: The earliest item's start: the day and the late-cancellation window go by it.
    starts_at = models.DateTimeField(_("starts at"))
    cancelled_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("why cancelled"), max_length=200, blank=True)
    #: Cancelled by the customer inside the business's notice window.
    late_cancellation = models.BooleanField(_("late cancellation"), default=False)
    #: Booked or moved outside the branch's opening hours by a manager's explicit override.
    outside_hours = models.BooleanField(_("outside opening hours"), default=False)
    #: The visit it became at checkout (`services.checkout`).
    visit = models.ForeignKey(
        Visit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    #: The visit at whose checkout this appointment was booked (rebooking: the next visit
    #: booked before the customer leaves).
    rebooked_at = models.ForeignKey(
        Visit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        indexes = [
            models.Index(fields=["branch", "starts_at"], name="appt_branch_start"),
            models.Index(fields=["customer", "starts_at"], name="appt_customer_start"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"


class AppointmentItem(TimeStampedModel):
    """One service of an appointment: who performs it, on which resource unit, from when to
    when (UTC). `active` is off once the appointment is cancelled or a no-show: such items hold
    no time (the exclusion constraints are partial on it)."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="items")
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    resource = models.ForeignKey(
        Resource, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resource_unit = models.PositiveSmallIntegerField(null=True, blank=True)
    start_at = models.DateTimeField(_("starts at"))
    end_at = models.DateTimeField(_("ends at"))
    #: The processing gap inside [start_at, end_at): the staff member is free in it, the chair
    #: and the resource are not (`timing.item_gap`). Both empty for a service without one.
    gap_start_at = models.DateTimeField(null=True, blank=True)
    gap_end_at = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("appointment item")
        verbose_name_plural = _("appointment items")
        ordering = ["start_at", "pk"]
        indexes = [
            models.Index(fields=["branch", "start_at"], name="appt_item_branch_start"),
            models.Index(fields=["staff", "start_at"], name="appt_item_staff_start"),
            models.Index(fields=["resource", "start_at"], name="appt_item_resource_start"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end_at__gt=F("start_at")), name="appt_item_order"),
            models.CheckConstraint(
                condition=Q(resource__isnull=True, resource_unit__isnull=True)
                | Q(resource__isnull=False, resource_unit__isnull=False),
                name="appt_item_unit_with_resource",
            ),
            models.CheckConstraint(
                condition=Q(gap_start_at__isnull=True, gap_end_at__isnull=True)
                | Q(
                    gap_start_at__gt=F("start_at"),
                    gap_end_at__gt=F("gap_start_at"),
                    gap_end_at__lte=F("end_at"),
                ),
                name="appt_item_gap_inside",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.appointment_id}/{self.pk}"

    @property
    def gap(self) -> tuple[dt.datetime, dt.datetime] | None:
        if self.gap_start_at is None or self.gap_end_at is None:
            return None
        return self.gap_start_at, self.gap_end_at


# --- the customer's side: online booking, its codes, confirmation links, calendar feeds --------


class OnlinePage(TimeStampedModel):
    """A branch's public booking page: its link holds a random token (signed; renewing it
    retires the printed QR codes of the old one)."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="+")
    branch = models.OneToOneField(Branch, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=40, unique=True)

    class Meta:
        verbose_name = _("online booking page")
        verbose_name_plural = _("online booking pages")

    def __str__(self) -> str:
        return str(self.branch_id)


class OnlineCode(models.Model):
    """A one-time code sent to a mobile number that asked to book online. Only keyed hashes
    are kept: of the number, of the asking address and of the code; `attempts` counts wrong
    guesses (the code dies at the limit). The rows of the last day are also the rate limits per
    number and per address (`appointments.public.codes`)."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="+")
    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="+")
    mobile_hash = models.CharField(max_length=64)
    address_hash = models.CharField(max_length=64)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")
        indexes = [
            models.Index(fields=["mobile_hash", "created_at"], name="online_code_mobile"),
            models.Index(fields=["address_hash", "created_at"], name="online_code_address"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"


class ConfirmLink(models.Model):
    """The link in a reminder that confirms the appointment: only the token's hash is kept."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("confirmation link")
        verbose_name_plural = _("confirmation links")

    def __str__(self) -> str:
        return f"#{self.pk}"


class CalendarFeed(TimeStampedModel):
    """A staff member's iCalendar feed: a secret URL of which only the token's hash is kept;
    revoking deletes the row, renewing replaces the token."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="+")
    staff = models.OneToOneField(User, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    last_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.staff_id)


class WaitlistEntry(TimeStampedModel):
    """A customer who wants a time that is taken: a service, a staff member (or anyone who
    performs it), between two days and two times of day on the branch's clock. When a matching
    time frees the entries are offered it in the order they came (`services.waitlist`)."""

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="+")
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="+")
    #: (a reverse name: erasure finds the rows of a person through it)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="waitlist_entries"
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    #: None: anyone who performs the service.
    staff = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    first_day = models.DateField(_("from day"))
    last_day = models.DateField(_("until day"))
    earliest = models.TimeField(_("not before"))
    latest = models.TimeField(_("done by"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=WaitlistStatus.choices, default=WaitlistStatus.WAITING
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    #: The time offered (UTC) and with whom, while the status is `offered`.
    offered_at = models.DateTimeField(_("offered"), null=True, blank=True)
    offer_start = models.DateTimeField(_("time offered"), null=True, blank=True)
    offer_staff = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    appointment = models.ForeignKey(
        Appointment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("waitlist entry")
        verbose_name_plural = _("waitlist")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["branch", "status", "first_day"], name="waitlist_branch_open"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_day__gte=F("first_day")), name="waitlist_days_order"
            ),
            models.CheckConstraint(
                condition=Q(latest__gt=F("earliest")), name="waitlist_times_order"
            ),
        ]

    def __str__(self) -> str:
        return f"waitlist {self.pk}"

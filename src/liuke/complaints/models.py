"""Complaint cases handled in the source text's ten steps, their agreed actions, resolutions
(redo, refund or exchange through the sales ledger, compensation, apology), the timers against
the business's targets, and what was fixed afterwards.

Rows that point at a customer carry the customer (and the case its business and branch), so
the policy scopes them without a join and a customer's erasure blanks their notes. Every write
goes through `liuke.complaints.services`; nothing happens in `save()`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from liuke.accounts.choices import Role
from liuke.accounts.models import Branch, Business
from liuke.complaints.choices import (
    ActionSide,
    Channel,
    ResolutionKind,
    ResolutionStatus,
    Severity,
    Status,
    Step,
)
from liuke.core.models import CatalogueEntry, TimeStampedModel
from liuke.customers.models import Customer


class ComplaintCause(CatalogueEntry):
    """Why the customer is unhappy: a taxonomy per business, seeded from the source text's
    list (broken promise, rudeness, two staff saying different things …); managers extend it."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("complaint cause")
        verbose_name_plural = _("complaint causes")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["business", "code"], name="complaint_cause_code"),
        ]


class ComplaintSettings(TimeStampedModel):
    """A business's complaint targets (per severity), when to escalate, the word-of-mouth
    factors (1 tells `wom_first`, each tells `wom_second`) and the recovery window."""

    business = models.OneToOneField(Business, on_delete=models.CASCADE, related_name="+")
    response_low_min = models.PositiveIntegerField(_("first response, low (minutes)"))
    response_medium_min = models.PositiveIntegerField(_("first response, medium (minutes)"))
    response_high_min = models.PositiveIntegerField(_("first response, high (minutes)"))
    response_critical_min = models.PositiveIntegerField(_("first response, critical (minutes)"))
    resolution_low_h = models.PositiveIntegerField(_("resolution, low (hours)"))
    resolution_medium_h = models.PositiveIntegerField(_("resolution, medium (hours)"))
    resolution_high_h = models.PositiveIntegerField(_("resolution, high (hours)"))
    resolution_critical_h = models.PositiveIntegerField(_("resolution, critical (hours)"))
    warn_pct = models.PositiveSmallIntegerField(
        _("escalate when this share of a target has passed (%)"), default=75
    )
    escalate_severity = models.CharField(
        _("escalate at once from severity"),
        max_length=10,
        choices=Severity.choices,
        default=Severity.HIGH,
    )
    wom_first = models.PositiveSmallIntegerField(_("an unhappy customer tells"), default=11)
    wom_second = models.PositiveSmallIntegerField(_("each of them tells"), default=5)
    recovery_days = models.PositiveSmallIntegerField(
        _("recovery window after closing (days)"), default=90
    )

    class Meta:
        verbose_name = _("complaint settings")
        verbose_name_plural = _("complaint settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(warn_pct__gte=1, warn_pct__lte=100), name="complaint_warn_pct_range"
            ),
        ]

    def __str__(self) -> str:
        return str(self.business_id)

    @property
    def reach(self) -> int:
        """How many people one unhappy customer's story may reach (1 + 11 + 11 × 5 = 67)."""
        return 1 + self.wom_first + self.wom_first * self.wom_second


class CompensationLimit(TimeStampedModel):
    """The compensation (refund, voucher, card bonus, redo value) a role may give without a
    manager's approval, in fen. No row for a role: the default in `defaults`."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    limit_fen = models.PositiveIntegerField(_("limit (fen)"), null=True, blank=True)

    class Meta:
        verbose_name = _("compensation limit")
        verbose_name_plural = _("compensation limits")
        constraints = [
            models.UniqueConstraint(fields=["business", "role"], name="compensation_limit_role"),
        ]

    def __str__(self) -> str:
        return f"{self.role} {self.limit_fen}"


class Complaint(TimeStampedModel):
    """One complaint case: who, where, about which visit and staff member, how bad, why, in
    the customer's words; who handles it; its timers and what happened after it closed.

    The timers: `response_due_at` / `resolution_due_at` (and the `*_warn_at` moments when a
    target is about to be missed) are set when the case opens and pushed back by the time the
    case waited for the customer (`paused_at`, `paused_seconds`)."""

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="+")
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="complaints")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    cause = models.ForeignKey(
        ComplaintCause,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("cause"),
    )
    description = models.TextField(_("in the customer's words"), max_length=4000)
    visit = models.ForeignKey(
        "sales.Visit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("visit concerned"),
    )
    service = models.ForeignKey(
        "sales.Service",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("service concerned"),
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("staff member concerned"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened"))
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    response_due_at = models.DateTimeField(_("first response due"))
    resolution_due_at = models.DateTimeField(_("resolution due"))
    response_warn_at = models.DateTimeField()
    resolution_warn_at = models.DateTimeField()
    paused_at = models.DateTimeField(_("waiting for the customer since"), null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(default=0)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("escalated to"),
    )
    escalation_reason = models.CharField(max_length=20, blank=True)
    response_breached_at = models.DateTimeField(null=True, blank=True)
    resolution_breached_at = models.DateTimeField(null=True, blank=True)
    restated_problem = models.TextField(_("the problem as restated"), max_length=2000, blank=True)
    restatement_confirmed_at = models.DateTimeField(null=True, blank=True)
    summary = models.TextField(_("summary of the agreed actions"), max_length=2000, blank=True)
    cause_fix = models.TextField(
        _("what changed so it does not happen again"), max_length=2000, blank=True
    )
    cause_fix_at = models.DateTimeField(null=True, blank=True)
    cause_fix_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    customer_told_at = models.DateTimeField(_("customer told"), null=True, blank=True)
    customer_told_note = models.CharField(
        _("how the customer was told"), max_length=500, blank=True
    )

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["business", "status", "opened_at"], name="complaint_biz_status"),
            models.Index(fields=["branch", "status"], name="complaint_branch_status"),
            models.Index(fields=["customer", "opened_at"], name="complaint_customer"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="closed") | Q(closed_at__isnull=True),
                name="complaint_closed_at_only_closed",
            ),
            models.CheckConstraint(
                # the texts themselves are checked by the service: a customer's erasure
                # blanks them on a closed case
                condition=~Q(status="closed")
                | Q(restatement_confirmed_at__isnull=False, closed_at__isnull=False),
                name="complaint_closed_has_restatement_and_summary",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.customer_id} {self.status}"

    @property
    def is_unresolved(self) -> bool:
        return self.status in (Status.OPEN, Status.WAITING)


class ComplaintStep(TimeStampedModel):
    """One of the ten steps, done: when, by whom, with a note. Done once each (recording it
    again replaces the note); the steps can be spread over days."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="steps")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="complaint_steps")
    step = models.PositiveSmallIntegerField(_("step"), choices=Step.choices)
    done_at = models.DateTimeField(_("done"))
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.TextField(_("note"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("complaint step")
        verbose_name_plural = _("complaint steps")
        ordering = ["step"]
        constraints = [
            models.UniqueConstraint(fields=["complaint", "step"], name="complaint_step_once"),
            models.CheckConstraint(
                condition=Q(step__gte=1, step__lte=10), name="complaint_step_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id}/{self.step}"


class ComplaintAction(TimeStampedModel):
    """An agreed action: ours (with an owner and a due day, which puts a task on the owner's
    list through the engagement app) or the customer's (come back for the redo, send a photo)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="actions")
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="complaint_actions"
    )
    side = models.CharField(_("whose"), max_length=10, choices=ActionSide.choices)
    text = models.CharField(_("action"), max_length=500)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    task = models.ForeignKey(
        "engagement.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("agreed action")
        verbose_name_plural = _("agreed actions")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text


class ComplaintResolution(TimeStampedModel):
    """What the customer was given: a redo, a refund or exchange (the sales ledger's `Refund`
    and new `Visit`), a voucher, a bonus on a card (the card's ledger entry), or an apology.

    Above the actor's compensation limit it waits for a manager (`pending`); it is applied
    (the money moved) when it is approved."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="resolutions")
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="complaint_resolutions"
    )
    kind = models.CharField(_("resolution"), max_length=12, choices=ResolutionKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=ResolutionStatus.choices)
    amount_fen = models.PositiveIntegerField(_("value (fen)"), default=0)
    note = models.CharField(_("note"), max_length=500, blank=True)
    voucher_code = models.CharField(_("voucher code"), max_length=40, blank=True)
    visit = models.ForeignKey(
        "sales.Visit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("visit"),
    )
    line = models.ForeignKey(
        "sales.VisitLine", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    card = models.ForeignKey(
        "sales.StoredValueCard", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    refund = models.ForeignKey(
        "sales.Refund", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    card_entry = models.ForeignKey(
        "sales.CardEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    exchange = models.JSONField(default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=500, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "id"], name="complaint_resolution_status")]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.kind} {self.status}"

"""Contacts, callback tasks, follow-ups (回访), reminders and the outbox.

Rows that point at a customer carry `business` and `branch` too, so the daily jobs can write
them set-based (INSERT … SELECT) and the lists can be scoped by the policy without a join.
Idempotency lives in the database: every row a job writes has a unique key (a follow-up per
visit and rule, a task or message per customer, kind and occasion), so a job that runs twice,
or is stopped half-way and run again, adds nothing twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from liuke.accounts.models import Branch, Business
from liuke.core.bilingual import bilingual
from liuke.core.models import CatalogueEntry, TimeStampedModel
from liuke.core.stored_text import MessageTextField
from liuke.customers.models import Customer
from liuke.engagement.choices import (
    Channel,
    Direction,
    FollowUpOutcome,
    FollowUpStatus,
    MessageKind,
    MessageStatus,
    Outcome,
    TaskKind,
    TaskStatus,
)
from liuke.sales.choices import ServiceCategory


class ContactReason(CatalogueEntry):
    """Why customers contact us, with the best response phrased as a solution (P3, P12).

    Catalogue data managed by managers, in both languages, per business."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="+")
    response_zh = models.TextField(_("best response (Chinese)"), max_length=1000)
    response_en = models.TextField(_("best response (English)"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("contact reason")
        verbose_name_plural = _("contact reasons")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["business", "code"], name="contact_reason_code_unique"),
        ]

    @property
    def best_response(self) -> str:
        return bilingual(self.response_zh, self.response_en)


class Contact(TimeStampedModel):
    """One contact with a customer: a call, a message, a walk-in or a conversation in a visit."""

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="+")
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="contacts")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    reason = models.ForeignKey(
        ContactReason, on_delete=models.PROTECT, related_name="contacts", verbose_name=_("reason")
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    notes = models.TextField(_("notes"), max_length=2000, blank=True)
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField(_("when"))
    wait_seconds = models.PositiveIntegerField(_("customer waited (seconds)"), default=0)
    handle_seconds = models.PositiveIntegerField(_("took (seconds)"), default=0)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-occurred_at"], name="contact_cust_time"),
            models.Index(fields=["business", "occurred_at"], name="contact_biz_time"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.channel} {self.occurred_at:%Y-%m-%d}"


class Task(TimeStampedModel):
    """Something a staff member must do for a customer by a due time: call back an unresolved
    or unanswered contact, win back a lapsed customer, remind about unused package sessions.

    `key` names the occasion (the contact, the last visit day, the package), unique per
    customer and kind: the daily job cannot create the same task twice."""

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="+")
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="tasks")
    kind = models.CharField(_("kind"), max_length=20, choices=TaskKind.choices)
    key = models.CharField(max_length=40)
    contact = models.ForeignKey(
        Contact, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    due_at = models.DateTimeField(_("due"))
    status = models.CharField(
        _("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    #: typed by staff, or a stored message (core.stored_text) that reads in the reader's language
    note = MessageTextField(_("note"), max_length=500, blank=True)

    #: Set by the list selectors, not stored: the customer's mobile as the viewer may see it,
    #: and the full number for a `tel:` link when they may call it (`policy.present_work_mobile`).
    phone: str = ""
    tel: str = ""

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["branch", "status", "due_at"], name="task_branch_status_due"),
            models.Index(fields=["assignee", "status", "due_at"], name="task_assignee_status_due"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "kind", "key"], name="task_occasion_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.customer_id} {self.key}"


class FollowUpRule(TimeStampedModel):
    """Follow up a visit `day` days later (回访), for visits with a service of `category` (or
    every visit when the category is empty). Defaults: day 1 comfort check, day 7 result
    check, day 30 rebooking call."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="+")
    category = models.CharField(
        _("service category"), max_length=20, choices=ServiceCategory.choices, blank=True
    )
    day = models.PositiveSmallIntegerField(_("days after the visit"))
    purpose_zh = models.CharField(_("purpose (Chinese)"), max_length=60)
    purpose_en = models.CharField(_("purpose (English)"), max_length=80, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("follow-up rule")
        verbose_name_plural = _("follow-up rules")
        ordering = ["category", "day"]
        constraints = [
            models.UniqueConstraint(
                fields=["business", "category", "day"], name="followup_rule_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(day__gte=1, day__lte=365), name="followup_rule_day_range"
            ),
        ]

    def __str__(self) -> str:
        return self.purpose

    @property
    def purpose(self) -> str:
        return bilingual(self.purpose_zh, self.purpose_en)


class FollowUp(TimeStampedModel):
    """One follow-up of one visit under one rule. Done with an outcome and a note, or
    rescheduled (`due_on` moves; `planned_on` keeps the rule's day for the on-time rate)."""

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="+")
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="followups")
    visit = models.ForeignKey("sales.Visit", on_delete=models.PROTECT, related_name="+")
    rule = models.ForeignKey(FollowUpRule, on_delete=models.PROTECT, related_name="followups")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    planned_on = models.DateField(_("planned for"))
    due_on = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=FollowUpOutcome.choices, blank=True
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    reschedules = models.PositiveSmallIntegerField(default=0)
    #: Calls that went unanswered and were tried again (`BranchReminderSettings.no_answer_*`).
    attempts = models.PositiveSmallIntegerField(_("unanswered calls"), default=0)
    done_at = models.DateTimeField(null=True, blank=True)
    done_on = models.DateField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    #: Set by the list selectors, not stored: the customer's mobile as the viewer may see it,
    #: and the full number for a `tel:` link when they may call it (`policy.present_work_mobile`).
    phone: str = ""
    tel: str = ""

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["assignee", "status", "due_on"], name="fu_assignee_status_due"),
            models.Index(fields=["branch", "status", "due_on"], name="fu_branch_status_due"),
            models.Index(fields=["customer", "status"], name="fu_customer_status"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["visit", "rule"], name="followup_visit_rule_unique"),
            models.CheckConstraint(
                condition=models.Q(status="open") | ~models.Q(outcome=""),
                name="followup_done_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.visit_id}/{self.rule_id} {self.due_on}"


class BranchReminderSettings(TimeStampedModel):
    """How a branch's daily reminders are tuned (defaults apply when a branch has none)."""

    branch = models.OneToOneField(Branch, on_delete=models.CASCADE, related_name="+")
    birthday_days_ahead = models.PositiveSmallIntegerField(_("birthday: days ahead"), default=7)
    lapsed_margin_pct = models.PositiveSmallIntegerField(
        _("lapsed: margin over the customer's own interval (%)"), default=50
    )
    lapsed_default_days = models.PositiveSmallIntegerField(
        _("lapsed: days without a visit for customers with one visit"), default=90
    )
    expiry_days_ahead = models.PositiveSmallIntegerField(
        _("cards and packages: days before expiry"), default=14
    )
    rebooking_days_ahead = models.PositiveSmallIntegerField(_("rebooking: days ahead"), default=1)
    no_answer_retries = models.PositiveSmallIntegerField(
        _("follow-ups: tries again after no answer"), default=2
    )
    no_answer_retry_days = models.PositiveSmallIntegerField(
        _("follow-ups: days before trying again"), default=1
    )

    class Meta:
        verbose_name = _("reminder settings")
        verbose_name_plural = _("reminder settings")

    def __str__(self) -> str:
        return str(self.branch_id)

    @classmethod
    def for_branch(cls, branch_id: int) -> BranchReminderSettings:
        """A branch's settings, or the defaults (unsaved) when it has none yet."""
        found = cls.objects.filter(branch_id=branch_id).first()
        return found or cls(branch_id=branch_id)


class MessageTemplate(TimeStampedModel):
    """The text of one kind of message in both languages, with placeholders: {name},
    {first_name}, {branch}, {date}, {sessions}, {package}."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=MessageKind.choices)
    body_zh = models.TextField(_("text (Chinese)"), max_length=500)
    body_en = models.TextField(_("text (English)"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        constraints = [
            models.UniqueConstraint(fields=["business", "kind"], name="message_template_unique"),
        ]

    def __str__(self) -> str:
        return self.kind


class Message(TimeStampedModel):
    """A message to a customer, queued by the daily job and sent through a channel.

    The text is rendered from the template when the channel takes it (so a template fixed
    today applies to what is still queued). `key` names the occasion, unique per customer and
    kind."""

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="+")
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="messages")
    kind = models.CharField(_("kind"), max_length=20, choices=MessageKind.choices)
    key = models.CharField(max_length=40)
    is_marketing = models.BooleanField(_("marketing"))
    channel = models.CharField(_("channel"), max_length=20, default="outbox")
    occasion_on = models.DateField(_("for the day"))
    detail = models.CharField(max_length=100, blank=True)
    body = models.TextField(_("text"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    status_note = MessageTextField(max_length=200, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # --- delivery (liuke.engagement.delivery): why it is sent, and how sending went
    #: why the customer gets this message (a stored message, read in the reader's language)
    reason = MessageTextField(_("reason"), max_length=200, blank=True, db_default="")
    #: the provider's id of the sent message (Alibaba's BizId, Tencent's SerialNo)
    # db defaults: the daily jobs write messages set-based (INSERT … SELECT) naming their columns
    provider_id = models.CharField(max_length=64, blank=True, db_default="")
    attempts = models.PositiveSmallIntegerField(default=0, db_default=0)
    #: not before this moment (back-off after a temporary error, the end of quiet hours)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    #: when a worker took the message to send it; an attempt still open long after is one
    #: whose worker died (`delivery.stalled_settle`)
    attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "id"], name="message_status"),
            models.Index(fields=["branch", "status", "created_at"], name="message_branch_status"),
            models.Index(fields=["provider_id"], name="message_provider_id"),
            models.Index(fields=["customer", "is_marketing", "sent_at"], name="message_cust_sent"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "kind", "key"], name="message_occasion_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.customer_id} {self.key}"


class ProspectCall(TimeStampedModel):
    """A call from a number that is no customer yet (一个陌生来电): its reason is recorded like
    every contact's, it is listed for a call back, and it becomes a `Contact` of the customer the
    caller turns into (`engagement.services.prospects.prospect_convert`), with every other call
    from the same number.

    The number is personal data: shown in full only to staff who may log contacts in the branch,
    every read audited, never written to a log; `mobile_last4` finds it by the last four digits.
    """

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="+")
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=50, blank=True)
    mobile = models.CharField(_("mobile"), max_length=11)
    mobile_last4 = models.CharField(max_length=4, editable=False)
    reason = models.ForeignKey(
        ContactReason, on_delete=models.PROTECT, related_name="+", verbose_name=_("reason")
    )
    notes = models.TextField(_("notes"), max_length=2000, blank=True)
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField(_("when"))
    #: Set when the caller became (or was found to be) a customer: the call is then their contact.
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="prospect_calls",
    )
    contact = models.OneToOneField(
        Contact, on_delete=models.PROTECT, null=True, blank=True, related_name="prospect_call"
    )
    converted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("call from a prospect")
        verbose_name_plural = _("calls from prospects")
        indexes = [
            models.Index(fields=["business", "mobile"], name="prospect_biz_mobile"),
            models.Index(fields=["branch", "converted_at", "occurred_at"], name="prospect_open"),
        ]

    def __str__(self) -> str:
        return f"{self.branch_id} {self.occurred_at:%Y-%m-%d}"


# The delivery tables live in their own module (channels, rules, opt-outs, receipts).
from liuke.engagement.delivery_models import (  # noqa: E402
    ChannelAccount,
    ChannelOptOut,
    DeliveryReceipt,
    DeliverySettings,
)

__all__ = [
    "BranchReminderSettings",
    "ChannelAccount",
    "ChannelOptOut",
    "CodeMessage",
    "Contact",
    "ContactReason",
    "DeliveryReceipt",
    "DeliverySettings",
    "FollowUp",
    "FollowUpRule",
    "Message",
    "MessageTemplate",
    "ProspectCall",
    "Task",
]


class CodeMessage(TimeStampedModel):
    """A one-time code to a mobile number that is not (yet) a customer's: the number proves
    itself before it books online (`engagement.services.codes`). The dispatch hands it to its
    channel; the number and the text are kept only until then (blanked once handed over or
    expired), the keyed hash and the last four digits stay for the record."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="+")
    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(_("channel"), max_length=20, default="sms")
    mobile = models.CharField(max_length=11, blank=True)
    mobile_hash = models.CharField(max_length=64)
    mobile_last4 = models.CharField(max_length=4)
    text = models.CharField(max_length=200, blank=True)
    expires_at = models.DateTimeField()
    status = models.CharField(
        _("status"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    status_note = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("code message")
        verbose_name_plural = _("code messages")
        indexes = [models.Index(fields=["status", "id"], name="code_message_status")]

    def __str__(self) -> str:
        return f"#{self.pk}"

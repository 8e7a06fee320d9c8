"""Surveys after visits, the suggestion box, conversations with customers and "you said, we
did" notices.

A survey invitation is written for a visit by the survey job (set-based, one per visit) and
carries an opaque random token; the message that takes the link to the customer goes through
the engagement outbox. The answer link is that token signed with the secret key, checked
before any database read; the invitation is answered once (`answered_at`), then the link is
dead. No personal data is in any URL.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from liuke.accounts.models import Branch, Business
from liuke.core.models import TimeStampedModel
from liuke.customers.models import Customer
from liuke.feedback.choices import ConversationKind, SuggestionStatus


class SurveySettings(TimeStampedModel):
    """How a business asks for feedback: which questions, how long after a visit, how often one
    customer may be asked, and how long a link stays valid (defaults apply when none is saved)."""

    business = models.OneToOneField(Business, on_delete=models.CASCADE, related_name="+")
    is_enabled = models.BooleanField(_("send surveys after visits"), default=True)
    ask_satisfaction = models.BooleanField(_("ask: satisfaction (1–5)"), default=True)
    ask_recommend = models.BooleanField(_("ask: would recommend us (0–10)"), default=True)
    ask_ease = models.BooleanField(_("ask: how easy it was (1–5)"), default=True)
    ask_staff = models.BooleanField(_("ask: rating of the staff member who served"), default=True)
    ask_comment = models.BooleanField(_("ask: anything else to tell us"), default=True)
    delay_hours = models.PositiveSmallIntegerField(_("hours after the visit"), default=2)
    cooldown_days = models.PositiveSmallIntegerField(
        _("ask one customer at most once in (days)"), default=30
    )
    valid_days = models.PositiveSmallIntegerField(_("link valid for (days)"), default=14)

    class Meta:
        verbose_name = _("survey settings")
        verbose_name_plural = _("survey settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(delay_hours__lte=168), name="survey_settings_delay_range"
            ),
            models.CheckConstraint(
                condition=Q(cooldown_days__lte=365), name="survey_settings_cooldown_range"
            ),
            models.CheckConstraint(
                condition=Q(valid_days__gte=1, valid_days__lte=60),
                name="survey_settings_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return str(self.business_id)


class SurveyInvitation(TimeStampedModel):
    """One survey about one visit: its token (the secret half of the public link), when it
    expires and when it was answered (once)."""

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="+")
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="survey_invitations"
    )
    visit = models.OneToOneField(
        "sales.Visit", on_delete=models.PROTECT, related_name="survey_invitation"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("served by"),
    )
    #: Random (128 bits), set by the job right after the row is written; NULL until then.
    token = models.CharField(max_length=32, null=True, blank=True, unique=True)
    expires_at = models.DateTimeField(_("expires"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        indexes = [
            models.Index(fields=["customer", "created_at"], name="survey_inv_cust_time"),
            models.Index(fields=["branch", "created_at"], name="survey_inv_branch_time"),
        ]

    def __str__(self) -> str:
        return f"survey {self.pk} visit {self.visit_id}"


class SurveyResponse(TimeStampedModel):
    """A customer's answer to a survey. Every score is optional (the business chooses the
    questions; the customer may skip one) but at least one is given."""

    invitation = models.OneToOneField(
        SurveyInvitation, on_delete=models.PROTECT, related_name="response"
    )
    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="+")
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="survey_responses"
    )
    visit = models.ForeignKey("sales.Visit", on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("served by"),
    )
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction (1–5)"), null=True)
    recommend = models.PositiveSmallIntegerField(_("would recommend (0–10)"), null=True)
    ease = models.PositiveSmallIntegerField(_("ease (1–5)"), null=True)
    staff_rating = models.PositiveSmallIntegerField(_("staff rating (1–5)"), null=True)
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    wants_contact = models.BooleanField(_("asks to be contacted"), default=False)
    #: The customer asked for a complaint to be opened (route_detractor records it; the
    #: complaints app takes it from there).
    complaint_requested = models.BooleanField(_("asks for a complaint"), default=False)
    is_detractor = models.BooleanField(_("detractor"), default=False)
    #: The complaint case opened because the customer asked for one (complaints app).
    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    followup_task = models.ForeignKey(
        "engagement.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered"))

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        ordering = ["-answered_at", "-id"]
        indexes = [
            models.Index(fields=["business", "answered_at"], name="survey_resp_biz_time"),
            models.Index(fields=["customer", "answered_at"], name="survey_resp_cust_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True)
                | Q(satisfaction__gte=1, satisfaction__lte=5),
                name="survey_resp_satisfaction_range",
            ),
            models.CheckConstraint(
                condition=Q(recommend__isnull=True) | Q(recommend__gte=0, recommend__lte=10),
                name="survey_resp_recommend_range",
            ),
            models.CheckConstraint(
                condition=Q(ease__isnull=True) | Q(ease__gte=1, ease__lte=5),
                name="survey_resp_ease_range",
            ),
            models.CheckConstraint(
                condition=Q(staff_rating__isnull=True)
                | Q(staff_rating__gte=1, staff_rating__lte=5),
                name="survey_resp_staff_range",
            ),
        ]

    def __str__(self) -> str:
        return f"answer {self.pk}"


class SuggestionBox(TimeStampedModel):
    """A branch's suggestion box: the public form is reached by its opaque token (printed as a
    QR code in the shop), never by the branch id. A new token retires the old printout."""

    branch = models.OneToOneField(Branch, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=32, unique=True)
    is_open = models.BooleanField(_("accepting suggestions"), default=True)

    class Meta:
        verbose_name = _("suggestion box")
        verbose_name_plural = _("suggestion boxes")

    def __str__(self) -> str:
        return str(self.branch_id)


class Suggestion(TimeStampedModel):
    """A suggestion left in a branch's box, anonymous or with a name and phone given
    voluntarily; a manager reads it and marks what was done."""

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="+")
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("suggestion"), max_length=2000)
    contact_name = models.CharField(_("name (optional)"), max_length=40, blank=True)
    contact_phone = models.CharField(_("phone (optional)"), max_length=20, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=SuggestionStatus.choices, default=SuggestionStatus.NEW
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["branch", "status", "created_at"], name="suggestion_branch_st"),
        ]

    def __str__(self) -> str:
        return f"suggestion {self.pk}"

    @property
    def is_anonymous(self) -> bool:
        return not (self.contact_name or self.contact_phone)


class Conversation(TimeStampedModel):
    """A focus group or a face-to-face conversation with customers: what was said, who took
    part (participants link the notes to each customer's file)."""

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="+")
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=ConversationKind.choices)
    held_on = models.DateField(_("held on"))
    topic = models.CharField(_("topic"), max_length=200)
    notes = models.TextField(_("notes"), max_length=4000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.topic


class ConversationParticipant(models.Model):
    """A customer who took part in a conversation."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="participants"
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="feedback_conversations"
    )

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "customer"], name="conversation_participant_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.conversation_id}/{self.customer_id}"


class Improvement(TimeStampedModel):
    """A "you said, we did" notice: what changed because of feedback, linked to the answers
    and suggestions that asked for it; `notified_at` when the customers who raised it were
    told (through the outbox, consent honoured)."""

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="+")
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    you_said = models.CharField(_("you said"), max_length=300)
    we_did = models.CharField(_("we did"), max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    responses = models.ManyToManyField(SurveyResponse, blank=True, related_name="improvements")
    suggestions = models.ManyToManyField(Suggestion, blank=True, related_name="improvements")
    notified_at = models.DateTimeField(_("customers told"), null=True, blank=True)
    notified_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("you said, we did")
        verbose_name_plural = _("you said, we did")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.we_did


class RateCounter(models.Model):
    """Submissions per (hashed client address, kind of page) and time window: the rate limit
    of the public pages, in the database so that every app server counts in one place."""

    key_hash = models.CharField(max_length=64)
    slot = models.BigIntegerField()
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("rate counter")
        verbose_name_plural = _("rate counters")
        constraints = [
            models.UniqueConstraint(fields=["key_hash", "slot"], name="rate_counter_unique"),
        ]
        indexes = [models.Index(fields=["slot"], name="rate_counter_slot")]

    def __str__(self) -> str:
        return f"{self.key_hash[:8]} {self.slot}"

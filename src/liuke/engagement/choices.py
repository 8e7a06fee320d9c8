from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone call")
    WECHAT = "wechat", _("WeChat")
    SMS = "sms", _("SMS")
    WALK_IN = "walk_in", pgettext_lazy("contact channel", "Walk-in")
    VISIT = "visit", _("Conversation during a visit")


class Direction(models.TextChoices):
    INBOUND = "in", _("Inbound")
    OUTBOUND = "out", _("Outbound")


class Outcome(models.TextChoices):
    RESOLVED = "resolved", _("Resolved")
    CALLBACK = "callback", _("Callback needed")
    NO_ANSWER = "no_answer", _("No answer")
    BOOKED = "booked", _("Booked")
    COMPLAINT = "complaint", _("Complaint opened")


#: Outcomes that leave the customer waiting for us: they become callback tasks.
CALLBACK_OUTCOMES = (Outcome.CALLBACK, Outcome.NO_ANSWER, Outcome.COMPLAINT)
#: Outcomes counted as "unresolved" in the reports.
UNRESOLVED_OUTCOMES = (Outcome.CALLBACK, Outcome.NO_ANSWER, Outcome.COMPLAINT)


class TaskKind(models.TextChoices):
    CALLBACK = "callback", _("Callback")
    LAPSED = "lapsed", _("Lapsed customer: win back")
    PACKAGE_UNUSED = "package_unused", _("Package sessions left")
    FEEDBACK = "feedback", _("Unhappy survey answer: call back")
    FOLLOWUP_ISSUE = "followup_issue", _("A follow-up found a problem: call back")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class FollowUpOutcome(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    ISSUE = "issue", _("Has an issue")
    REBOOKED = "rebooked", _("Rebooked")
    NO_ANSWER = "no_answer", _("No answer")
    DECLINED = "declined", _("Does not want calls")


class MessageKind(models.TextChoices):
    BIRTHDAY = "birthday", _("Birthday greeting")
    CARD_EXPIRY = "card_expiry", _("Stored-value card expiring")
    PACKAGE_EXPIRY = "package_expiry", _("Package expiring")
    REBOOKING = "rebooking", _("Rebooking reminder")
    WIN_BACK = "win_back", _("We miss you")
    SURVEY = "survey", _("Satisfaction survey")
    YOU_SAID = "you_said_we_did", _("You said, we did")
    CONSUMPTION = "consumption", _("Consumption notice")
    APPOINTMENT_BOOKED = "appointment_booked", _("Booking confirmation")
    APPOINTMENT_REMINDER = "appointment_reminder", _("Appointment reminder")
    WAITLIST_OFFER = "waitlist_offer", _("Waitlist offer")


#: Kinds that are marketing: queued only with the customer's marketing consent, and cancelled
#: when it is withdrawn. The others are service notices about the customer's own account.
#: Surveys and "you said, we did" notices (liuke.feedback) ask for the customer's attention
#: unprompted, so they follow the same consent rule.
MARKETING_KINDS = (
    MessageKind.BIRTHDAY,
    MessageKind.WIN_BACK,
    MessageKind.SURVEY,
    MessageKind.YOU_SAID,
)


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    READY = "ready", _("In the outbox, to send")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")
    OPTED_OUT = "opted_out", _("Opted out")
    FAILED = "failed", _("Failed")

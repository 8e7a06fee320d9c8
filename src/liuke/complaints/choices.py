from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Channel(models.TextChoices):
    IN_PERSON = "in_person", _("In person, in the shop")
    PHONE = "phone", _("Phone call")
    WECHAT = "wechat", _("WeChat")
    SMS = "sms", _("SMS")
    REVIEW = "review", _("Online review")
    FEEDBACK = "feedback", _("Survey or suggestion box")
    OTHER = "other", _("Other")


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


#: Severities ordered from the mildest; a complaint at or above the business's escalation
#: severity goes to a senior person at once (the source text: senior people handle complaints).
SEVERITY_ORDER = [Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL]


class Status(models.TextChoices):
    OPEN = "open", pgettext_lazy("complaint status", "Open")
    WAITING = "waiting", _("Waiting for the customer")
    RESOLVED = "resolved", pgettext_lazy("complaint status", "Resolved")
    CLOSED = "closed", pgettext_lazy("complaint status", "Closed")


#: Statuses in which a complaint is still unresolved (its story is still going round).
UNRESOLVED = (Status.OPEN, Status.WAITING)


class Step(models.IntegerChoices):
    """The ten steps of handling an unhappy customer, in the source text's order."""

    ACKNOWLEDGE = 1, _("Acknowledge the concern")
    SMILE = 2, _("Smile (calm, caring face)")
    APOLOGISE = 3, _("Apologise for what happened")
    OFFER_HELP = 4, _("Say you want to help")
    FACTS = 5, _("Get the facts")
    RESTATE = 6, _("Restate the problem; the customer confirms")
    THANK = 7, _("Thank them for their cooperation")
    OPTIONS = 8, _("Offer options or ask what they want")
    SUMMARISE = 9, _("Summarise the actions: ours and theirs")
    CLOSE = 10, _("Close warmly")


#: What each step asks of the person handling it (shown on the guided page).
STEP_HINTS = {
    Step.ACKNOWLEDGE: _(
        "Let the customer speak; answer with a softening sentence (“I understand how "
        "upsetting this is”)."
    ),
    Step.SMILE: _("A calm, caring face and posture; do not smile at anger, do not fold your arms."),
    Step.APOLOGISE: _("Apologise for what happened, without excuses or blame."),
    Step.OFFER_HELP: _("Say clearly that you want to help and will see it through."),
    Step.FACTS: _("Ask what happened, when, with whom; note the facts, not opinions."),
    Step.RESTATE: _(
        "Repeat the problem in your words and ask the customer to confirm you understood."
    ),
    Step.THANK: _("Thank the customer for telling you and for their patience."),
    Step.OPTIONS: _("Offer the options (redo, refund, exchange, compensation) or ask."),
    Step.SUMMARISE: _(
        "Agree the actions, ours and theirs, each with an owner and a date; read them back."
    ),
    Step.CLOSE: _("End warmly; tell the customer when you will get back to them."),
}


class ActionSide(models.TextChoices):
    OURS = "ours", _("Ours")
    THEIRS = "theirs", _("The customer's")


class ResolutionKind(models.TextChoices):
    REDO = "redo", _("Redo the service")
    REFUND = "refund", _("Refund")
    EXCHANGE = "exchange", _("Exchange")
    VOUCHER = "voucher", _("Voucher")
    CARD_BONUS = "card_bonus", _("Bonus on a stored-value card")
    APOLOGY = "apology", _("Apology only")


class ResolutionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a manager's approval")
    APPLIED = "applied", _("Applied")
    REFUSED = "refused", _("Refused")

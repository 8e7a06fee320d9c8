from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    """What happened. Reads are as important as writes: who looked at whose file."""

    VIEW = "view", _("Viewed profile")
    LIST = "list", _("Listed customers")
    SEARCH = "search", _("Searched customers")
    HISTORY = "history", _("Viewed history")
    PHOTO = "photo", _("Viewed photo")
    EXPORT = "export", _("Exported")
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    CONFIRM = "confirm", _("Confirmed data")
    MERGE = "merge", _("Merged")
    PHOTO_ADD = "photo_add", _("Added photo")
    CHECKOUT = "checkout", _("Checked out a visit")
    REFUND = "refund", _("Refunded")
    CARD_ISSUE = "card_issue", _("Issued a stored-value card")
    CARD_TOPUP = "card_topup", _("Topped up a card")
    CARD_DEDUCT = "card_deduct", _("Charged a card")
    CARD_REFUND = "card_refund", _("Refunded a card")
    PACKAGE_SELL = "package_sell", _("Sold a package")
    PACKAGE_EXTEND = "package_extend", _("Extended a package")
    SETTINGS = "settings", _("Changed settings")
    ACCESS_REQUEST = "access_request", _("Asked to read a key account")
    ACCESS_APPROVE = "access_approve", _("Approved access to a key account")
    ACCESS_REFUSE = "access_refuse", _("Refused access to a key account")
    ACCESS_REVOKE = "access_revoke", _("Revoked access to a key account")
    HANDOVER = "handover", _("Handed customers over")
    ERASE = "erase", _("Erased personal data")
    TWO_FACTOR_ON = "2fa_on", _("Turned two-factor login on")
    TWO_FACTOR_OFF = "2fa_off", _("Turned two-factor login off")

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")
    OTHER = "O", _("Other")
    UNKNOWN = "", _("Not given")


class Source(models.TextChoices):
    WALK_IN = "walk_in", _("Walk-in")
    REFERRAL = "referral", _("Referral")
    ONLINE = "online", _("Online (Dianping, Meituan, WeChat)")
    EVENT = "event", _("Event or promotion")
    SOCIAL = "social", _("Social media (Xiaohongshu, Douyin)")
    PARTNER = "partner", _("Partner business")
    OTHER = "other", _("Other")


class SkinType(models.TextChoices):
    UNKNOWN = "", _("Not assessed")
    NORMAL = "normal", _("Normal")
    DRY = "dry", _("Dry")
    OILY = "oily", _("Oily")
    COMBINATION = "combination", _("Combination")
    SENSITIVE = "sensitive", _("Sensitive")


class HairType(models.TextChoices):
    UNKNOWN = "", _("Not assessed")
    NORMAL = "normal", _("Normal")
    DRY = "dry", _("Dry / damaged")
    OILY = "oily", _("Oily")
    FINE = "fine", _("Fine / thin")
    THICK = "thick", _("Thick / coarse")
    CURLY = "curly", _("Curly")


class PhotoKind(models.TextChoices):
    BEFORE = "before", _("Before")
    AFTER = "after", _("After")
    OTHER = "other", _("Other")


class ChangeKind(models.TextChoices):
    CREATE = "create", _("Created")
    EDIT = "edit", _("Edited")
    CONFIRM = "confirm", _("Confirmed")
    MERGE = "merge", _("Merged")
    PHOTO = "photo", _("Photo")
    HANDOVER = "handover", _("Handed over")
    ERASE = "erase", _("Personal data erased")
    IMPORT = "import", _("Imported")


class FieldGroup(models.TextChoices):
    """Groups of profile fields that are verified together ("last verified" per group)."""

    IDENTITY = "identity", _("Identity")
    CONTACT = "contact", _("Contact")
    HEALTH = "health", _("Skin, hair and health")
    PREFERENCES = "preferences", _("Preferences")
    CONSENT = "consent", _("Consent")


class GrantStatus(models.TextChoices):
    """Where a request to read a key account's file stands. `expired` is never stored: an
    approved grant past its `expires_at` is shown as expired."""

    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from liuke.core.bilingual import bilingual


class TimeStampedModel(models.Model):
    """created_at / updated_at on every domain row."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class CatalogueEntry(TimeStampedModel):
    """An entry of a business's catalogue, seeded in both languages and extended by managers
    (a contact reason, a complaint cause): a stable code, the name in Chinese and in English,
    a position in the list, and whether it is still offered. The concrete model adds its
    business and its own fields."""

    code = models.SlugField(_("code"), max_length=40)
    name_zh = models.CharField(_("name (Chinese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the reader's language."""
        return bilingual(self.name_zh, self.name_en)


class IdempotencyRecord(models.Model):
    """The stored answer to an API write sent with an `Idempotency-Key` header.

    The unique (user, key) makes a repeated request find the first one's answer instead of
    doing the work again: twenty identical requests sent at once move money once.
    """

    user_id = models.BigIntegerField()
    key = models.CharField(max_length=100)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user_id", "key"], name="idempotency_user_key"),
        ]
        # The nightly purge finds the old records by age (core.idempotency.purge_expired).
        indexes = [models.Index(fields=["created_at"], name="idempotency_created")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"

"""Delivery: how a business sends (its channel accounts and rules), who opted out of what, and
the providers' receipts. Imported by `engagement.models`, so Django sees them there."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from liuke.accounts.models import Business
from liuke.core.models import TimeStampedModel
from liuke.customers.models import Customer


class Provider(models.TextChoices):
    OUTBOX = "outbox", _("Outbox (sent by hand)")
    ALIYUN = "aliyun", _("Alibaba Cloud SMS")
    TENCENT = "tencent", _("Tencent Cloud SMS")
    SMTP = "smtp", _("Email (SMTP)")


class OptOutSource(models.TextChoices):
    REPLY = "reply", _("Replied with an opt-out keyword")
    LINK = "link", _("Opened the opt-out link")
    STAFF = "staff", _("Asked a staff member")


class ChannelAccount(TimeStampedModel):
    """How one business sends on one channel ("sms"): the provider, its non-secret options
    (sign name, templates per message kind, endpoint, region, rate) and the name of its secrets
    in the settings (`CHANNEL_CREDENTIALS`, filled from a file): no secret is stored here. The
    receipt webhook's URL token is kept only as its SHA-256."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(_("channel"), max_length=20)
    provider = models.CharField(_("provider"), max_length=20, choices=Provider.choices)
    options = models.JSONField(_("options"), default=dict, blank=True)
    credentials_key = models.CharField(_("credentials name"), max_length=60, blank=True)
    hook_token_sha256 = models.CharField(max_length=64, unique=True, null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("channel account")
        verbose_name_plural = _("channel accounts")
        constraints = [
            models.UniqueConstraint(fields=["business", "channel"], name="channel_account_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.business_id} {self.channel} {self.provider}"


class DeliverySettings(TimeStampedModel):
    """A business's sending rules: where its messages go, quiet hours for marketing (in each
    branch's time zone) and how many marketing messages one customer may get in seven days."""

    business = models.OneToOneField(Business, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(_("send messages by"), max_length=20, default="outbox")
    quiet_from = models.TimeField(_("no marketing from"), default=dt.time(21, 0))
    quiet_until = models.TimeField(_("no marketing until"), default=dt.time(9, 0))
    weekly_marketing_cap = models.PositiveSmallIntegerField(
        _("marketing messages per customer in 7 days"), default=2
    )

    class Meta:
        verbose_name = _("delivery settings")
        verbose_name_plural = _("delivery settings")

    def __str__(self) -> str:
        return str(self.business_id)

    @classmethod
    def for_business(cls, business_id: int) -> DeliverySettings:
        """A business's settings, or the defaults (unsaved) when it has none yet."""
        return cls.objects.filter(business_id=business_id).first() or cls(business_id=business_id)


class ChannelOptOut(TimeStampedModel):
    """A customer who asked for no more messages on a channel ("sms"; "*" for every channel):
    by replying 退订/TD, by the link in a message, or by telling staff. Marketing stops on that
    channel; service notices follow `Customer.service_notices`."""

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(_("channel"), max_length=20)
    source = models.CharField(_("how"), max_length=10, choices=OptOutSource.choices)

    class Meta:
        verbose_name = _("opt-out")
        verbose_name_plural = _("opt-outs")
        constraints = [
            models.UniqueConstraint(fields=["customer", "channel"], name="opt_out_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.channel}"


class DeliveryReceipt(TimeStampedModel):
    """One delivery report from a provider, recorded once however often it arrives (`key` is
    the provider's identity of the report)."""

    account = models.ForeignKey(ChannelAccount, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=120)
    message = models.ForeignKey(
        "engagement.Message", on_delete=models.CASCADE, null=True, related_name="+"
    )
    delivered = models.BooleanField()
    reason = models.CharField(max_length=60, blank=True)

    class Meta:
        verbose_name = _("delivery receipt")
        verbose_name_plural = _("delivery receipts")
        constraints = [
            models.UniqueConstraint(fields=["account", "key"], name="delivery_receipt_unique"),
        ]

    def __str__(self) -> str:
        return self.key

"""Prepaid money: stored-value cards (储值卡) and treatment packages (次卡/疗程卡).

Balances are never edited in place. Each ledger row carries the balance after it; a check
constraint keeps that at or above zero and a unique (account, seq) makes two concurrent writers
unable to both append the next entry — the loser's transaction fails instead of overdrawing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from liuke.accounts.models import Branch, Business
from liuke.core.models import TimeStampedModel
from liuke.customers.models import Customer
from liuke.sales.choices import CardEntryKind, CardStatus, PackageEntryKind
from liuke.sales.models.catalogue import MenuCategory, Service


class CardTier(TimeStampedModel):
    """A membership tier (银卡, 金卡 …) with its member price: `discount_pct` of list (88 = 88%)."""

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="card_tiers")
    name = models.CharField(_("name"), max_length=40)
    # xgettext:no-python-format (a percent sign, not a placeholder)
    discount_pct = models.PositiveSmallIntegerField(_("member price (% of list)"), default=100)
    #: The top-up needed to reach the tier (the first top-up of a card issued at this tier).
    min_topup_fen = models.PositiveIntegerField(_("minimum first top-up (fen)"), default=0)
    #: How long a card of this tier is valid from its issue (None: no expiry).
    validity_months = models.PositiveSmallIntegerField(
        _("card validity (months)"), null=True, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        app_label = "sales"
        verbose_name = _("card tier")
        verbose_name_plural = _("card tiers")
        ordering = ["-discount_pct"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(discount_pct__gte=1, discount_pct__lte=100),
                name="tier_discount_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TierCategoryPrice(models.Model):
    """A tier's own member price for one service category (金卡 pays 80% on facials, 90% on
    the rest): `price_pct` of list, 0 to 100."""

    tier = models.ForeignKey(CardTier, on_delete=models.CASCADE, related_name="category_prices")
    category = models.ForeignKey(MenuCategory, on_delete=models.CASCADE, related_name="+")
    # xgettext:no-python-format (a percent sign, not a placeholder)
    price_pct = models.PositiveSmallIntegerField(_("member price (% of list)"))

    class Meta:
        app_label = "sales"
        verbose_name = _("tier price per category")
        verbose_name_plural = _("tier prices per category")
        constraints = [
            models.UniqueConstraint(fields=["tier", "category"], name="tier_category_unique"),
            models.CheckConstraint(
                condition=models.Q(price_pct__lte=100), name="tier_category_pct_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tier_id}/{self.category_id}: {self.price_pct}%"


class BonusRule(TimeStampedModel):
    """Top up at least `pay_fen`, get `bonus_fen` on top (充 1000 送 200). The best rule that
    the payment reaches applies, once per top-up."""

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="bonus_rules")
    pay_fen = models.PositiveIntegerField(_("top-up of at least (fen)"))
    bonus_fen = models.PositiveIntegerField(_("bonus (fen)"))
    #: The days the rule applies (either end open: from always / until withdrawn).
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        app_label = "sales"
        verbose_name = _("bonus rule")
        verbose_name_plural = _("bonus rules")
        ordering = ["-pay_fen"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_from__isnull=True)
                | models.Q(valid_until__isnull=True)
                | models.Q(valid_until__gte=models.F("valid_from")),
                name="bonus_rule_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pay_fen} → +{self.bonus_fen}"


class StoredValueCard(TimeStampedModel):
    """A customer's stored-value card. A customer may hold several."""

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="+")
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="cards")
    number = models.CharField(_("card number"), max_length=30)
    tier = models.ForeignKey(CardTier, on_delete=models.PROTECT, null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    status = models.CharField(max_length=10, choices=CardStatus.choices, default=CardStatus.ACTIVE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        app_label = "sales"
        verbose_name = _("stored-value card")
        verbose_name_plural = _("stored-value cards")
        constraints = [
            models.UniqueConstraint(fields=["business", "number"], name="card_number_unique"),
        ]

    def __str__(self) -> str:
        return self.number


class CardEntry(models.Model):
    """One movement on a card. The paid part (本金, refundable) and the bonus part (赠送金) are
    kept apart: a deduction takes from both in proportion to what is left of each, and a card
    refund pays back only the paid part (docs/money.md)."""

    card = models.ForeignKey(StoredValueCard, on_delete=models.PROTECT, related_name="entries")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=CardEntryKind.choices)
    paid_delta_fen = models.IntegerField()
    bonus_delta_fen = models.IntegerField()
    paid_after_fen = models.IntegerField()
    bonus_after_fen = models.IntegerField()
    visit = models.ForeignKey(
        "sales.Visit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        app_label = "sales"
        verbose_name = _("card entry")
        verbose_name_plural = _("card entries")
        ordering = ["card_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["card", "seq"], name="card_entry_seq_unique"),
            models.UniqueConstraint(fields=["card", "idempotency_key"], name="card_entry_idem"),
            models.CheckConstraint(
                condition=models.Q(paid_after_fen__gte=0, bonus_after_fen__gte=0),
                name="card_balance_never_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.card_id} #{self.seq} {self.kind}"

    @property
    def balance_after_fen(self) -> int:
        return self.paid_after_fen + self.bonus_after_fen


class PackageTemplate(TimeStampedModel):
    """What the front desk sells a package from: N sessions of one or several services, its
    price and how long it is valid, at the branches listed (none listed: every branch). A sale
    copies these into the package, so changing a template never changes packages sold."""

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    services = models.ManyToManyField(Service, related_name="+")
    sessions = models.PositiveIntegerField(_("sessions"))
    price_fen = models.PositiveIntegerField(_("price (fen)"))
    validity_days = models.PositiveIntegerField(_("valid for (days)"), null=True, blank=True)
    branches = models.ManyToManyField(Branch, blank=True, related_name="+")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        app_label = "sales"
        verbose_name = _("package template")
        verbose_name_plural = _("package templates")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["business", "name"], name="package_template_name"),
            models.CheckConstraint(
                condition=models.Q(sessions__gte=1, sessions__lte=500),
                name="package_template_sessions",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Package(TimeStampedModel):
    """A treatment package: N sessions of one or several services, sold at a price."""

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="+")
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="packages")
    name = models.CharField(_("name"), max_length=100)
    services = models.ManyToManyField(Service, related_name="+")
    sessions_total = models.PositiveIntegerField(_("sessions"))
    price_fen = models.PositiveIntegerField(_("price (fen)"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    template = models.ForeignKey(
        PackageTemplate, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    #: Why a manager sold it at another price than its template's (empty: the template's price).
    price_reason = models.CharField(_("price override reason"), max_length=200, blank=True)

    class Meta:
        app_label = "sales"
        verbose_name = _("treatment package")
        verbose_name_plural = _("treatment packages")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sessions_total__gte=1), name="package_sessions_gte_1"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def session_value_fen(self, number: int) -> int:
        """What the `number`-th session (1-based) is worth for revenue: the price spread over the
        sessions so that they add up to the price exactly (the odd fen go to later sessions)."""
        n = self.sessions_total
        return self.price_fen * number // n - self.price_fen * (number - 1) // n


class PackageEntry(models.Model):
    """One movement of a package's sessions; `sessions_after` never goes below zero."""

    package = models.ForeignKey(Package, on_delete=models.PROTECT, related_name="entries")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=PackageEntryKind.choices)
    sessions_delta = models.IntegerField()
    sessions_after = models.IntegerField()
    line = models.ForeignKey(
        "sales.VisitLine", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        app_label = "sales"
        verbose_name = _("package entry")
        verbose_name_plural = _("package entries")
        ordering = ["package_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["package", "seq"], name="package_entry_seq_unique"),
            models.CheckConstraint(
                condition=models.Q(sessions_after__gte=0), name="package_sessions_never_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.package_id} #{self.seq} {self.kind}"

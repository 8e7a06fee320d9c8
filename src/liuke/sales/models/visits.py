from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from liuke.accounts.models import Branch, Business
from liuke.core.models import TimeStampedModel
from liuke.customers.models import Customer
from liuke.sales.choices import (
    LineKind,
    PaymentMethod,
    PaymentPurpose,
    RefundReason,
    StockEntryKind,
    VisitStatus,
)
from liuke.sales.models.catalogue import Product, Service


class Visit(TimeStampedModel):
    """A customer's visit to a branch, checked out: lines, discount, total (fen)."""

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="+")
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="visits")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="visits")
    visited_at = models.DateTimeField(_("visited at"))
    #: The calendar day of `visited_at` in the business's time zone (settings.TIME_ZONE), set
    #: with it. Visits of one customer on one day are one purchase occasion for the analytics,
    #: which group on this column through the `visit_analytics` covering index.
    visited_on = models.DateField(_("day of the visit"))
    status = models.CharField(
        max_length=20, choices=VisitStatus.choices, db_default=VisitStatus.COMPLETED
    )
    subtotal_fen = models.IntegerField(_("subtotal (fen)"), db_default=0)
    discount_fen = models.IntegerField(_("discount (fen)"), db_default=0)
    discount_reason = models.CharField(_("discount reason"), max_length=200, db_default="")
    total_fen = models.IntegerField(_("total (fen)"), default=0)
    note = models.CharField(_("note"), max_length=500, db_default="")
    served_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("served by"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    #: The next visit agreed at checkout (rebooking: win the next order at every contact).
    next_visit_at = models.DateTimeField(_("next visit"), null=True, blank=True)
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    #: Brought in from the system the salon came from (an import), not checked out here: part
    #: of the customer's history for the analytics, never a sale of the day it was imported.
    imported = models.BooleanField(_("imported"), db_default=False)

    class Meta:
        app_label = "sales"
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_at"]
        indexes = [
            models.Index(fields=["customer", "visited_at"], name="visit_cust_time"),
            models.Index(fields=["branch", "visited_at"], name="visit_branch_time"),
            # Covers the per-customer summary of the analytics: one ordered pass, no lookups.
            models.Index(
                fields=["business", "customer", "visited_on", "total_fen", "status"],
                name="visit_analytics",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["business", "idempotency_key"], name="visit_idempotency_unique"
            ),
            models.CheckConstraint(condition=models.Q(total_fen__gte=0), name="visit_total_gte_0"),
            models.CheckConstraint(
                condition=models.Q(discount_fen__gte=0), name="visit_discount_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} @ {self.visited_at:%Y-%m-%d}"


class VisitLine(models.Model):
    """A service performed (by which staff member) or a product sold during a visit.

    `amount_fen` is what the customer pays for the line after member discount; a line covered by a
    treatment package pays 0 and names the package, with the value of the session it used
    (`package_value_fen`: the package's price spread over its sessions) for revenue by staff.
    """

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=10, choices=LineKind.choices, db_default=LineKind.SERVICE)
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    quantity = models.PositiveIntegerField(db_default=1)
    unit_price_fen = models.IntegerField(db_default=0)
    amount_fen = models.IntegerField(_("amount (fen)"))
    package = models.ForeignKey(
        "sales.Package", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    package_value_fen = models.IntegerField(db_default=0)
    refunded_quantity = models.PositiveIntegerField(db_default=0)
    refunded_fen = models.IntegerField(db_default=0)

    class Meta:
        app_label = "sales"
        verbose_name = _("visit line")
        verbose_name_plural = _("visit lines")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_fen__gte=0), name="line_amount_gte_0"),
            models.CheckConstraint(
                condition=models.Q(refunded_fen__gte=0)
                & models.Q(refunded_fen__lte=models.F("amount_fen")),
                name="line_refund_within_amount",
            ),
            models.CheckConstraint(
                condition=models.Q(refunded_quantity__lte=models.F("quantity")),
                name="line_refund_within_quantity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.visit_id}: {self.service_id or self.product_id}"


class Payment(TimeStampedModel):
    """Money in (positive) or out (negative, refunds) by method, at a branch.

    Checkout payments, card top-ups, package sales and refunds all land here, so the daily close
    adds up one table. A stored-value payment names the card it was deducted from.
    """

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="+")
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="payments")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="payments")
    visit = models.ForeignKey(
        Visit, on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    purpose = models.CharField(max_length=20, choices=PaymentPurpose.choices)
    method = models.CharField(_("method"), max_length=20, choices=PaymentMethod.choices)
    amount_fen = models.IntegerField(_("amount (fen)"))
    card = models.ForeignKey(
        "sales.StoredValueCard", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        app_label = "sales"
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        indexes = [models.Index(fields=["branch", "created_at"], name="payment_branch_time")]
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount_fen=0), name="payment_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.amount_fen}"


class Refund(TimeStampedModel):
    """A refund of a visit or of one of its lines, with its reason; its money goes out through
    `Payment` rows (purpose=refund) and its sessions, stock and stored value come back through
    the ledgers."""

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="+")
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="refunds")
    line = models.ForeignKey(
        VisitLine, on_delete=models.PROTECT, null=True, blank=True, related_name="refunds"
    )
    amount_fen = models.IntegerField(_("amount (fen)"))
    reason = models.CharField(_("reason"), max_length=20, choices=RefundReason.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    #: For an exchange: the visit that sold what the customer took instead.
    exchange_visit = models.ForeignKey(
        Visit, on_delete=models.PROTECT, null=True, blank=True, related_name="exchanged_from"
    )

    class Meta:
        app_label = "sales"
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        #: The daily close reads a day's refunds: a range on the time, not a scan of all.
        indexes = [models.Index(fields=["business", "created_at"], name="refund_biz_time")]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_fen__gte=0), name="refund_gte_0"),
            models.UniqueConstraint(
                fields=["business", "idempotency_key"], name="refund_idempotency_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"refund {self.amount_fen} of visit {self.visit_id}"


class StockEntry(models.Model):
    """The stock ledger of one product at one branch: each row carries the quantity after it."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="stock_entries")
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="+")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=StockEntryKind.choices)
    delta = models.IntegerField()
    quantity_after = models.IntegerField()
    line = models.ForeignKey(
        VisitLine, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        app_label = "sales"
        verbose_name = _("stock entry")
        verbose_name_plural = _("stock entries")
        constraints = [
            models.UniqueConstraint(fields=["product", "branch", "seq"], name="stock_seq_unique"),
            models.CheckConstraint(
                condition=models.Q(quantity_after__gte=0), name="stock_never_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.branch_id} #{self.seq}"

"""Commissions (提成): plans and their rates, the commission lines written at checkout, card and
package sales and refunds, and the monthly statements stored when a month is closed.

A commission line keeps everything it was computed from (base, share, rate, fixed amount), so a
plan or rate changed later changes no past line; a refund writes a negative line that names the
one it reverses. docs/money.md ("Commissions") states the arithmetic and the rounding rule.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from liuke.accounts.models import Branch, Business
from liuke.core.models import TimeStampedModel
from liuke.sales.choices import CommissionKind
from liuke.sales.models.visits import Payment, Refund, Visit, VisitLine

#: Rates are in basis points (1/100 of a percent): 1250 = 12.5 %.
BP_PER_WHOLE = 10_000


def percent_text(pct_bp: int | None) -> str:
    """Basis points as the percentage typed and shown: 1250 → "12.5", 1000 → "10"."""
    if pct_bp is None:
        return ""
    whole_pct, part_pct = divmod(pct_bp, 100)
    return f"{whole_pct}" if not part_pct else f"{whole_pct}.{part_pct:02d}".rstrip("0")


class CommissionPlan(TimeStampedModel):
    """A set of rates by kind. The plan of a role applies to its staff who have none of their
    own; a staff member's own plan (`CommissionAssignment`) overrides it."""

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=60)
    #: The role this plan is the default for ("" for a plan given to staff one by one).
    role = models.CharField(_("default for role"), max_length=20, blank=True, db_default="")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        app_label = "sales"
        verbose_name = _("commission plan")
        verbose_name_plural = _("commission plans")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["business", "name"], name="commission_plan_name"),
            models.UniqueConstraint(
                fields=["business", "role"],
                condition=~models.Q(role=""),
                name="commission_plan_one_per_role",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CommissionRate(models.Model):
    """One kind's rate in a plan: a percentage of the base and/or a fixed amount per unit; for
    services a designated (指定) customer may pay another rate than rotation (轮牌)."""

    plan = models.ForeignKey(CommissionPlan, on_delete=models.CASCADE, related_name="rates")
    kind = models.CharField(max_length=20, choices=CommissionKind.choices)
    percent_bp = models.PositiveIntegerField(_("percent (basis points)"), default=0)
    fixed_fen = models.PositiveIntegerField(_("fixed per unit (fen)"), default=0)
    #: The designated customer's rate (services); None: as rotation.
    designated_percent_bp = models.PositiveIntegerField(null=True, blank=True)
    designated_fixed_fen = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        app_label = "sales"
        verbose_name = _("commission rate")
        verbose_name_plural = _("commission rates")
        constraints = [
            models.UniqueConstraint(fields=["plan", "kind"], name="commission_rate_unique"),
            models.CheckConstraint(
                condition=models.Q(percent_bp__lte=BP_PER_WHOLE)
                & (
                    models.Q(designated_percent_bp__isnull=True)
                    | models.Q(designated_percent_bp__lte=BP_PER_WHOLE)
                ),
                name="commission_rate_within_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}:{self.kind}"


class CommissionAssignment(TimeStampedModel):
    """A staff member's own commission plan (overrides their role's)."""

    staff = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="commission_assignment",
    )
    plan = models.ForeignKey(CommissionPlan, on_delete=models.PROTECT, related_name="+")

    class Meta:
        app_label = "sales"
        verbose_name = _("commission plan of a staff member")
        verbose_name_plural = _("commission plans of staff members")

    def __str__(self) -> str:
        return f"{self.staff_id} → {self.plan_id}"


class CommissionLine(models.Model):
    """One staff member's commission on one thing: a visit line (service, product, card
    consumed), a card top-up or a package sale (by its payment); negative when it reverses one.

    `amount_fen` = round-half-up(base_fen × percent_bp / 10000) + round-half-up(fixed_fen ×
    quantity × share_pct / 100); `base_fen` is already this staff member's share of the line."""

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="+")
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=CommissionKind.choices)
    visit = models.ForeignKey(
        Visit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    visit_line = models.ForeignKey(
        VisitLine, on_delete=models.PROTECT, null=True, blank=True, related_name="commissions"
    )
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    refund = models.ForeignKey(
        Refund, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    plan = models.ForeignKey(
        CommissionPlan, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    designated = models.BooleanField(db_default=False)
    quantity = models.IntegerField(db_default=1)
    share_pct = models.PositiveSmallIntegerField(db_default=100)
    base_fen = models.IntegerField(db_default=0)
    percent_bp = models.PositiveIntegerField(db_default=0)
    fixed_fen = models.PositiveIntegerField(db_default=0)
    amount_fen = models.IntegerField(_("commission (fen)"))
    occurred_at = models.DateTimeField()
    #: `occurred_at`'s day in the branch's time zone: the statement's month and the daily close.
    occurred_on = models.DateField()

    class Meta:
        app_label = "sales"
        verbose_name = _("commission line")
        verbose_name_plural = _("commission lines")
        indexes = [
            # Every staff member's month in one ordered pass (the monthly statements).
            models.Index(
                fields=["business", "occurred_on", "staff", "kind", "amount_fen"],
                name="commission_month",
            ),
            # One staff member's month, and every staff member's on SQLite (which skip-scans
            # it): covering, so 2,000,000 lines aggregate without a row lookup each.
            models.Index(
                fields=["staff", "occurred_on", "kind", "amount_fen", "business"],
                name="commission_staff_day",
            ),
            models.Index(fields=["branch", "occurred_at"], name="commission_branch_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(share_pct__gte=1) & models.Q(share_pct__lte=100),
                name="commission_share_1_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.kind} {self.amount_fen}"

    @property
    def percent(self) -> str:
        return percent_text(self.percent_bp)


class CommissionMonth(models.Model):
    """A closed month of a business: its statements are stored and change only by adjustment."""

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="+")
    month = models.DateField()  # the first day
    closed_at = models.DateTimeField()
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        app_label = "sales"
        verbose_name = _("closed commission month")
        verbose_name_plural = _("closed commission months")
        constraints = [
            models.UniqueConstraint(fields=["business", "month"], name="commission_month_unique")
        ]

    def __str__(self) -> str:
        return f"{self.business_id} {self.month:%Y-%m}"


class CommissionStatement(models.Model):
    """A staff member's stored statement of a closed month: the sum of their lines by kind, plus
    the recorded adjustments."""

    closed = models.ForeignKey(CommissionMonth, on_delete=models.PROTECT, related_name="statements")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    by_kind = models.JSONField(default=dict)
    line_count = models.IntegerField(default=0)
    lines_fen = models.IntegerField(default=0)
    adjustments_fen = models.IntegerField(default=0)

    class Meta:
        app_label = "sales"
        verbose_name = _("commission statement")
        verbose_name_plural = _("commission statements")
        constraints = [
            models.UniqueConstraint(fields=["closed", "staff"], name="commission_statement_unique")
        ]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.closed_id}"

    @property
    def total_fen(self) -> int:
        return self.lines_fen + self.adjustments_fen


class CommissionAdjustment(models.Model):
    """A recorded change to a closed month's statement: who, why, how much."""

    statement = models.ForeignKey(
        CommissionStatement, on_delete=models.PROTECT, related_name="adjustments"
    )
    amount_fen = models.IntegerField(_("amount (fen)"))
    reason = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        app_label = "sales"
        verbose_name = _("commission adjustment")
        verbose_name_plural = _("commission adjustments")
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount_fen=0), name="commission_adj_not_0")
        ]

    def __str__(self) -> str:
        return f"{self.statement_id} {self.amount_fen}"

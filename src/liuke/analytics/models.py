"""Stored figures: one refresh per business (`ModelRun`) and each customer's figures from it.

Pages and the API read these rows; they never fit a model on a request. A refresh replaces a
business's figures in one transaction, so a reader sees the old set or the new one.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from liuke.accounts.models import Branch, Business
from liuke.analytics.choices import ModelStatus, Segment
from liuke.customers.models import Customer


class ModelRun(models.Model):
    """One refresh of a business's figures: the fitted parameters (the papers' names) and what
    was concluded about them."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="+")
    computed_at = models.DateTimeField()
    observation_end = models.DateField()
    customers = models.PositiveIntegerField()
    repeat_customers = models.PositiveIntegerField()
    visits = models.PositiveBigIntegerField(default=0)
    bgnbd_status = models.CharField(max_length=20, choices=ModelStatus.choices)
    bgnbd_message = models.CharField(max_length=300, blank=True)
    spend_status = models.CharField(max_length=20, choices=ModelStatus.choices)
    spend_message = models.CharField(max_length=300, blank=True)
    #: r, alpha, a, b (time in days); p, q, gamma (fen); null where not fitted.
    params = models.JSONField(default=dict)
    bgnbd_log_likelihood = models.FloatField(null=True)
    gamma_gamma_log_likelihood = models.FloatField(null=True)
    total_value_fen = models.BigIntegerField(null=True)
    seconds = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("analytics refresh")
        verbose_name_plural = _("analytics refreshes")
        ordering = ["-computed_at"]
        indexes = [models.Index(fields=["business", "-computed_at"], name="run_business_time")]

    def __str__(self) -> str:
        return f"{self.business_id} @ {self.computed_at:%Y-%m-%d %H:%M}"


class CustomerFigures(models.Model):
    """A customer's figures from the latest refresh. Money in fen; visits are occasions (days).

    Empty model figures mean the model was not trusted for this business (see the run).
    """

    customer = models.OneToOneField(
        Customer, on_delete=models.CASCADE, primary_key=True, related_name="figures"
    )
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="+")
    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey(ModelRun, on_delete=models.SET_NULL, null=True, related_name="+")
    visits = models.PositiveIntegerField()
    first_visit_on = models.DateField()
    last_visit_on = models.DateField()
    age_days = models.PositiveIntegerField()
    spend_mean_fen = models.BigIntegerField()
    total_spend_fen = models.BigIntegerField()
    year_spend_fen = models.BigIntegerField()
    probability_alive = models.FloatField(null=True)
    expected_visits_90 = models.FloatField(null=True)
    expected_spend_fen = models.BigIntegerField(null=True)
    value_fen = models.BigIntegerField(null=True)
    rule_value_fen = models.BigIntegerField()
    recency_score = models.PositiveSmallIntegerField()
    frequency_score = models.PositiveSmallIntegerField()
    monetary_score = models.PositiveSmallIntegerField()
    segment = models.CharField(max_length=20, choices=Segment.choices)
    loyalty = models.PositiveSmallIntegerField()
    #: The survey answers (feedback app): satisfaction 0–100 from the mean 1–5 answer, and the
    #: latest "would you recommend us" (0–10, also part of the loyalty rating); empty without one.
    satisfaction = models.PositiveSmallIntegerField(null=True)
    recommend = models.PositiveSmallIntegerField(null=True)
    #: The value the dashboards rank by: the model value where trusted, else the 20 × rule.
    worth_fen = models.BigIntegerField(default=0)
    #: A key account at the time of the refresh (the lists show the current status and owner).
    key_account = models.BooleanField(default=False)
    #: Not a key account and worth at least the business's POTENTIAL_QUANTILE (aggregates/rules.py).
    potential_key_account = models.BooleanField(default=False)
    #: Customers this customer brought (their "referred by"), and what those are worth.
    referred_count = models.PositiveIntegerField(default=0)
    referred_worth_fen = models.BigIntegerField(default=0)
    #: On the call list (a repeat customer in a slipping segment): 20 × yearly sales ×
    #: the probability the customer no longer comes (selectors.at_risk_list); else 0.
    value_lost_fen = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("customer figures")
        verbose_name_plural = _("customer figures")
        indexes = [
            models.Index(fields=["branch", "segment"], name="figures_branch_segment"),
            models.Index(fields=["business", "segment"], name="figures_business_segment"),
            # Small partial indexes (1 % and 5 % of the rows): cheap to write at a refresh.
            models.Index(
                fields=["business", "-worth_fen", "customer"],
                name="figures_key_worth",
                condition=models.Q(key_account=True),
            ),
            models.Index(
                fields=["business", "-worth_fen", "customer"],
                name="figures_potential_worth",
                condition=models.Q(potential_key_account=True),
            ),
            models.Index(
                fields=["business", "-value_lost_fen", "customer"],
                name="figures_business_lost",
                condition=models.Q(value_lost_fen__gt=0),
            ),
            models.Index(
                fields=["business", "-referred_count", "-referred_worth_fen", "customer"],
                name="figures_business_referrers",
                condition=models.Q(referred_count__gt=0),
            ),
        ]

    def __str__(self) -> str:
        return f"figures of {self.customer_id}"


# --- What the dashboards read: filled by the refresh, replaced with the figures -------------------


class BranchAggregate(models.Model):
    """Base of the per-branch tables a refresh fills beside the figures (counts, no personal
    data): a dashboard sums the rows of the branches the user may see, never the visits."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="+")
    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{type(self).__name__} of branch {self.branch_id}"


class RevenueMonth(BranchAggregate):
    """A branch's sales in a calendar month (local days): visits charged at checkout and
    package sales, less the refunds made in that month."""

    month = models.DateField()  # the first day
    sales_fen = models.BigIntegerField()
    refunds_fen = models.BigIntegerField()
    visits = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("monthly revenue")
        verbose_name_plural = _("monthly revenue")
        constraints = [
            models.UniqueConstraint(fields=["branch", "month"], name="revenue_branch_month")
        ]


class RateDimension(models.TextChoices):
    BRANCH = "branch", _("Branch")
    STAFF = "staff", _("Staff member")
    SERVICE = "service", _("Service")


class RepeatRate(BranchAggregate):
    """Repeat purchase and rebooking counts of one branch, staff member or service within a
    branch (docs/analytics.md: the definitions)."""

    dimension = models.CharField(max_length=10, choices=RateDimension.choices)
    key_id = models.PositiveBigIntegerField()  # the branch, user or service
    customers = models.PositiveIntegerField()
    repeat_customers = models.PositiveIntegerField()
    visits = models.PositiveIntegerField()  # visit days old enough to tell (before the window)
    rebooked = models.PositiveIntegerField()  # of those, followed by a visit within the window

    class Meta:
        verbose_name = _("repeat rate")
        verbose_name_plural = _("repeat rates")
        indexes = [models.Index(fields=["branch", "dimension"], name="rate_branch_dim")]


class CohortCell(BranchAggregate):
    """Customers first seen in `cohort` (a month) who visited again `offset` months later."""

    cohort = models.DateField()
    offset = models.PositiveSmallIntegerField()
    customers = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("cohort cell")
        verbose_name_plural = _("cohort cells")
        indexes = [models.Index(fields=["branch", "cohort"], name="cohort_branch_month")]


class ValueBucket(BranchAggregate):
    """Customers per value band (fixed bands in yuan), by the model and by the 20 × rule."""

    measure = models.CharField(max_length=10)  # "model" or "rule"
    bucket = models.PositiveSmallIntegerField()
    customers = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("value band")
        verbose_name_plural = _("value bands")
        indexes = [models.Index(fields=["branch", "measure"], name="bucket_branch_measure")]


class RfmCell(BranchAggregate):
    """Customers and their worth per (recency, frequency) score: the RFM grid."""

    recency = models.PositiveSmallIntegerField()
    frequency = models.PositiveSmallIntegerField()
    customers = models.PositiveIntegerField()
    worth_fen = models.BigIntegerField()

    class Meta:
        verbose_name = _("RFM cell")
        verbose_name_plural = _("RFM cells")
        indexes = [models.Index(fields=["branch"], name="rfm_cell_branch")]


class BranchTotals(BranchAggregate):
    """A branch's totals for the key-account and referral dashboards."""

    customers = models.PositiveIntegerField()
    worth_fen = models.BigIntegerField()
    key_accounts = models.PositiveIntegerField()
    key_accounts_unowned = models.PositiveIntegerField()
    key_worth_fen = models.BigIntegerField()
    potential_key_accounts = models.PositiveIntegerField()
    potential_threshold_fen = models.BigIntegerField()
    referred_customers = models.PositiveIntegerField()
    referred_worth_fen = models.BigIntegerField()
    referrers = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("branch totals")
        verbose_name_plural = _("branch totals")
        constraints = [models.UniqueConstraint(fields=["branch"], name="totals_branch")]


class RefreshJob(models.Model):
    """A refresh asked for from the dashboard, run by the job consumer (huey); its progress is
    written here and polled by the page. At most one queued or running job per business."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    step = models.CharField(max_length=20, blank=True)
    percent = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("refresh job")
        verbose_name_plural = _("refresh jobs")
        constraints = [
            models.UniqueConstraint(
                fields=["business"],
                condition=models.Q(status__in=["queued", "running"]),
                name="refresh_one_at_a_time",
            )
        ]

    def __str__(self) -> str:
        return f"refresh {self.pk} of {self.business_id}: {self.status}"

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

    class Meta:
        verbose_name = _("customer figures")
        verbose_name_plural = _("customer figures")
        indexes = [
            models.Index(fields=["branch", "segment"], name="figures_branch_segment"),
            models.Index(fields=["business", "segment"], name="figures_business_segment"),
        ]

    def __str__(self) -> str:
        return f"figures of {self.customer_id}"

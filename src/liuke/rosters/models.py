"""Staff working time: the weekly roster per branch and weekday (working spans and breaks) and
the exceptions of single days (time off, leave, an extra shift).

Times are wall-clock times of the branch (`Branch.time_zone`); `rosters.selectors.
working_intervals` turns them into UTC intervals day by day, so a day when the clocks change
is as long as it really is. A span whose end is before its start runs past midnight, as the
opening hours do (`accounts.models.Business.closes_at`). The opening hours bound every span
(`rosters.services`)."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from liuke.accounts.models import Branch, User
from liuke.core.models import TimeStampedModel
from liuke.rosters.choices import ExceptionKind, SpanKind, Weekday


class RosterSpan(TimeStampedModel):
    """A span of a staff member's weekly roster at one branch on one weekday: working time, or
    a break taken out of it. A day may hold several working spans (a split shift)."""

    staff = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roster_spans")
    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="+")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=SpanKind.choices)
    starts_at = models.TimeField(_("from"))
    ends_at = models.TimeField(_("until"))

    class Meta:
        verbose_name = _("roster span")
        verbose_name_plural = _("roster spans")
        ordering = ["staff_id", "weekday", "starts_at"]
        indexes = [models.Index(fields=["branch", "weekday"], name="roster_span_branch_day")]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="roster_span_weekday"),
            models.CheckConstraint(
                condition=~Q(starts_at=F("ends_at")), name="roster_span_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.weekday} {self.starts_at}-{self.ends_at}"


class RosterException(TimeStampedModel):
    """A change of a staff member's roster on one day: time off, leave or an extra shift, for
    the whole day (no times) or a span, with the reason. Time off and leave without a branch
    hold at every branch; an extra shift is worked at one branch."""

    staff = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roster_exceptions")
    branch = models.ForeignKey(
        Branch, on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    day = models.DateField(_("day"))
    kind = models.CharField(_("kind"), max_length=10, choices=ExceptionKind.choices)
    starts_at = models.TimeField(_("from"), null=True, blank=True)
    ends_at = models.TimeField(_("until"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("roster exception")
        verbose_name_plural = _("roster exceptions")
        ordering = ["day", "staff_id", "starts_at"]
        indexes = [models.Index(fields=["staff", "day"], name="roster_exception_staff_day")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(starts_at__isnull=True) & Q(ends_at__isnull=True))
                | (
                    Q(starts_at__isnull=False)
                    & Q(ends_at__isnull=False)
                    & ~Q(starts_at=F("ends_at"))
                ),
                name="roster_exception_span",
            ),
            models.CheckConstraint(
                condition=~Q(kind=ExceptionKind.EXTRA) | Q(branch__isnull=False),
                name="roster_exception_extra_branch",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.day} {self.kind}"

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Weekday(models.IntegerChoices):
    """Monday first, as `datetime.date.weekday()` counts."""

    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class SpanKind(models.TextChoices):
    """A span of the weekly roster: working time, or a break taken out of it."""

    WORK = "work", _("Working")
    BREAK = "break", _("Break")


class ExceptionKind(models.TextChoices):
    """A change of the roster on one day: time off and leave take working time away, an extra
    shift adds some."""

    TIME_OFF = "time_off", _("Time off")
    LEAVE = "leave", _("Leave")
    EXTRA = "extra", _("Extra shift")


#: The kinds that take working time away.
OFF_KINDS = frozenset({ExceptionKind.TIME_OFF, ExceptionKind.LEAVE})

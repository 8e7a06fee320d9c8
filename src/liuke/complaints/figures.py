"""The figures of the complaints report that are counted per group or per severity."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, QuerySet

from liuke.complaints.models import Complaint, ComplaintSettings


@dataclass
class Row:
    key: str
    label: str
    n: int


@dataclass
class TargetRow:
    severity: str
    label: str
    n: int
    response_n: int
    response_on_time: int
    response_avg_min: int | None
    resolution_n: int
    resolution_on_time: int
    resolution_avg_h: float | None
    response_target_min: int
    resolution_target_h: int


def group_counts(qs: QuerySet[Complaint], key: str, label: str, empty: str) -> list[Row]:
    rows = qs.order_by().values(key, label).annotate(n=Count("id")).order_by("-n", label)
    return [Row(key=str(r[key] or ""), label=str(r[label] or empty), n=r["n"]) for r in rows]


Span = tuple[dt.datetime, dt.datetime, dt.datetime, int]


def spans(qs: QuerySet[Complaint], met: str, due: str) -> list[Span]:
    """(opened, met, due, seconds waited) of the complaints whose `met` moment is set."""
    rows = qs.filter(**{f"{met}__isnull": False}).values_list(
        "opened_at", met, due, "paused_seconds"
    )
    return [(o, m, d, p) for o, m, d, p in rows if o and m and d]


def target_row(
    sub: QuerySet[Complaint], severity: str, label: str, settings: ComplaintSettings
) -> TargetRow | None:
    """Time to first response and to resolution of one severity's complaints, against its
    targets; None when there are none."""
    n = sub.count()
    if not n:
        return None
    responded = spans(sub, "first_response_at", "response_due_at")
    resolved = spans(sub, "resolved_at", "resolution_due_at")
    resp_min = [(met - opened).total_seconds() / 60 for opened, met, _due, _p in responded]
    res_h = [
        ((met - opened).total_seconds() - paused) / 3600 for opened, met, _due, paused in resolved
    ]
    r_target, s_target = (
        getattr(settings, f"response_{severity}_min"),
        getattr(settings, f"resolution_{severity}_h"),
    )
    return TargetRow(
        severity=severity,
        label=label,
        n=n,
        response_n=len(responded),
        response_on_time=len([1 for _o, met, due, _p in responded if met <= due]),
        response_avg_min=round(sum(resp_min) / len(resp_min)) if resp_min else None,
        resolution_n=len(resolved),
        resolution_on_time=len([1 for _o, met, due, _p in resolved if met <= due]),
        resolution_avg_h=round(sum(res_h) / len(res_h), 1) if res_h else None,
        response_target_min=r_target,
        resolution_target_h=s_target,
    )

"""Pages of the analytics. The profile's "Value and loyalty" section is filled from here."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from liuke.accounts import policy
from liuke.accounts.http import StaffRequest, staff_view
from liuke.accounts.models import Branch, User
from liuke.analytics import dashboards, selectors, services
from liuke.analytics.aggregates.rules import REBOOK_DAYS
from liuke.analytics.capabilities import AnalyticsCap
from liuke.analytics.choices import Segment
from liuke.core.middleware import safe_next
from liuke.core.money import format_yuan, whole_yuan
from liuke.core.registry import import_dotted, report_sections
from liuke.customers.profile import CustomerProfile


def customer_figures_context(request: StaffRequest, profile: CustomerProfile) -> dict[str, Any]:
    """What the profile's value panel needs (`analytics.panels.value_panel`)."""
    found = selectors.profile_figures(profile=profile)
    if found is None:
        return {}
    figures = found.figures
    run = found.run
    return {
        "value": {
            "figures": figures,
            "run": run,
            "fitted": run is not None and run.bgnbd_status == "ok",
            # BG/NBD counts a customer with one visit as active: show no probability for them.
            "one_visit": figures is not None and figures.visits == 1,
            "alive_pct": None
            if figures is None or figures.probability_alive is None
            else round(100 * figures.probability_alive),
        }
    }


@staff_view(cap=AnalyticsCap.ANALYTICS_VIEW)
def dashboard(request: StaffRequest) -> HttpResponse:
    """At-risk and lost customers as a call list, and the RFM grid (stored figures only)."""
    actor = request.user
    branches = list(policy.scope_branches(actor, Branch.objects.order_by("name")))
    try:
        branch_id = int(request.GET.get("branch") or 0) or None
    except ValueError:
        branch_id = None
    if branch_id not in {b.pk for b in branches}:
        branch_id = None
    grid = selectors.rfm_grid(actor=actor, branch_id=branch_id)
    labels = dict(Segment.choices)
    chart = {
        "cells": [
            [
                c.frequency - 1,
                c.recency - 1,
                c.customers,
                whole_yuan(c.value_fen),  # the chart label (integer fen in, no float)
                str(labels[c.segment]),
            ]
            for c in grid
        ],
        "max": max((c.customers for c in grid), default=0),
    }
    calls = selectors.at_risk_list(actor=actor, branch_id=branch_id)
    return render(
        request,
        "analytics/dashboard.html",
        {
            **_common(request, actor, "dashboard"),
            "branches": branches,
            "branch_id": branch_id,
            "calls": [
                {
                    "item": a,
                    "mobile": policy.present_listed_mobile(actor, a.figures.customer),
                }
                for a in calls
            ],
            "chart": chart,
            "customers": sum(c.customers for c in grid),
        },
    )


# --- the other dashboards --------------------------------------------------------------------

#: The dashboards, in the order of their tabs: (url name, label).
BOARDS = [
    ("dashboard", gettext_lazy("At risk and RFM")),
    ("revenue", gettext_lazy("Revenue")),
    ("rates", gettext_lazy("Repeat and rebooking")),
    ("cohorts", gettext_lazy("Cohorts")),
    ("value", gettext_lazy("Value")),
    ("key_accounts", gettext_lazy("Key accounts")),
    ("referrals", gettext_lazy("Referrals")),
    ("book", gettext_lazy("Appointments")),
]

#: The periods the "Appointments" tab offers, in days up to today.
BOOK_PERIODS = (7, 30, 90)


def _common(request: StaffRequest, actor: User, board: str) -> dict[str, Any]:
    job = services.refresh_status(actor=actor)
    return {
        "run": selectors.latest_run(actor=actor),
        "boards": BOARDS,
        "board": board,
        "job": job,
        "job_active": job is not None and job.status in services.ACTIVE,
        "may_refresh": policy.can(actor, AnalyticsCap.ANALYTICS_REFRESH),
    }


def _board(request: StaffRequest, board: str) -> tuple[User, dashboards.Scope, dict[str, Any]]:
    actor = request.user
    where = dashboards.scope(actor, request.GET.get("branch"))
    context = {
        **_common(request, actor, board),
        "branches": where.branches,
        "branch_id": where.branch_id,
    }
    return actor, where, context


@staff_view(cap=AnalyticsCap.ANALYTICS_VIEW)
@require_GET
def revenue(request: StaffRequest) -> HttpResponse:
    _actor, where, context = _board(request, "revenue")
    months = dashboards.revenue(where)
    chart = {
        "months": [m.month.strftime("%Y-%m") for m in months],
        "sales": [format_yuan(m.sales_fen, grouping=False) for m in months],
        "refunds": [format_yuan(-m.refunds_fen, grouping=False) for m in months],
        "net": [format_yuan(m.net_fen, grouping=False) for m in months],
        "net_labels": [format_yuan(m.net_fen) for m in months],
    }
    context.update(months=list(reversed(months)), chart=chart)
    return render(request, "analytics/revenue.html", context)


@staff_view(cap=AnalyticsCap.ANALYTICS_VIEW)
@require_GET
def rates(request: StaffRequest) -> HttpResponse:
    _actor, where, context = _board(request, "rates")
    found = dashboards.rates(where)
    titles = {"branch": _("By branch"), "staff": _("By staff member"), "service": _("By service")}
    sections = []
    for dimension in ("branch", "staff", "service"):
        rows = found[dimension]
        top = rows[:15]
        sections.append(
            {
                "dimension": dimension,
                "data_id": f"rates-{dimension}-data",
                "title": titles[dimension],
                "rows": rows,
                "chart": {
                    "labels": [r.label for r in top],
                    "repeat": [r.repeat_pct for r in top],
                    "rebooking": [r.rebooking_pct for r in top],
                },
            }
        )
    context.update(sections=sections, rebook_days=REBOOK_DAYS)
    return render(request, "analytics/rates.html", context)


@staff_view(cap=AnalyticsCap.ANALYTICS_VIEW)
@require_GET
def cohorts(request: StaffRequest) -> HttpResponse:
    _actor, where, context = _board(request, "cohorts")
    found = dashboards.cohorts(where)
    chart = {
        "cohorts": [m.strftime("%Y-%m") for m in found.months],
        "sizes": found.sizes,
        "offsets": [str(k) for k in range(1, found.offsets)],
        "cells": [[c[0] - 1, c[1], c[2], c[3]] for c in found.cells],
    }
    context.update(cohorts=found, chart=chart)
    return render(request, "analytics/cohorts.html", context)


@staff_view(cap=AnalyticsCap.ANALYTICS_VIEW)
@require_GET
def value(request: StaffRequest) -> HttpResponse:
    _actor, where, context = _board(request, "value")
    bands = dashboards.value_bands(where)
    context.update(
        bands=bands,
        rows=list(zip(bands.labels, bands.model, bands.rule, strict=True)),
        chart={"labels": bands.labels, "model": bands.model, "rule": bands.rule},
        totals=dashboards.totals(where),
    )
    return render(request, "analytics/value.html", context)


@staff_view(cap=AnalyticsCap.ANALYTICS_VIEW)
@require_GET
def key_accounts(request: StaffRequest) -> HttpResponse:
    actor, where, context = _board(request, "key_accounts")
    found = dashboards.key_accounts(actor, where)

    def rows(items: list[Any]) -> list[dict[str, Any]]:
        return [{"f": f, "mobile": policy.present_listed_mobile(actor, f.customer)} for f in items]

    context.update(
        totals=dashboards.totals(where),
        key=rows(found.key),
        unowned=rows(found.unowned),
        potential=rows(found.potential),
        threshold_fen=found.threshold_fen,
    )
    return render(request, "analytics/key_accounts.html", context)


@staff_view(cap=AnalyticsCap.ANALYTICS_VIEW)
@require_GET
def referrals(request: StaffRequest) -> HttpResponse:
    actor, where, context = _board(request, "referrals")
    found = dashboards.referrals(actor, where)
    context.update(
        totals=dashboards.totals(where),
        top=[
            {"f": f, "mobile": policy.present_listed_mobile(actor, f.customer)} for f in found.top
        ],
        graph={
            "nodes": found.nodes,
            "links": found.links,
            "categories": [str(_("Referrer")), str(_("Referred customer"))],
        },
    )
    return render(request, "analytics/referrals.html", context)


# --- the manual refresh ----------------------------------------------------------------------


@staff_view
@require_POST
def refresh(request: StaffRequest) -> HttpResponse:
    """Queue a refresh (one at a time per business) and go back to the dashboard."""
    services.refresh_request(actor=request.user)
    return redirect(safe_next(request) or reverse("analytics:dashboard"))


@staff_view
@require_GET
def refresh_status(request: StaffRequest) -> HttpResponse:
    """The latest refresh job, for the progress bar (JSON; no customer data)."""
    job = services.refresh_status(actor=request.user)
    if job is None:
        return JsonResponse({"status": "none", "percent": 0})
    return JsonResponse(
        {
            "status": job.status,
            "percent": job.percent,
            "step": job.step,
            "label": str(job.get_status_display()),
            "error": job.error,
        }
    )


@staff_view(cap=AnalyticsCap.ANALYTICS_VIEW)
@require_GET
def book(request: StaffRequest) -> HttpResponse:
    """The sections other apps measure (the appointment book's), over the last 7, 30 or 90 days:
    live figures from their own selectors, not the nightly run."""
    actor, where, context = _board(request, "book")
    days = next((d for d in BOOK_PERIODS if str(d) == request.GET.get("days")), 30)
    last = timezone.localdate()
    first = last - dt.timedelta(days=days - 1)
    sections = []
    for section in report_sections():
        if section.capability is not None and not policy.can(actor, section.capability):
            continue
        content = import_dotted(section.render)(
            request=request, branch_ids=where.branch_ids, first=first, last=last
        )
        if content is not None:
            html = render_to_string(content.template, dict(content.context), request=request)
            sections.append((section, html))
    context.update(sections=sections, days=days, periods=BOOK_PERIODS, first=first, last=last)
    return render(request, "analytics/book.html", context)

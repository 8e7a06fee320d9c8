"""Pages of the analytics. The profile's "Value and loyalty" section is filled from here."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from liuke.accounts import policy
from liuke.accounts.models import Branch, User
from liuke.accounts.policy import Cap
from liuke.analytics import selectors
from liuke.analytics.choices import Segment
from liuke.customers.models import Customer


def customer_figures_context(request: HttpRequest, customer: Customer) -> dict[str, Any]:
    """What the profile's section needs (called by customers.views.customer_detail)."""
    found = selectors.customer_figures(actor=request.user, customer=customer)  # type: ignore[arg-type]
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


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """At-risk and lost customers as a call list, and the RFM grid (stored figures only)."""
    actor = cast(User, request.user)
    if not policy.can(actor, Cap.ANALYTICS_VIEW):
        raise Http404  # the same answer as "no such page": nothing to learn from it
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
                c.value_fen // 100,  # whole yuan for the chart label (integer fen in, no float)
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
            "run": selectors.latest_run(actor=actor),
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

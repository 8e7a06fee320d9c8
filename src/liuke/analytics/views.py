"""Pages of the analytics. The profile's "Value and loyalty" section is filled from here."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from liuke.analytics import selectors
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

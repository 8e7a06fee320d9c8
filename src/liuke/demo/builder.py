"""The one demo builder behind `liuke serve` and `liuke demo`.

The salon itself (business, branches, staff, menu, customers, two years of visits) comes from
`liuke.demo.generator`; then every app that declares a demo step in its `contrib.py`
(liuke.core.registry) adds its part, in layer order: sales its menu and its till in use,
engagement its month of follow-ups and contacts, complaints its cases, feedback its surveys and
suggestions, and any app added later. Last, the customer figures (lifetime value, RFM, the
dashboards) are computed from all of it, as the nightly job would, so that no page of a fresh
demo says they have not been computed yet. `serve` (once, on an empty database) and
`demo --reset` therefore build the same salon.
"""

from __future__ import annotations

from rich.console import Console

from liuke.accounts.models import Business
from liuke.analytics.services import figures_refresh
from liuke.core.registry import import_dotted, registry
from liuke.demo.generator import DemoResult, demo_business, generate_demo


def demo_build(
    *,
    customers: int,
    seed: int,
    username: str,
    password: str,
    reset: bool = False,
    progress: bool = True,
) -> DemoResult:
    """Build the demo salon and every app's part of it, deterministic for `seed`."""
    result = generate_demo(
        customers=customers,
        seed=seed,
        username=username,
        password=password,
        reset=reset,
        progress=progress,
    )
    business = Business.objects.get(pk=result.business_id)
    for _label, step in registry.each("demo"):
        import_dotted(step.run)(business=business, seed=seed)
    # After every step: the figures count their visits, cards and survey answers too.
    figures_refresh(business=business)
    return result


def ensure_demo(*, customers: int, seed: int, username: str, password: str) -> bool:
    """Build the demo unless it is there already; True if it was built now."""
    if demo_business() is not None:
        return False
    demo_build(
        customers=customers,
        seed=seed,
        username=username,
        password=password,
        progress=Console(stderr=True).is_terminal,
    )
    return True

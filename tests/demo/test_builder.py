"""`liuke serve` and `liuke demo --reset` build the same salon: one builder, every app's step."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps

from liuke.demo.builder import demo_build, ensure_demo

PASSWORD = "demo-pass-2026"


def _census() -> dict[str, int]:
    """Rows per table of ours, except the append-only audit log and the request records."""
    counts: dict[str, int] = {}
    for model in apps.get_models():
        label: Any = model._meta.label
        if model.__module__.startswith("liuke.") and model._meta.app_label not in ("audit",):
            counts[label] = model._default_manager.count()
    counts.pop("core.IdempotencyRecord", None)
    return counts


@pytest.mark.django_db
def test_demo_reset_builds_the_salon_serve_builds() -> None:
    # what `liuke serve` does on an empty database
    assert ensure_demo(customers=150, seed=42, username="owner", password=PASSWORD) is True
    served = _census()
    assert served["engagement.Contact"] > 0
    assert served["complaints.Complaint"] > 0
    assert served["feedback.SurveyResponse"] > 0
    assert served["sales.PackageTemplate"] > 0
    assert served["sales.TierCategoryPrice"] > 0
    # what `liuke demo --reset` does (the same seed, the default of both)
    demo_build(
        customers=150, seed=42, username="owner", password=PASSWORD, reset=True, progress=False
    )
    assert _census() == served

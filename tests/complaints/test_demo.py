"""The demo salon's complaints: open, waiting, escalated, past target, waiting for approval,
and closed ones of which some customers came back; removed with the demo."""

from __future__ import annotations

import pytest

from liuke.accounts.models import Business, User
from liuke.complaints import selectors
from liuke.complaints.demo import CASES, OPEN, demo_complaints
from liuke.complaints.models import Complaint
from liuke.demo.generator import generate_demo

pytestmark = pytest.mark.django_db


def test_the_demo_has_realistic_complaints() -> None:
    result = generate_demo(
        customers=300, seed=7, username="owner", password="demo-pass-2026", progress=False
    )
    business = Business.objects.get(pk=result.business_id)
    made = demo_complaints(business=business)
    assert made == {"closed": len(CASES), "open": len(OPEN)}
    owner = User.objects.get(username="owner")
    statuses = set(Complaint.objects.values_list("status", flat=True))
    assert statuses == {"open", "waiting", "closed"}
    board = selectors.dashboard(actor=owner)
    assert board.unresolved == len(OPEN)
    assert board.reach_total == 67 * len(OPEN)
    assert board.escalated >= 2
    assert board.breached == 1
    assert board.pending_approvals == 1
    allergy = Complaint.objects.filter(cause__code="allergy", status="closed").first()
    assert allergy is not None
    assert "发红发痒" in allergy.description
    assert "过敏" in allergy.restated_problem
    report = selectors.report(actor=owner, days=120)
    assert report.total == len(CASES) + len(OPEN)
    assert report.recovered >= 1  # some complainants came back in the demo's later visits
    # the guided page and the list render the demo
    from django.test import Client

    client = Client()
    client.force_login(owner)
    assert client.get("/complaints/?status=all").status_code == 200
    cases = list(Complaint.objects.all())
    assert len(cases) >= len(CASES) + len(OPEN)
    for c in cases:
        assert client.get(f"/complaints/{c.pk}/").status_code == 200
    assert client.get("/complaints/reports/?days=365").status_code == 200
    # rebuilding the demo removes them with the rest of the business
    generate_demo(
        customers=300,
        seed=7,
        username="owner",
        password="demo-pass-2026",
        reset=True,
        progress=False,
    )
    assert Complaint.objects.count() == 0

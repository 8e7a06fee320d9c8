"""The dashboards' stored tables against a small salon computed by hand, and the pages on top:
branch filter within the user's branches, scoped and audited lists, no personal data in the
aggregates. Runs on SQLite and PostgreSQL (the same rules in both)."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import numpy as np
import pytest
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks
from tests.factories import customer_make, visit_make

from liuke.accounts import policy
from liuke.accounts.models import Branch, Business, User
from liuke.analytics.aggregates.rules import REBOOK_DAYS, VALUE_BANDS_YUAN
from liuke.analytics.aggregates.worth import value_lost
from liuke.analytics.models import (
    BranchTotals,
    CohortCell,
    CustomerFigures,
    RepeatRate,
    RevenueMonth,
    ValueBucket,
)
from liuke.analytics.services import figures_refresh
from liuke.audit.models import AuditEvent
from liuke.customers.models import Customer
from liuke.sales.choices import PaymentMethod, PaymentPurpose, RefundReason, ServiceCategory
from liuke.sales.models import Payment, Refund, Service

TODAY = dt.date(2026, 6, 30)
ZONE = timezone.get_default_timezone()


def _at(day: str, hour: int = 11) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=ZONE)


@pytest.fixture
def salon(
    business: Business, branch_a: Branch, branch_b: Branch, owner: User, manager_a: User
) -> dict[str, Any]:
    """c1, c2 at home in A; c3, c4 in B (c4 never came). See the module docstring of
    analytics.aggregates for the rules; every expected figure below is worked out by hand."""
    s1, s2 = manager_a, owner
    x, y = (
        Service.objects.create(
            business=business,
            category=ServiceCategory.choices[0][0],
            name=name,
            duration_min=60,
            price_fen=10000,
        )
        for name in ("洁面护理", "肩颈按摩")
    )
    c1 = customer_make(actor=owner, branch=branch_a, name="周一", mobile="13800000001")
    c2 = customer_make(actor=owner, branch=branch_a, name="吴二", mobile="13800000002")
    c3 = customer_make(actor=owner, branch=branch_b, name="郑三", mobile="13800000003")
    c4 = customer_make(actor=owner, branch=branch_b, name="王四", mobile="13800000004")
    Customer.objects.filter(pk=c1.pk).update(is_key_account=True, owner=manager_a)
    Customer.objects.filter(pk=c3.pk).update(is_key_account=True, owner=None, referrer=c1)
    Customer.objects.filter(pk=c2.pk).update(referrer=c1)
    Customer.objects.filter(pk=c4.pk).update(referrer=c3)
    # (customer, branch, local day, amount, (staff, service) lines)
    visits = [
        visit_make(
            customer=c,
            branch=b,
            at=_at(day),
            total_fen=fen,
            subtotal_fen=fen,
            lines=[(staff, service, 0) for staff, service in lines],
        )
        for c, b, day, fen, lines in (
            (c1, branch_a, "2026-01-10", 10000, [(s1, x)]),
            (c1, branch_a, "2026-02-05", 20000, [(s1, y)]),
            (c1, branch_a, "2026-05-20", 0, []),
            (c2, branch_a, "2026-01-15", 30000, [(s2, x)]),
            (c2, branch_b, "2026-01-15", 4000, []),
            (c3, branch_b, "2026-02-01", 8000, [(s1, x)]),
            (c3, branch_b, "2026-06-29", 12000, []),
        )
    ]
    refunded = visits[1]
    refund = Refund.objects.create(
        business=business, visit=refunded, amount_fen=2000, reason=RefundReason.OTHER
    )
    Refund.objects.filter(pk=refund.pk).update(created_at=_at("2026-03-03"))
    package = Payment.objects.create(
        business=business,
        branch=branch_a,
        customer=c2,
        purpose=PaymentPurpose.PACKAGE_SALE,
        method=PaymentMethod.CASH,
        amount_fen=50000,
    )
    # paid at 00:30 on 1 March, Shanghai time: still February in UTC, March locally
    Payment.objects.filter(pk=package.pk).update(
        created_at=_at("2026-03-01", 0) + dt.timedelta(minutes=30)
    )
    figures_refresh(business=business, today=TODAY)
    return {"c1": c1, "c2": c2, "c3": c3, "c4": c4, "s1": s1, "s2": s2, "x": x, "y": y}


def test_revenue_by_month_sales_less_refunds(
    salon: dict[str, Any], branch_a: Branch, branch_b: Branch
) -> None:
    rows = {
        (r.branch_id, r.month.isoformat()): (r.sales_fen, r.refunds_fen, r.visits)
        for r in RevenueMonth.objects.all()
    }
    assert rows == {
        (branch_a.pk, "2026-01-01"): (40000, 0, 2),
        (branch_a.pk, "2026-02-01"): (20000, 0, 1),
        (branch_a.pk, "2026-03-01"): (50000, 2000, 0),  # the package sale, the refund
        (branch_a.pk, "2026-05-01"): (0, 0, 1),
        (branch_b.pk, "2026-01-01"): (4000, 0, 1),
        (branch_b.pk, "2026-02-01"): (8000, 0, 1),
        (branch_b.pk, "2026-06-01"): (12000, 0, 1),
    }


def test_repeat_and_rebooking_by_branch_staff_and_service(
    salon: dict[str, Any], branch_a: Branch, branch_b: Branch
) -> None:
    rows = {
        (r.dimension, r.branch_id, r.key_id): (
            r.customers,
            r.repeat_customers,
            r.visits,
            r.rebooked,
        )
        for r in RepeatRate.objects.all()
    }
    a, b = branch_a.pk, branch_b.pk
    s1, s2, x, y = (salon[k].pk for k in ("s1", "s2", "x", "y"))
    assert rows == {
        # A: c1 on three days (10 Jan rebooked 26 days later; 5 Feb not within 90 days;
        # 20 May too recent to tell), c2 once
        ("branch", a, a): (2, 1, 3, 1),
        # B: c2 once (same day as in A), c3 twice, 148 days apart
        ("branch", b, b): (2, 1, 2, 0),
        ("staff", a, s1): (1, 1, 2, 1),
        ("staff", a, s2): (1, 0, 1, 0),
        ("staff", b, s1): (1, 0, 1, 0),
        ("service", a, x): (2, 0, 2, 1),
        ("service", a, y): (1, 0, 1, 0),
        ("service", b, x): (1, 0, 1, 0),
    }


def test_cohorts_by_first_month_in_the_home_branch(
    salon: dict[str, Any], branch_a: Branch, branch_b: Branch
) -> None:
    rows = {
        (r.branch_id, r.cohort.isoformat(), r.offset): r.customers for r in CohortCell.objects.all()
    }
    assert rows == {
        (branch_a.pk, "2026-01-01", 0): 2,
        (branch_a.pk, "2026-01-01", 1): 1,
        (branch_a.pk, "2026-01-01", 4): 1,
        (branch_b.pk, "2026-02-01", 0): 1,
        (branch_b.pk, "2026-02-01", 4): 1,
    }


def test_value_bands_and_totals(salon: dict[str, Any], branch_a: Branch, branch_b: Branch) -> None:
    # too few customers for the model: only the 20 × rule is banded
    # c1: 20 × (100 + 200 − 20) yuan = ¥5,600; c2: 20 × (300 + 40 + 500) = ¥16,800 (home A);
    # c3: 20 × (80 + 120) = ¥4,000
    bands = {(r.branch_id, r.measure, r.bucket): r.customers for r in ValueBucket.objects.all()}
    edges = VALUE_BANDS_YUAN
    assert bands == {
        (branch_a.pk, "rule", edges.index(5_000)): 1,
        (branch_a.pk, "rule", edges.index(10_000)): 1,
        (branch_b.pk, "rule", edges.index(2_000)): 1,
    }
    worth = dict(CustomerFigures.objects.values_list("customer_id", "worth_fen"))
    assert worth == {salon["c1"].pk: 560000, salon["c2"].pk: 1680000, salon["c3"].pk: 400000}
    figures = CustomerFigures.objects.get(customer=salon["c1"])
    assert (figures.key_account, figures.referred_count, figures.referred_worth_fen) == (
        True,
        2,
        1680000 + 400000,
    )
    # c3 brought c4, who never came: counted, worth nothing yet
    c3 = CustomerFigures.objects.get(customer=salon["c3"])
    assert (c3.referred_count, c3.referred_worth_fen) == (1, 0)
    totals = {t.branch_id: t for t in BranchTotals.objects.all()}
    # potential threshold: the 95th percentile of (400000, 560000, 1680000), linear
    threshold = 560000 + 0.9 * (1680000 - 560000)
    a, b = totals[branch_a.pk], totals[branch_b.pk]
    assert a.potential_threshold_fen == b.potential_threshold_fen == round(threshold)
    assert (a.customers, a.worth_fen, a.key_accounts, a.key_accounts_unowned) == (
        2,
        2240000,
        1,
        0,
    )
    assert (a.potential_key_accounts, a.referred_customers, a.referred_worth_fen) == (
        1,
        1,
        1680000,
    )
    assert (a.referrers, b.referrers) == (1, 1)
    assert (b.key_accounts, b.key_accounts_unowned, b.key_worth_fen) == (1, 1, 400000)
    assert (b.referred_customers, b.referred_worth_fen, b.potential_key_accounts) == (1, 400000, 0)


def test_a_second_refresh_replaces_the_tables(salon: dict[str, Any], business: Business) -> None:
    before = RepeatRate.objects.count(), RevenueMonth.objects.count(), CohortCell.objects.count()
    figures_refresh(business=business, today=TODAY)
    after = RepeatRate.objects.count(), RevenueMonth.objects.count(), CohortCell.objects.count()
    assert before == after


# --- the pages -------------------------------------------------------------------------------

PAGES = ("revenue", "rates", "cohorts", "value", "key-accounts", "referrals")


def _data(page: str, element: str) -> dict[str, Any]:
    found = re.search(rf'<script id="{element}" type="application/json">(.*?)</script>', page)
    assert found, element
    option: dict[str, Any] = json.loads(found.group(1))
    return option


@pytest.mark.parametrize("page", PAGES)
def test_pages_for_owner_and_auditor_not_for_front_desk(
    salon: dict[str, Any],
    owner_client: Client,
    auditor_client: Client,
    front_a_client: Client,
    page: str,
) -> None:
    assert owner_client.get(f"/analytics/{page}/").status_code == 200
    assert auditor_client.get(f"/analytics/{page}/").status_code == 200
    assert front_a_client.get(f"/analytics/{page}/").status_code == 404


def test_revenue_page_yuan_from_fen(
    salon: dict[str, Any], owner_client: Client, branch_a: Branch
) -> None:
    page = owner_client.get(f"/analytics/revenue/?branch={branch_a.pk}").content.decode()
    chart = _data(page, "revenue-data")
    assert chart["months"] == ["2026-01", "2026-02", "2026-03", "2026-05"]
    assert chart["sales"] == ["400.00", "200.00", "500.00", "0.00"]
    assert chart["refunds"] == ["0.00", "0.00", "-20.00", "0.00"]
    assert chart["net"] == ["400.00", "200.00", "480.00", "0.00"]
    everything = _data(owner_client.get("/analytics/revenue/").content.decode(), "revenue-data")
    assert everything["sales"][0] == "440.00"  # both branches


def test_branch_filter_stays_within_the_users_branches(
    salon: dict[str, Any], manager_a_client: Client, branch_a: Branch, branch_b: Branch
) -> None:
    mine = _data(manager_a_client.get("/analytics/rates/").content.decode(), "rates-branch-data")
    assert mine["labels"] == [branch_a.name]
    assert mine["repeat"] == [50.0]
    # asking for another branch falls back to the user's own
    other = manager_a_client.get(f"/analytics/rates/?branch={branch_b.pk}").content.decode()
    assert _data(other, "rates-branch-data")["labels"] == [branch_a.name]
    cohorts = _data(manager_a_client.get("/analytics/cohorts/").content.decode(), "cohort-data")
    assert cohorts["cohorts"] == ["2026-01"]
    assert cohorts["sizes"] == [2]
    assert [0, 0, 50.0, 1] in cohorts["cells"]  # one of two came back a month later


def test_key_accounts_ranked_with_owners_and_audited(
    salon: dict[str, Any], owner_client: Client, owner: User
) -> None:
    page = owner_client.get("/analytics/key-accounts/").content.decode()
    key = page.split('id="key-list"')[1].split("</section>")[0]
    assert key.index("周一") < key.index("郑三")  # ¥5,600 before ¥4,000
    unowned = page.split('id="key-unowned"')[1].split("</section>")[0]
    assert "郑三" in unowned
    assert "周一" not in unowned
    potential = page.split('id="key-potential"')[1].split("</section>")[0]
    assert "吴二" in potential
    assert policy.present_mobile(owner, "13800000002") in potential  # as the policy shows it
    event = AuditEvent.objects.filter(fields=["key_accounts"]).latest("seq")
    assert event.action == "list"
    assert set(event.customer_ids) == {salon["c1"].pk, salon["c2"].pk, salon["c3"].pk}


def test_key_accounts_out_of_scope_are_not_listed(
    salon: dict[str, Any], manager_a_client: Client
) -> None:
    page = manager_a_client.get("/analytics/key-accounts/").content.decode()
    assert "周一" in page
    assert "郑三" not in page  # branch B


def test_referrals_network_and_top_referrers(salon: dict[str, Any], owner_client: Client) -> None:
    page = owner_client.get("/analytics/referrals/").content.decode()
    graph = _data(page, "referral-data")
    names = {n["name"]: n for n in graph["nodes"]}
    assert names["周一"]["category"] == 0
    assert names["周一"]["referred"] == 2
    assert names["吴二"]["value"] == 16800  # whole yuan
    links = {(link["source"], link["target"]) for link in graph["links"]}
    c = {k: str(salon[k].pk) for k in ("c1", "c2", "c3", "c4")}
    assert links == {(c["c1"], c["c2"]), (c["c1"], c["c3"]), (c["c3"], c["c4"])}
    top = page.split('id="referrers"')[1]
    assert top.index("周一") < top.index("郑三")
    assert AuditEvent.objects.filter(fields=["referrals"]).exists()


def test_referral_network_hides_customers_out_of_scope(
    salon: dict[str, Any], manager_a_client: Client
) -> None:
    graph = _data(manager_a_client.get("/analytics/referrals/").content.decode(), "referral-data")
    assert {n["name"] for n in graph["nodes"]} == {"周一", "吴二"}  # not 郑三 of branch B


def test_pages_without_a_refresh_say_so(business: Business, owner_client: Client) -> None:
    for page in PAGES:
        text = owner_client.get(f"/analytics/{page}/").content.decode()
        assert "liuke analytics refresh" in text
        assert "data-chart" not in text


# --- the API ---------------------------------------------------------------------------------


def test_api_revenue_rates_cohorts_value(
    salon: dict[str, Any], owner_client: Client, branch_a: Branch
) -> None:
    months = owner_client.get(f"/api/v1/analytics/dashboards/revenue?branch_id={branch_a.pk}")
    assert months.status_code == 200
    assert [
        (m["month"], m["sales_fen"], m["refunds_fen"], m["net_fen"]) for m in months.json()
    ] == [
        ("2026-01-01", 40000, 0, 40000),
        ("2026-02-01", 20000, 0, 20000),
        ("2026-03-01", 50000, 2000, 48000),
        ("2026-05-01", 0, 0, 0),
    ]
    rates = owner_client.get("/api/v1/analytics/dashboards/rates").json()
    assert rates["rebook_days"] == REBOOK_DAYS
    staff = {r["key_id"]: r for r in rates["staff"]}
    s1 = staff[salon["s1"].pk]  # in A and in B, added up
    assert (s1["customers"], s1["repeat_customers"], s1["visits"], s1["rebooked"]) == (2, 1, 3, 1)
    assert s1["repeat_rate"] == 50.0
    assert s1["rebooking_rate"] == 33.3
    cohorts = owner_client.get("/api/v1/analytics/dashboards/cohorts").json()
    assert cohorts == [
        {"cohort": "2026-01-01", "customers": 2, "retained": [1, 0, 0, 1]},
        {"cohort": "2026-02-01", "customers": 1, "retained": [0, 0, 0, 1]},
    ]
    bands = owner_client.get("/api/v1/analytics/dashboards/value").json()
    assert sum(b["rule_customers"] for b in bands) == 3
    assert sum(b["model_customers"] for b in bands) == 0  # too few customers for the model
    assert bands[-1]["upper_yuan"] is None


def test_api_key_accounts_and_referrals_scoped_and_audited(
    salon: dict[str, Any], manager_a_client: Client, owner_client: Client
) -> None:
    body = manager_a_client.get("/api/v1/analytics/dashboards/key-accounts").json()
    assert [c["name"] for c in body["key_accounts"]] == ["周一"]  # not 郑三 of branch B
    assert [c["name"] for c in body["potential"]] == ["吴二"]
    assert body["totals"]["key_accounts"] == 1
    assert AuditEvent.objects.filter(fields=["key_accounts"]).latest("seq").customer_ids == sorted(
        [salon["c1"].pk, salon["c2"].pk]
    )
    everything = owner_client.get("/api/v1/analytics/dashboards/referrals").json()
    assert [c["name"] for c in everything["top_referrers"]] == ["周一", "郑三"]
    assert everything["top_referrers"][0]["referred_worth_fen"] == 2080000
    assert len(everything["links"]) == 3
    mine = manager_a_client.get("/api/v1/analytics/dashboards/referrals").json()
    assert mine["links"] == [{"referrer_id": salon["c1"].pk, "customer_id": salon["c2"].pk}]


@pytest.mark.parametrize(
    "path", ["revenue", "rates", "cohorts", "value", "key-accounts", "referrals"]
)
def test_api_dashboards_need_analytics_view(
    salon: dict[str, Any], front_a_client: Client, path: str
) -> None:
    response = front_a_client.get(f"/api/v1/analytics/dashboards/{path}")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_api_refresh(
    salon: dict[str, Any],
    owner_client: Client,
    auditor_client: Client,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks() as queued:
        first = owner_client.post("/api/v1/analytics/refresh")
        again = owner_client.post("/api/v1/analytics/refresh")
    assert (first.status_code, again.status_code) == (202, 200)
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["status"] == "queued"
    assert len(queued) == 1  # one job enqueued
    assert owner_client.get("/api/v1/analytics/refresh").json()["id"] == first.json()["id"]
    assert auditor_client.post("/api/v1/analytics/refresh").status_code == 403


def test_value_lost_ranks_by_the_model_where_it_is_trusted() -> None:
    """Where the model is trusted, value lost is on the key accounts' scale: the 12-month model
    value had the customer stayed × the probability they are gone; elsewhere the 20 × rule."""
    lost = value_lost(
        segment=["at_risk", "at_risk", "champions"],
        visits=np.array([5, 5, 5]),
        age_days=np.array([730, 730, 730]),
        total_spend_fen=np.array([2_000_000, 2_000_000, 2_000_000]),
        recency_days=np.array([200, 200, 10]),
        probability_alive=np.array([0.25, np.nan, 0.9]),
        slipping=("at_risk",),
        model_value_fen=np.array([100_000.0, np.nan, 500_000.0]),
    )
    # 100,000 / 0.25 × 0.75 = 300,000; the second by the rule: 20 × 1,000,000 × 200/365
    assert lost.tolist() == [300_000, round(20 * 1_000_000 * 200 / 365), 0]

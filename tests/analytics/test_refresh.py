"""The per-customer summary by SQL equals the NumPy rules on the same visits; the refresh stores
one row of figures per customer and replaces them; thin data are labelled, not modelled."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from django.utils import timezone
from tests.factories import customer_make, visit_build, visit_make

from liuke.accounts.models import Branch, Business, User
from liuke.analytics import queries
from liuke.analytics.clv import bgnbd, simulate
from liuke.analytics.clv import gamma_gamma as gg
from liuke.analytics.clv.summary import summarise
from liuke.analytics.models import CustomerFigures, ModelRun
from liuke.analytics.services import figures_refresh
from liuke.customers.models import Customer
from liuke.sales.choices import RefundReason, VisitStatus
from liuke.sales.models import Refund, Visit

TODAY = dt.date(2026, 6, 30)


def visits_make(
    customers: list[Any], rng: np.random.Generator, *, per_customer: int = 6
) -> list[tuple[int, dt.date, int]]:
    """Visits at random times over two years (some on the same day, some free), written
    straight into sales.Visit. Returns (customer, local day, amount) rows."""
    zone = timezone.get_default_timezone()
    rows = []
    objects = []
    for customer in customers:
        n = int(rng.integers(1, per_customer + 1))
        days = rng.integers(0, 730, n)
        days = np.concatenate([days, days[:1]]) if rng.random() < 0.3 else days  # same day
        for d in days.tolist():
            local = dt.datetime.combine(TODAY - dt.timedelta(days=d), dt.time(), tzinfo=zone)
            at = local + dt.timedelta(hours=int(rng.integers(0, 24)), minutes=7)
            amount = 0 if rng.random() < 0.1 else int(rng.integers(5000, 90000))
            objects.append(
                visit_build(customer=customer, at=at, total_fen=amount, subtotal_fen=amount)
            )
            rows.append((customer.pk, timezone.localdate(at), amount))
    Visit.objects.bulk_create(objects)
    return rows


@pytest.fixture
def archive(owner: User, branch_a: Branch, branch_b: Branch) -> tuple[list[Any], list[Any]]:
    rng = np.random.default_rng(4)
    customers = [
        customer_make(actor=owner, branch=branch_a if i % 3 else branch_b, name=f"顾客{i}")
        for i in range(60)
    ]
    return customers, visits_make(customers, rng)


@pytest.fixture
def modelled(owner: User, branch_a: Branch) -> list[Any]:
    """60 customers whose visits are drawn from BG/NBD and Gamma-Gamma themselves (seeded), so
    that the models fit them: the figures that need a fit are always there to check."""
    rng = np.random.default_rng(0)
    customers = [customer_make(actor=owner, branch=branch_a, name=f"顾客{i}") for i in range(60)]
    index, day, amount = simulate.transactions(
        bgnbd.Params(0.5, 30.0, 0.9, 4.0),
        gg.Params(5.0, 3.5, 9000.0),
        rng.integers(0, 600, len(customers)),
        730,
        rng,
    )
    zone = timezone.get_default_timezone()
    visits = []
    for i, d, fen in zip(index.tolist(), day.tolist(), np.round(amount).tolist(), strict=True):
        customer = customers[i]
        local = dt.datetime.combine(TODAY - dt.timedelta(days=730 - d), dt.time(11), tzinfo=zone)
        visits.append(
            visit_build(customer=customer, at=local, total_fen=int(fen), subtotal_fen=int(fen))
        )
    Visit.objects.bulk_create(visits)
    return customers


def test_sql_summary_equals_the_numpy_rules(
    archive: tuple[list[Any], list[Any]], business: Business
) -> None:
    customers, rows = archive
    # given a partly refunded visit: its amount counts net of the refund
    visit = Visit.objects.filter(total_fen__gt=20000).earliest("pk")
    Refund.objects.create(
        business=business, visit=visit, amount_fen=7000, reason=RefundReason.OTHER
    )
    Visit.objects.filter(pk=visit.pk).update(status=VisitStatus.PARTLY_REFUNDED)
    # and a fully refunded one: a visit without an amount
    full = Visit.objects.filter(total_fen__gt=0).exclude(pk=visit.pk).latest("pk")
    Refund.objects.create(
        business=business, visit=full, amount_fen=full.total_fen, reason=RefundReason.ALLERGY
    )
    Visit.objects.filter(pk=full.pk).update(status=VisitStatus.REFUNDED)
    changed = {
        (visit.customer_id, visit.visited_on, visit.total_fen): visit.total_fen - 7000,
        (full.customer_id, full.visited_on, full.total_fen): 0,
    }
    rows = [(c, d, changed.get((c, d, a), a)) for c, d, a in rows]
    # a visit after the observation end is ignored
    later = customers[0]
    visit_make(customer=later, at=timezone.now() + dt.timedelta(days=400), total_fen=100)

    got = queries.customer_summary(business_id=business.pk, observation_end=TODAY)

    ids = sorted({c for c, _, _ in rows})
    code = {c: i for i, c in enumerate(ids)}
    expected = summarise(
        [code[c] for c, _, _ in rows],
        [(d - dt.date(1970, 1, 1)).days for _, d, _ in rows],
        [a for _, _, a in rows],
        observation_end=(TODAY - dt.date(1970, 1, 1)).days,
    )
    assert got.customer_id.tolist() == ids
    for field in ("x", "t_x", "T", "spend_x", "total_spend", "year_spend", "first_day"):
        np.testing.assert_array_equal(getattr(got.summary, field), getattr(expected, field))
    np.testing.assert_allclose(got.summary.spend_mean, expected.spend_mean)
    assert got.visits == int((expected.x + 1).sum())  # visit days
    branches = dict(zip(got.customer_id.tolist(), got.branch_id.tolist(), strict=True))
    assert all(branches[c.pk] == c.branch_id for c in customers)


def test_refresh_stores_and_replaces_figures(modelled: list[Any], business: Business) -> None:
    customers = modelled
    first = figures_refresh(business=business, today=TODAY)
    assert first.customers == len(customers)
    assert CustomerFigures.objects.filter(business=business).count() == len(customers)
    again = figures_refresh(business=business, today=TODAY)
    assert CustomerFigures.objects.filter(business=business).count() == len(customers)
    assert set(CustomerFigures.objects.values_list("run_id", flat=True)) == {again.run.pk}
    run = ModelRun.objects.get(pk=again.run.pk)
    assert run.customers == len(customers)
    # visits drawn from the model itself: the fit converges
    assert run.bgnbd_status == "ok"
    figures = CustomerFigures.objects.get(customer=customers[1])
    assert figures.rule_value_fen == 20 * figures.year_spend_fen
    assert 1 <= figures.recency_score <= 5
    assert 0 <= figures.loyalty <= 100
    assert figures.probability_alive is not None
    assert figures.value_fen is not None


def test_thin_data_is_labelled_not_modelled(
    owner: User, branch_a: Branch, business: Business
) -> None:
    rng = np.random.default_rng(1)
    customers = [customer_make(actor=owner, branch=branch_a, name=f"新客{i}") for i in range(3)]
    visits_make(customers, rng)
    result = figures_refresh(business=business, today=TODAY)
    assert result.run.bgnbd_status in {"thin", "no_repeats"}
    assert result.run.params["r"] is None
    stored = list(CustomerFigures.objects.filter(business=business))
    assert len(stored) == len(customers)
    for figures in stored:
        assert figures.probability_alive is None
        assert figures.value_fen is None
        assert figures.rule_value_fen >= 0


def test_other_business_is_untouched(
    archive: tuple[list[Any], list[Any]],
    business: Business,
    other_business: Business,
    outsider: User,
) -> None:
    figures_refresh(business=business, today=TODAY)
    result = figures_refresh(business=other_business, today=TODAY)
    assert result.customers == 0
    assert CustomerFigures.objects.filter(business=business).exists()


def test_survey_answers_become_satisfaction_and_join_loyalty(
    archive: tuple[list[Any], list[Any]], business: Business, owner: User
) -> None:
    """Answers taken through the real survey path (job, message, signed link): the refresh
    stores the satisfaction rating and the latest recommend answer, and the loyalty rating moves
    by the documented weight; customers without an answer keep a behaviour-only rating."""
    from tests.feedback.helpers import survey_link

    from liuke.analytics import rfm
    from liuke.feedback.services.surveys import survey_answer

    customers, _ = archive
    happy, unhappy, silent = customers[1], customers[2], customers[4]
    figures_refresh(business=business, today=TODAY)
    before = {
        f.customer_id: f.loyalty
        for f in CustomerFigures.objects.filter(customer__in=[happy, unhappy, silent])
    }
    assert all(f.satisfaction is None for f in CustomerFigures.objects.all())

    Customer.objects.filter(pk__in=[happy.pk, unhappy.pk, silent.pk]).update(
        marketing_consent=True  # surveys go to customers who agreed to be contacted
    )
    long_ago = timezone.now() - dt.timedelta(days=120)  # beyond the survey cool-down
    survey_answer(
        signed=survey_link(happy, visited_at=long_ago),
        data={"satisfaction": "4", "recommend": "3"},
        now=long_ago + dt.timedelta(hours=4),
    )
    survey_answer(signed=survey_link(happy), data={"satisfaction": "5", "recommend": "10"})
    survey_answer(signed=survey_link(unhappy), data={"satisfaction": "1", "recommend": "0"})
    # the survey visits are today's: the refresh observes up to today
    today = timezone.localdate()
    figures_refresh(business=business, today=today)

    got = {f.customer_id: f for f in CustomerFigures.objects.filter(customer__in=customers[:5])}
    assert (got[happy.pk].satisfaction, got[happy.pk].recommend) == (88, 10)  # mean 4.5
    assert (got[unhappy.pk].satisfaction, got[unhappy.pk].recommend) == (0, 0)
    assert (got[silent.pk].satisfaction, got[silent.pk].recommend) == (None, None)
    # loyalty: 0.8 × behaviour + 0.2 × recommend / 10 (behaviour recomputed without the answer)
    for customer, said in ((happy, 10), (unhappy, 0)):
        row = got[customer.pk]
        behaviour = rfm.loyalty(
            repeat_visits=np.array([row.visits - 1]),
            tenure_days=np.array([(row.last_visit_on - row.first_visit_on).days]),
            recency_days=np.array([(today - row.last_visit_on).days]),
            probability_alive=np.array(
                [row.probability_alive if row.probability_alive is not None else np.nan]
            ),
            prepaid=np.array([0.0]),
            referrals=np.array([0.0]),
        )[0]
        expected = round(0.8 * behaviour + 0.2 * 100 * said / 10)
        assert abs(row.loyalty - expected) <= 1, (row.loyalty, behaviour, said)
    assert set(before) == {happy.pk, unhappy.pk, silent.pk}


def test_satisfaction_mapping() -> None:
    from liuke.analytics import rfm

    got = rfm.satisfaction(np.array([1.0, 3.0, 4.5, 5.0, np.nan]))
    assert got[:4].tolist() == [0.0, 50.0, 88.0, 100.0]
    assert np.isnan(got[4])

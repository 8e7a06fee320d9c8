"""Sales reads: the customer's money summary, scoping of cards/visits/packages, and the daily
close on a small scenario whose every figure is worked out by hand."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone
from tests.sales.shop import Shop, shop_make

from liuke.accounts.models import Branch, User
from liuke.core.errors import NotFound, PermissionDenied
from liuke.sales import selectors, services


@pytest.fixture
def shop(owner: User, branch_a: Branch, beautician_a: User) -> Shop:
    return shop_make(owner=owner, branch=branch_a, beautician=beautician_a)


def _today(branch: Branch) -> dt.date:
    return timezone.now().astimezone(zoneinfo.ZoneInfo(branch.time_zone)).date()


def test_the_summary_counts_spend_net_of_refunds(shop: Shop, front_a: User) -> None:
    # given a visit two years ago, one last month (refunded in part) and one today with rebooking
    old = services.checkout(
        actor=shop.owner,
        data=shop.checkout_data(
            payments=[{"method": "cash", "amount_fen": 10000}],
            visited_at=timezone.now() - dt.timedelta(days=730),
        ),
    )
    recent = services.checkout(
        actor=shop.owner,
        data=shop.checkout_data(
            shop.line(shop.massage),
            payments=[{"method": "alipay", "amount_fen": 20000}],
            visited_at=timezone.now() - dt.timedelta(days=30),
        ),
    )
    services.visit_refund(actor=shop.owner, visit_id=recent.pk, reason="complaint")
    next_visit = timezone.now() + dt.timedelta(days=21)
    today = services.checkout(
        actor=shop.owner,
        data=shop.checkout_data(
            shop.line(package_id=shop.package.pk), next_visit_at=next_visit, payments=[]
        ),
    )

    summary = selectors.customer_sales_summary(actor=front_a, customer=shop.customer)

    assert summary is not None
    assert summary.visits == 3
    assert (summary.spend_fen, summary.spend_12m_fen) == (10000, 0)
    assert summary.last_visit == today.visited_at
    assert summary.next_visit == next_visit
    assert [(c.paid_fen, c.bonus_fen) for c in summary.cards] == [(100000, 20000)]
    assert summary.stored_value_fen == 120000
    assert [p.remaining for p in summary.packages] == [2]
    assert old.pk


def test_another_branch_sees_no_card_visit_or_package(
    shop: Shop, front_b: User, outsider: User, auditor: User
) -> None:
    visit = services.checkout(
        actor=shop.owner,
        data=shop.checkout_data(payments=[{"method": "cash", "amount_fen": 10000}]),
    )
    for actor in (front_b, outsider):
        with pytest.raises(NotFound):
            selectors.card_get(actor=actor, card_id=shop.card.pk)
        with pytest.raises(NotFound):
            selectors.visit_get(actor=actor, visit_id=visit.pk)
        with pytest.raises(NotFound):
            selectors.package_get(actor=actor, package_id=shop.package.pk)
    # the auditor reads every branch
    view, entries = selectors.card_get(actor=auditor, card_id=shop.card.pk)
    assert view.balance_fen == 120000
    assert [e.kind for e in entries] == ["bonus", "topup"]


def test_the_daily_close_of_a_small_day(
    shop: Shop, front_a: User, manager_a: User, beautician_a: User, branch_b: Branch
) -> None:
    # given (besides the shop's ¥1,000 top-up in cash with ¥200 bonus, and the ¥100 package
    # sold by WeChat): a facial paid cash (then refunded), and a package facial plus a mask
    # paid from the card
    cash_visit = services.checkout(
        actor=front_a, data=shop.checkout_data(payments=[{"method": "cash", "amount_fen": 10000}])
    )
    services.checkout(
        actor=front_a,
        data=shop.checkout_data(
            shop.line(package_id=shop.package.pk),
            {"product_id": shop.mask.pk},
            payments=[{"method": "stored_value", "amount_fen": 5000, "card_id": shop.card.pk}],
        ),
    )
    services.visit_refund(actor=manager_a, visit_id=cash_visit.pk, reason="not_performed")

    # when the day is closed
    close = selectors.daily_close(actor=front_a, branch_id=shop.branch.pk, day=_today(shop.branch))

    # then the money by method: cash 100000 (top-up) + 10000 (visit) - 10000 (refund)
    assert close.money_by_method == {"cash": 100000, "bank_card": 0, "wechat": 10000, "alipay": 0}
    assert close.money_total_fen == 110000
    assert close.money_by_purpose == {
        "topup": 100000,
        "package_sale": 10000,
        "visit": 10000,
        "refund": -10000,
    }
    assert close.stored_value_used_fen == 5000
    assert (close.package_sessions_used, close.package_value_used_fen) == (1, 3333)
    assert (close.visits, close.discounts_fen) == (2, 0)
    assert (close.refunds, close.refunds_fen) == (1, 10000)
    assert close.refunds_by_reason == {"not_performed": 10000}
    # the beautician earned the package session (3333); the refunded facial counts nothing;
    # the mask has no seller
    assert dict(close.revenue_by_staff) == {"美容师小林": 3333, "—": 5000}
    # liabilities: the card's paid part after 5000 spent (4167 paid + 833 bonus), and the
    # unearned two thirds of the package
    assert close.stored_value_paid_liability_fen == 100000 - 4167
    assert close.stored_value_bonus_outstanding_fen == 20000 - 833
    assert (close.package_liability_fen, close.package_sessions_outstanding) == (6667, 2)

    # and another branch's day, or another day, is empty of it
    other = selectors.daily_close(
        actor=manager_a, branch_id=shop.branch.pk, day=dt.date(2020, 1, 1)
    )
    assert (other.money_total_fen, other.visits, other.stored_value_paid_liability_fen) == (0, 0, 0)
    with pytest.raises(NotFound):
        selectors.daily_close(actor=front_a, branch_id=branch_b.pk, day=_today(shop.branch))
    with pytest.raises(PermissionDenied):
        selectors.daily_close(actor=beautician_a, branch_id=shop.branch.pk, day=_today(shop.branch))

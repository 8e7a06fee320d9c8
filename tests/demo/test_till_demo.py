"""The demo salon as a salon really is: every past visit paid, cards and packages in use made
through the services (with their ledgers, payments, audit entries and consumption notices),
today's checkouts paid by cash, phone, card and package sessions, so the daily close and the
liabilities show real figures; and the customer figures computed as the demo is built, so no
page asks for a command."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from django.db.models import Count, Sum
from django.test import Client, TestCase
from django.utils import timezone
from tests.db import built_once

from liuke.accounts.models import Branch, Business, User
from liuke.analytics.models import CustomerFigures
from liuke.audit.models import AuditEvent
from liuke.customers.models import Customer
from liuke.demo.builder import demo_build
from liuke.engagement.choices import MessageKind
from liuke.engagement.models import Message
from liuke.sales import ledger, selectors
from liuke.sales.choices import CardEntryKind, PaymentMethod, PaymentPurpose
from liuke.sales.models import (
    CardEntry,
    Package,
    PackageEntry,
    Payment,
    StockEntry,
    StoredValueCard,
    Visit,
)

if TYPE_CHECKING:
    from pytest_django import DjangoDbBlocker

PASSWORD = "demo-pass-2026"

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[Business]:
    """Built once for the module (a whole demo build is about 15 s); every test reads it in a
    savepoint of its own (tests.db.built_once)."""
    with built_once(django_db_blocker):
        with django_db_blocker.unblock():
            # the notices are queued after each checkout commits, as on a real first start
            with TestCase.captureOnCommitCallbacks(execute=True):
                result = demo_build(
                    customers=150, seed=42, username="owner", password=PASSWORD, progress=False
                )
            business = Business.objects.get(pk=result.business_id)
        yield business


def test_every_past_visit_is_paid_in_full(demo: Business) -> None:
    today = timezone.localdate()
    past = Visit.objects.filter(business=demo, total_fen__gt=0, visited_on__lt=today)
    assert past.exists()
    paid = past.annotate(paid=Sum("payments__amount_fen"), n=Count("payments"))
    assert [v.pk for v in paid if v.paid != v.total_fen] == []
    methods = set(Payment.objects.filter(visit__in=past).values_list("method", flat=True))
    assert {"cash", "wechat", "alipay"} <= methods


def test_cards_and_packages_are_in_use_with_their_ledgers(demo: Business) -> None:
    cards = StoredValueCard.objects.filter(business_id=demo.pk)
    assert cards.count() >= 10
    assert {c.tier.name for c in cards if c.tier} == {"银卡", "金卡", "钻石卡"}
    kinds = set(CardEntry.objects.filter(card__in=cards).values_list("kind", flat=True))
    assert {CardEntryKind.TOPUP, CardEntryKind.BONUS, CardEntryKind.DEDUCT} <= kinds
    assert Payment.objects.filter(card__in=cards, method=PaymentMethod.STORED_VALUE).exists()
    assert Payment.objects.filter(purpose=PaymentPurpose.TOPUP, customer__business=demo).exists()
    packages = Package.objects.filter(customer__business=demo)
    assert packages.count() >= 5
    assert all(p.template_id for p in packages)  # sold from the templates
    used = PackageEntry.objects.filter(package__in=packages, sessions_delta__lt=0)
    assert used.exists()
    # through the services: audited, and each deduction's notice queued in the outbox
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"card_issue", "checkout"} <= actions
    notices = Message.objects.filter(business=demo, kind=MessageKind.CONSUMPTION)
    assert notices.exists()
    assert StockEntry.objects.filter(product__business=demo, delta__lt=0).exists()
    for card in cards:  # every balance is its ledger's, never negative
        assert min(ledger.card_balances(card)) >= 0


def test_the_daily_close_and_liabilities_show_real_figures(demo: Business) -> None:
    owner = User.objects.get(username="owner")
    today = timezone.localdate()
    for branch in Branch.objects.filter(business=demo):
        close = selectors.daily_close(actor=owner, branch_id=branch.pk, day=today)
        assert close.visits > 0
        assert close.money_total_fen > 0
        assert close.stored_value_used_fen > 0
        assert close.package_sessions_used > 0
        assert close.stored_value_paid_liability_fen > 0
        assert close.package_sessions_outstanding > 0
        yesterday = selectors.daily_close(
            actor=owner, branch_id=branch.pk, day=today - dt.timedelta(days=1)
        )
        assert yesterday.money_total_fen == sum(
            Payment.objects.filter(
                visit__branch=branch, visit__visited_on=yesterday.day
            ).values_list("amount_fen", flat=True)
        )


def test_the_figures_are_computed_on_the_first_start(demo: Business, client: Client) -> None:
    assert CustomerFigures.objects.filter(customer__business=demo).count() == (
        Customer.objects.filter(business=demo, merged_into__isnull=True).count()
    )
    client.force_login(User.objects.get(username="owner"))
    client.cookies["django_language"] = "en"
    page = client.get("/analytics/")
    assert page.status_code == 200
    assert "have not been computed" not in page.content.decode()

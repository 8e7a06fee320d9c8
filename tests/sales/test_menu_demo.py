"""The demo salon's menu (`sales.demo`): every service in a category, products with cost and
stock (some low), tiers with category prices, bonus rules without overlaps, templates whose
services exist; and the data migration that gave the services of before a category."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from liuke.accounts.models import Branch, Business, User
from liuke.demo import data
from liuke.sales import menu_selectors
from liuke.sales.demo import demo_menu
from liuke.sales.models import BonusRule, MenuCategory, PackageTemplate, Service

pytestmark = pytest.mark.django_db


def test_the_demo_menu(business: Business, owner: User, branch_a: Branch, branch_b: Branch) -> None:
    Service.objects.bulk_create(
        [
            Service(business=business, category=kind, name=name, duration_min=m, price_fen=y * 100)
            for kind, name, m, y in data.SERVICES
        ]
    )
    demo_menu(business=business)
    assert not Service.objects.filter(business=business, menu_category__isnull=True).exists()
    products = menu_selectors.menu_products(actor=owner, branches=[branch_a, branch_b])
    assert all(p.cost_fen for p in products)
    assert any(p.low for p in products)
    tiers = menu_selectors.tiers_for(actor=owner)
    assert [t.tier.name for t in tiers] == ["银卡", "金卡", "钻石卡"]
    assert tiers[2].category_pct
    for template in PackageTemplate.objects.filter(business=business):
        assert template.services.exists(), template.name
    pays = list(BonusRule.objects.values_list("pay_fen", flat=True))
    assert len(pays) == len(set(pays))  # no two rules for one amount: nothing can overlap


def test_the_data_migration_gives_old_services_a_category(business: Business) -> None:
    Service.objects.create(
        business=business, category="facial", name="A", duration_min=30, price_fen=1
    )
    Service.objects.create(
        business=business, category="spa", name="B", duration_min=30, price_fen=1
    )
    migration = importlib.import_module("liuke.sales.migrations.0009_backfill_menu_categories")
    migration.forwards(apps, None)
    named = dict(Service.objects.values_list("name", "menu_category__name"))
    assert named == {"A": "面部护理", "B": "SPA 与按摩"}
    migration.forwards(apps, None)  # again: nothing more
    assert MenuCategory.objects.count() == 2

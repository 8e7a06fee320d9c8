"""The menu's set-up services: categories, services, branch prices, skills, retiring, products and
stock counts, consumables, card tiers, bonus rules, package templates and the package sold from a
template; every refusal with its code, and the audit entry with the values before and after."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from tests.sales.shop import Shop, shop_make

from liuke.accounts import policy
from liuke.accounts.models import Branch, User
from liuke.audit.models import AuditEvent
from liuke.core.errors import CapabilityDenied, ServiceError
from liuke.sales import ledger, services
from liuke.sales.choices import StockEntryKind
from liuke.sales.models import MenuCategory, Package, Service, StockEntry, VisitLine
from liuke.sales.services.changes import add_months

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(owner: User, branch_a: Branch, beautician_a: User) -> Shop:
    return shop_make(owner=owner, branch=branch_a, beautician=beautician_a)


@pytest.fixture
def facials(owner: User) -> MenuCategory:
    return services.category_create(actor=owner, name="面部", kind="facial")


def refused(code: str, call: Any, **kwargs: Any) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        call(**kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


def last_audit() -> AuditEvent:
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None
    return event


# --- categories and services ---------------------------------------------------------------------


def test_a_service_is_created_in_a_category_and_audited(
    owner: User, facials: MenuCategory, beautician_a: User
) -> None:
    service = services.service_create(
        actor=owner,
        name="深层清洁",
        category_id=facials.pk,
        duration_min=60,
        price_fen=28800,
        staff_ids=[beautician_a.pk],
    )
    assert (service.category, service.menu_category_id, service.price_fen) == (
        "facial",
        facials.pk,
        28800,
    )
    event = last_audit()
    assert event.action == "create"
    assert f"service:{service.pk}" in event.fields
    assert "price_fen: — → 28800" in event.fields
    assert f"staff: — → {beautician_a.pk}" in event.fields


def test_a_price_change_is_audited_before_and_after_and_leaves_past_visits(
    owner: User, shop: Shop
) -> None:
    visit = services.checkout(
        actor=owner,
        data=shop.checkout_data(payments=[{"method": "cash", "amount_fen": 10000}]),
    )
    services.service_update(actor=owner, service_id=shop.facial.pk, data={"price_fen": 12800})
    event = last_audit()
    assert (event.action, event.fields) == (
        "update",
        [f"service:{shop.facial.pk}", "price_fen: 10000 → 12800"],
    )
    line = VisitLine.objects.get(visit=visit)
    assert (line.unit_price_fen, line.amount_fen) == (10000, 10000)
    quote = services.checkout_quote(actor=owner, data=shop.checkout_data())
    assert quote.total_fen == 12800


def test_a_service_carries_its_processing_gap_and_clean_up_buffer(
    owner: User, facials: MenuCategory
) -> None:
    service = services.service_create(
        actor=owner,
        name="染发",
        category_id=facials.pk,
        duration_min=45,
        price_fen=38800,
        processing_gap_min=30,
        cleanup_min=10,
    )
    assert (service.processing_gap_min, service.cleanup_min) == (30, 10)
    services.service_update(actor=owner, service_id=service.pk, data={"cleanup_min": 15})
    service.refresh_from_db()
    assert service.cleanup_min == 15
    assert last_audit().fields == [f"service:{service.pk}", "cleanup_min: 10 → 15"]


def test_nothing_changed_records_nothing(owner: User, shop: Shop) -> None:
    before = AuditEvent.objects.count()
    services.service_update(actor=owner, service_id=shop.facial.pk, data={"price_fen": 10000})
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"price_fen": -1}, "invalid_amount"),
        ({"price_fen": 100_000_001}, "invalid_amount"),
        ({"price_fen": "100"}, "invalid_amount"),
        ({"duration_min": 0}, "invalid_duration"),
        ({"duration_min": 601}, "invalid_duration"),
        ({"processing_gap_min": -1}, "invalid_timing"),
        ({"processing_gap_min": 241}, "invalid_timing"),
        ({"cleanup_min": 241}, "invalid_timing"),
        ({"cleanup_min": "10"}, "invalid_timing"),
        ({"category_id": 999999}, "invalid_category"),
        ({"performer_roles": []}, "invalid_staff"),
        ({"performer_roles": ["auditor"]}, "invalid_staff"),
        ({"name": "肩颈按摩"}, "duplicate_name"),
        ({"staff_ids": [999999]}, "invalid_staff"),
    ],
)
def test_service_refusals(owner: User, shop: Shop, data: dict[str, Any], code: str) -> None:
    before = Service.objects.get(pk=shop.facial.pk)
    refused(code, services.service_update, actor=owner, service_id=shop.facial.pk, data=data)
    after = Service.objects.get(pk=shop.facial.pk)
    assert (after.price_fen, after.name, after.duration_min) == (
        before.price_fen,
        before.name,
        before.duration_min,
    )


def test_a_price_below_zero_is_refused_in_those_words(owner: User, facials: MenuCategory) -> None:
    with translation.override("en"):
        error = refused(
            "invalid_amount",
            services.service_create,
            actor=owner,
            name="X",
            category_id=facials.pk,
            duration_min=30,
            price_fen=-100,
        )
    assert "below zero" in error.message


def test_a_name_is_required(owner: User, facials: MenuCategory) -> None:
    with pytest.raises(ValidationError):
        services.service_create(
            actor=owner, name="  ", category_id=facials.pk, duration_min=30, price_fen=100
        )


def test_only_the_owner_sets_up_the_menu(
    manager_a: User, front_a: User, beautician_a: User, shop: Shop
) -> None:
    for who in (manager_a, front_a, beautician_a):
        with pytest.raises(CapabilityDenied):
            services.service_update(actor=who, service_id=shop.facial.pk, data={"price_fen": 1})
        with pytest.raises(CapabilityDenied):
            services.category_create(actor=who, name="X")


def test_a_category_kind_follows_to_its_services(owner: User, facials: MenuCategory) -> None:
    service = services.service_create(
        actor=owner, name="X", category_id=facials.pk, duration_min=30, price_fen=100
    )
    services.category_update(actor=owner, category_id=facials.pk, data={"kind": "spa"})
    service.refresh_from_db()
    assert service.category == "spa"
    refused(
        "invalid_category",
        services.category_update,
        actor=owner,
        category_id=facials.pk,
        data={"kind": "nonsense"},
    )
    refused("duplicate_name", services.category_create, actor=owner, name="面部")


# --- branch prices ------------------------------------------------------------------------------


def test_a_manager_sets_their_own_branch_price_only(
    manager_a: User, shop: Shop, branch_b: Branch, front_a: User
) -> None:
    services.branch_price_set(
        actor=manager_a, branch_id=shop.branch.pk, service_id=shop.facial.pk, price_fen=9000
    )
    assert services.list_price(shop.facial, shop.branch) == 9000
    assert f"price_fen@branch:{shop.branch.pk}: — → 9000" in last_audit().fields
    with pytest.raises(ValidationError):
        services.branch_price_set(
            actor=manager_a, branch_id=branch_b.pk, service_id=shop.facial.pk, price_fen=1
        )
    with pytest.raises(CapabilityDenied):
        services.branch_price_set(
            actor=front_a, branch_id=shop.branch.pk, service_id=shop.facial.pk, price_fen=1
        )
    refused(
        "invalid_amount",
        services.branch_price_set,
        actor=manager_a,
        branch_id=shop.branch.pk,
        service_id=shop.facial.pk,
        price_fen=-5,
    )
    services.branch_price_set(
        actor=manager_a, branch_id=shop.branch.pk, service_id=shop.facial.pk, price_fen=None
    )
    assert services.list_price(shop.facial, shop.branch) == 10000
    assert f"price_fen@branch:{shop.branch.pk}: 9000 → —" in last_audit().fields


# --- who performs a service, retiring it --------------------------------------------------------


def test_skills_limit_who_may_perform_a_service(
    owner: User, shop: Shop, manager_a: User, beautician_a: User
) -> None:
    services.service_update(
        actor=owner, service_id=shop.facial.pk, data={"staff_ids": [manager_a.pk]}
    )
    refused(
        "staff_cannot_perform",
        services.checkout_quote,
        actor=owner,
        data=shop.checkout_data(),
    )
    quote = services.checkout_quote(
        actor=owner,
        data=shop.checkout_data(shop.line(staff_id=manager_a.pk)),
    )
    assert quote.total_fen == 10000
    services.service_update(actor=owner, service_id=shop.facial.pk, data={"staff_ids": []})
    assert services.checkout_quote(actor=owner, data=shop.checkout_data()).total_fen == 10000


def test_a_retired_service_is_not_sold_but_its_packages_still_use_it(
    owner: User, shop: Shop
) -> None:
    from liuke.sales import menu_selectors

    services.service_update(actor=owner, service_id=shop.facial.pk, data={"is_active": False})
    [m] = menu_selectors.menu_services(actor=owner, service_id=shop.facial.pk)
    assert m.packages_covering == 1  # the warning the pages and the API show
    refused("invalid_service", services.checkout_quote, actor=owner, data=shop.checkout_data())
    visit = services.checkout(
        actor=owner, data=shop.checkout_data(shop.line(package_id=shop.package.pk))
    )
    assert visit.lines.get().service_id == shop.facial.pk
    assert ledger.package_remaining(shop.package) == 2


# --- products, stock counts, consumables --------------------------------------------------------


def test_product_create_and_refusals(owner: User, shop: Shop, manager_a: User) -> None:
    product = services.product_create(
        actor=owner, name="精华", sku="E1", price_fen=9900, cost_fen=3000, low_stock_at=2
    )
    assert (product.cost_fen, product.low_stock_at) == (3000, 2)
    refused("duplicate_name", services.product_create, actor=owner, name="X", sku="M1", price_fen=1)
    refused(
        "invalid_amount",
        services.product_update,
        actor=owner,
        product_id=product.pk,
        data={"cost_fen": -1},
    )
    refused(
        "invalid_quantity",
        services.product_update,
        actor=owner,
        product_id=product.pk,
        data={"low_stock_at": -1},
    )
    with pytest.raises(CapabilityDenied):
        services.product_create(actor=manager_a, name="Y", sku="Y", price_fen=1)


def test_a_stock_count_books_the_difference_with_its_reason(
    manager_a: User, shop: Shop, front_a: User
) -> None:
    assert (
        services.stock_count(
            actor=manager_a,
            product_id=shop.mask.pk,
            branch_id=shop.branch.pk,
            counted=7,
            reason="破损",
        )
        == 7
    )
    entry = StockEntry.objects.filter(product=shop.mask).order_by("-seq").first()
    assert entry is not None
    assert (entry.kind, entry.delta, entry.note) == (StockEntryKind.ADJUST, -3, "破损")
    assert f"stock@branch:{shop.branch.pk}: 10 → 7" in last_audit().fields
    kwargs = {"actor": manager_a, "product_id": shop.mask.pk, "branch_id": shop.branch.pk}
    refused("reason_required", services.stock_count, counted=5, reason=" ", **kwargs)
    refused("invalid_quantity", services.stock_count, counted=-1, reason="x", **kwargs)
    with pytest.raises(CapabilityDenied):
        services.stock_count(
            actor=front_a,
            product_id=shop.mask.pk,
            branch_id=shop.branch.pk,
            counted=1,
            reason="x",
        )


def test_consumables_are_taken_at_checkout_and_never_block_it(owner: User, shop: Shop) -> None:
    services.consumable_set(
        actor=owner, service_id=shop.facial.pk, product_id=shop.mask.pk, quantity=4
    )
    services.checkout(
        actor=owner,
        data=shop.checkout_data(
            shop.line(quantity=2), payments=[{"method": "cash", "amount_fen": 20000}]
        ),
    )
    assert ledger.stock_on_hand(shop.mask, shop.branch) == 2  # 10 - 2 × 4
    entry = StockEntry.objects.filter(product=shop.mask).order_by("-seq").first()
    assert entry is not None
    assert entry.kind == StockEntryKind.CONSUME
    # 4 needed, 2 on the shelf: the checkout goes through and the entry notes the shortfall
    services.checkout(
        actor=owner,
        data=shop.checkout_data(payments=[{"method": "cash", "amount_fen": 10000}]),
    )
    assert ledger.stock_on_hand(shop.mask, shop.branch) == 0
    last = StockEntry.objects.filter(product=shop.mask).order_by("-seq").first()
    assert last is not None
    assert last.note == "-2"
    refused(
        "invalid_quantity",
        services.consumable_set,
        actor=owner,
        service_id=shop.facial.pk,
        product_id=shop.mask.pk,
        quantity=-1,
    )


# --- card tiers ---------------------------------------------------------------------------------


def test_a_tier_prices_a_category_of_its_own(
    owner: User, shop: Shop, facials: MenuCategory
) -> None:
    Service.objects.filter(pk=shop.facial.pk).update(menu_category=facials)
    services.tier_update(
        actor=owner, tier_id=shop.tier.pk, data={"category_pct": {str(facials.pk): 70}}
    )
    lines = [shop.line(), shop.line(shop.massage)]
    quote = services.checkout_quote(
        actor=owner, data=shop.checkout_data(*lines, member_card_id=shop.card.pk)
    )
    # facial at 70 % (its category), massage at the tier's 88 %
    assert [line.unit_price_fen for line in quote.lines] == [7000, 17600]
    assert f"price_pct@category:{facials.pk}: — → 70" in last_audit().fields


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"discount_pct": 101}, "invalid_percent"),
        ({"discount_pct": 0}, "invalid_percent"),
        ({"min_topup_fen": -1}, "invalid_amount"),
        ({"validity_months": 0}, "invalid_expiry"),
        ({"category_pct": {"999999": 50}}, "invalid_category"),
    ],
)
def test_tier_refusals(owner: User, shop: Shop, data: dict[str, Any], code: str) -> None:
    refused(code, services.tier_update, actor=owner, tier_id=shop.tier.pk, data=data)


def test_a_category_discount_above_100_percent_is_refused(
    owner: User, shop: Shop, facials: MenuCategory
) -> None:
    error = refused(
        "invalid_percent",
        services.tier_create,
        actor=owner,
        name="钻石卡",
        discount_pct=80,
        category_pct={str(facials.pk): 120},
    )
    assert "100" in error.message


def test_a_card_of_a_tier_gets_its_validity(owner: User, shop: Shop) -> None:
    tier = services.tier_create(
        actor=owner, name="钻石卡", discount_pct=75, min_topup_fen=1_000_000, validity_months=24
    )
    card = services.card_issue(
        actor=owner,
        customer_id=shop.customer.pk,
        branch_id=shop.branch.pk,
        number="D1",
        tier_id=tier.pk,
    )
    assert card.expires_on == add_months(timezone.localdate(), 24)
    refused(
        "topup_below_tier_minimum",
        services.card_topup,
        actor=owner,
        card_id=card.pk,
        amount_fen=500_000,
        method="cash",
    )


def test_add_months_keeps_the_day_or_takes_the_last_of_a_shorter_month() -> None:
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 11, 15), 14) == dt.date(2028, 1, 15)


# --- bonus rules --------------------------------------------------------------------------------


def test_bonus_rules_apply_in_their_period(owner: User, shop: Shop) -> None:
    today = timezone.localdate()
    services.bonus_rule_create(
        actor=owner,
        pay_fen=200000,
        bonus_fen=50000,
        valid_from=today + dt.timedelta(days=1),
    )
    business_id = policy.business_of(owner)
    assert services.bonus_for(business_id, 200000) == 20000  # the ¥1,000 rule
    tomorrow = today + dt.timedelta(days=1)
    assert services.bonus_for(business_id, 200000, tomorrow) == 50000


@pytest.mark.parametrize(
    ("existing", "new"),
    [
        ((None, None), (None, None)),
        ((0, 30), (30, None)),
        ((None, 10), (5, 8)),
        ((10, None), (None, 10)),
    ],
)
def test_an_overlapping_bonus_rule_is_refused(
    owner: User, shop: Shop, existing: tuple[int | None, int | None], new: tuple[int | None, ...]
) -> None:
    today = timezone.localdate()

    def day(offset: int | None) -> dt.date | None:
        return None if offset is None else today + dt.timedelta(days=offset)

    services.bonus_rule_create(
        actor=owner, pay_fen=300000, bonus_fen=60000, valid_from=day(existing[0]),
        valid_until=day(existing[1]),
    )  # fmt: skip
    refused(
        "bonus_rule_overlap",
        services.bonus_rule_create,
        actor=owner,
        pay_fen=300000,
        bonus_fen=90000,
        valid_from=day(new[0]),
        valid_until=day(new[1]),
    )


def test_rules_that_do_not_overlap_are_kept(owner: User, shop: Shop) -> None:
    today = timezone.localdate()
    first = services.bonus_rule_create(
        actor=owner,
        pay_fen=300000,
        bonus_fen=60000,
        valid_until=today + dt.timedelta(days=9),
    )
    second = services.bonus_rule_create(
        actor=owner,
        pay_fen=300000,
        bonus_fen=90000,
        valid_from=today + dt.timedelta(days=10),
    )
    # a third one for another amount, same days: fine
    services.bonus_rule_create(actor=owner, pay_fen=500000, bonus_fen=1)
    # moving the first into the second's period is refused; withdrawing it is not
    refused(
        "bonus_rule_overlap",
        services.bonus_rule_update,
        actor=owner,
        rule_id=first.pk,
        data={"valid_until": today + dt.timedelta(days=10)},
    )
    services.bonus_rule_update(actor=owner, rule_id=second.pk, data={"is_active": False})
    assert "is_active: True → False" in last_audit().fields


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"pay_fen": -1, "bonus_fen": 1}, "invalid_amount"),
        ({"pay_fen": 0, "bonus_fen": 1}, "invalid_amount"),
        ({"pay_fen": 1, "bonus_fen": -1}, "invalid_amount"),
        (
            {
                "pay_fen": 1,
                "bonus_fen": 1,
                "valid_from": dt.date(2030, 2, 1),
                "valid_until": dt.date(2030, 1, 1),
            },
            "invalid_period",
        ),
    ],
)
def test_bonus_rule_refusals(owner: User, kwargs: dict[str, Any], code: str) -> None:
    refused(code, services.bonus_rule_create, actor=owner, **kwargs)


# --- package templates and the sale from one ----------------------------------------------------


@pytest.fixture
def template_kwargs(shop: Shop) -> dict[str, Any]:
    return {
        "name": "按摩10次",
        "service_ids": [shop.massage.pk],
        "sessions": 10,
        "price_fen": 150000,
        "validity_days": 365,
    }


def test_a_package_sold_from_a_template_carries_its_terms(
    owner: User, front_a: User, shop: Shop, template_kwargs: dict[str, Any]
) -> None:
    template = services.template_create(actor=owner, **template_kwargs)
    package = services.package_sell(
        actor=front_a,
        customer_id=shop.customer.pk,
        branch_id=shop.branch.pk,
        template_id=template.pk,
        method="wechat",
    )
    assert (package.name, package.sessions_total, package.price_fen, package.template_id) == (
        "按摩10次",
        10,
        150000,
        template.pk,
    )
    assert list(package.services.values_list("pk", flat=True)) == [shop.massage.pk]
    assert package.expires_on == timezone.localdate() + dt.timedelta(days=365)
    assert ledger.package_remaining(package) == 10
    # a template changed later changes no package sold
    services.template_update(actor=owner, template_id=template.pk, data={"price_fen": 1})
    package.refresh_from_db()
    assert package.price_fen == 150000


def test_a_manager_overrides_the_price_with_a_reason(
    manager_a: User, shop: Shop, owner: User, template_kwargs: dict[str, Any]
) -> None:
    template = services.template_create(actor=owner, **template_kwargs)
    kwargs: dict[str, Any] = {
        "actor": manager_a,
        "customer_id": shop.customer.pk,
        "branch_id": shop.branch.pk,
        "template_id": template.pk,
        "method": "cash",
    }
    before = Package.objects.count()
    refused("price_reason_required", services.package_sell, price_fen=120000, **kwargs)
    assert Package.objects.count() == before
    package = services.package_sell(price_fen=120000, price_reason="老客户回馈", **kwargs)
    assert (package.price_fen, package.price_reason) == (120000, "老客户回馈")
    entry = package.entries.get()
    assert entry.note == "150000 → 120000: 老客户回馈"
    event = last_audit()
    assert event.reason == "老客户回馈"
    assert "price_fen: 150000 → 120000" in event.fields


def test_a_front_desk_may_not_override_the_price_or_make_one_up(
    front_a: User, shop: Shop, owner: User, template_kwargs: dict[str, Any]
) -> None:
    template = services.template_create(actor=owner, **template_kwargs)
    base: dict[str, Any] = {
        "actor": front_a,
        "customer_id": shop.customer.pk,
        "branch_id": shop.branch.pk,
    }
    before = Package.objects.count()
    error = refused(
        "price_override_not_allowed",
        services.package_sell,
        template_id=template.pk,
        price_fen=100,
        price_reason="熟人",
        method="cash",
        **base,
    )
    assert error.status == 403
    refused(
        "price_override_not_allowed",
        services.package_sell,
        name="自定",
        service_ids=[shop.massage.pk],
        sessions=2,
        price_fen=100,
        method="cash",
        **base,
    )
    assert Package.objects.count() == before
    # the template's own price, sent back as it is, is no override
    package = services.package_sell(
        template_id=template.pk, price_fen=150000, method="cash", **base
    )
    assert package.price_reason == ""


def test_a_template_is_sold_only_at_its_branches_and_while_active(
    owner: User, shop: Shop, branch_b: Branch, template_kwargs: dict[str, Any]
) -> None:
    template = services.template_create(actor=owner, branch_ids=[branch_b.pk], **template_kwargs)
    base = {
        "actor": owner,
        "customer_id": shop.customer.pk,
        "branch_id": shop.branch.pk,
        "method": "cash",
    }
    refused("invalid_template", services.package_sell, template_id=template.pk, **base)
    services.template_update(
        actor=owner, template_id=template.pk, data={"branch_ids": [], "is_active": False}
    )
    refused("invalid_template", services.package_sell, template_id=template.pk, **base)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"sessions": 0}, "invalid_sessions"),
        ({"sessions": 501}, "invalid_sessions"),
        ({"price_fen": -1}, "invalid_amount"),
        ({"validity_days": 0}, "invalid_expiry"),
        ({"service_ids": []}, "invalid_service"),
        ({"service_ids": [999999]}, "invalid_service"),
        ({"branch_ids": [999999]}, "invalid_branch"),
        ({"name": "按摩10次"}, "duplicate_name"),
    ],
)
def test_template_refusals(
    owner: User, shop: Shop, template_kwargs: dict[str, Any], data: dict[str, Any], code: str
) -> None:
    services.template_create(actor=owner, **template_kwargs)
    refused(code, services.template_create, actor=owner, **{**template_kwargs, "name": "B", **data})


def test_a_retired_service_is_not_put_in_a_new_template(
    owner: User, shop: Shop, template_kwargs: dict[str, Any]
) -> None:
    services.service_update(actor=owner, service_id=shop.massage.pk, data={"is_active": False})
    refused("invalid_service", services.template_create, actor=owner, **template_kwargs)


def test_packages_covering_counts_live_packages_once_each(owner: User, shop: Shop) -> None:
    from liuke.sales import menu_selectors

    def sell(sessions: int, expires_on: dt.date | None = None) -> Package:
        return services.package_sell(
            actor=owner,
            customer_id=shop.customer.pk,
            branch_id=shop.branch.pk,
            name=f"P{sessions}",
            service_ids=[shop.facial.pk, shop.massage.pk],
            sessions=sessions,
            price_fen=100,
            method="cash",
            expires_on=expires_on,
        )

    sell(5)  # 5 left; the shop's package has 3 left: two different counts
    used_up = sell(1)
    services.checkout(actor=owner, data=shop.checkout_data(shop.line(package_id=used_up.pk)))
    expired = sell(2, timezone.localdate() + dt.timedelta(days=1))
    Package.objects.filter(pk=expired.pk).update(
        expires_on=timezone.localdate() - dt.timedelta(days=1)
    )
    assert menu_selectors.packages_covering([shop.facial.pk, shop.massage.pk]) == {
        shop.facial.pk: 2,
        shop.massage.pk: 1,
    }

"""Card tiers (银卡/金卡/钻石卡) and top-up bonus rules (充1000送200), set up by the owner.

A tier's member price is `discount_pct` of list, or its own percentage for a category; the
top-up needed to reach it is the first top-up of a card issued at that tier; a card of the tier
is valid for `validity_months` from its issue. A bonus rule applies from `valid_from` to
`valid_until` (either end open); two rules for the same amount may not apply on one day, so a
top-up never has two answers (docs/money.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.models import Business, User
from liuke.core.errors import NotFound, ServiceError
from liuke.core.locking import lock_one
from liuke.core.money import MoneyError
from liuke.sales.capabilities import SalesCap
from liuke.sales.errors import SalesErrorCode
from liuke.sales.models import BonusRule, CardTier, MenuCategory, TierCategoryPrice
from liuke.sales.services import changes


def _tier_values(business_id: int, data: Mapping[str, Any], pk: int | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "name" in data:
        out["name"] = changes.name(data["name"], "name", 40)
        taken = CardTier.objects.filter(business_id=business_id, name=out["name"])
        if changes.taken(taken, pk):
            raise changes.duplicate()
    if "discount_pct" in data:
        out["discount_pct"] = changes.percent(data["discount_pct"], "discount_pct", low=1)
    if "min_topup_fen" in data:
        out["min_topup_fen"] = changes.price(data["min_topup_fen"], "min_topup_fen")
    if "validity_months" in data:
        months = data["validity_months"]
        out["validity_months"] = (
            None
            if months is None
            else changes.whole(
                months,
                "validity_months",
                1,
                240,
                SalesErrorCode.INVALID_EXPIRY,
                _("A card is valid for 1 to 240 months (or leave it empty)."),
            )
        )
    if data.get("is_active") is not None:
        out["is_active"] = bool(data["is_active"])
    return out


def _category_pcts(business_id: int, raw: Mapping[str, Any]) -> dict[int, int | None]:
    """category id → percentage (None: the tier's own), each category the business's."""
    out: dict[int, int | None] = {}
    for key, value in raw.items():
        try:
            pk = int(key)
        except (TypeError, ValueError):
            pk = 0
        if not MenuCategory.objects.filter(pk=pk, business_id=business_id).exists():
            message = _("Choose one of the service categories.")
            raise ServiceError(
                SalesErrorCode.INVALID_CATEGORY, message, fields={"category_pct": [message]}
            )
        out[pk] = None if value is None else changes.percent(value, "category_pct")
    return out


def _set_category_pcts(tier: CardTier, pcts: Mapping[int, int | None]) -> list[str]:
    current = dict(
        TierCategoryPrice.objects.filter(tier=tier).values_list("category_id", "price_pct")
    )
    lines = []
    for category_id, pct in pcts.items():
        before = current.get(category_id)
        if before == pct:
            continue
        if pct is None:
            TierCategoryPrice.objects.filter(tier=tier, category_id=category_id).delete()
        else:
            TierCategoryPrice.objects.update_or_create(
                tier=tier, category_id=category_id, defaults={"price_pct": pct}
            )
        lines.append(changes.change(f"price_pct@category:{category_id}", before, pct))
    return lines


@transaction.atomic
def tier_create(
    *,
    actor: User,
    name: str,
    discount_pct: int = 100,
    min_topup_fen: int = 0,
    validity_months: int | None = None,
    category_pct: Mapping[str, Any] | None = None,
) -> CardTier:
    policy.require(actor, SalesCap.MENU_MANAGE)
    business_id = policy.business_of(actor)
    values = _tier_values(
        business_id,
        {
            "name": name,
            "discount_pct": discount_pct,
            "min_topup_fen": min_topup_fen,
            "validity_months": validity_months,
        },
        None,
    )
    pcts = _category_pcts(business_id, category_pct or {})
    tier = CardTier.objects.create(business_id=business_id, **values)
    lines = [changes.change(k, None, v) for k, v in values.items()]
    lines += _set_category_pcts(tier, pcts)
    changes.audit_change(actor, entity="tier", pk=tier.pk, changes=lines, created=True)
    return tier


@transaction.atomic
def tier_update(*, actor: User, tier_id: int, data: Mapping[str, Any]) -> CardTier:
    """Change a tier. Cards already issued keep their expiry date; member prices of past
    visits stay what they were (each line carries its price)."""
    policy.require(actor, SalesCap.MENU_MANAGE)
    business_id = policy.business_of(actor)
    tier = lock_one(CardTier.objects.filter(business_id=business_id), tier_id)
    if tier is None:
        raise NotFound(_("No such card tier."))
    values = _tier_values(business_id, data, tier.pk)
    pcts = _category_pcts(business_id, data.get("category_pct") or {})
    lines = changes.apply(tier, values)
    if lines:
        tier.save()
    lines += _set_category_pcts(tier, pcts)
    changes.audit_change(actor, entity="tier", pk=tier.pk, changes=lines)
    return tier


# --- bonus rules ---------------------------------------------------------------------------------


def _check_period(valid_from: dt.date | None, valid_until: dt.date | None) -> None:
    for field, day in (("valid_from", valid_from), ("valid_until", valid_until)):
        if day is not None and not dt.date(2000, 1, 1) <= day <= dt.date(2100, 12, 31):
            message = _("Enter a date between 2000 and 2100.")
            raise ServiceError(SalesErrorCode.INVALID_DATE, message, fields={field: [message]})
    if valid_from is not None and valid_until is not None and valid_until < valid_from:
        message = _("The rule cannot end before it starts.")
        raise ServiceError(
            SalesErrorCode.INVALID_PERIOD, message, fields={"valid_until": [message]}
        )


def _check_overlap(rule: BonusRule) -> None:
    """No other active rule for the same amount applies on any day of this one's period.

    The business row is locked first: two owners saving overlapping rules at once on
    PostgreSQL would otherwise both find the other not yet there."""
    lock_one(Business, rule.business_id)
    others = BonusRule.objects.filter(
        business_id=rule.business_id, pay_fen=rule.pay_fen, is_active=True
    ).exclude(pk=rule.pk)
    if rule.valid_until is not None:
        others = others.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=rule.valid_until))
    if rule.valid_from is not None:
        others = others.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=rule.valid_from))
    if others.exists():
        message = _(
            "Another bonus rule for a top-up of this amount applies in the same period: "
            "end it, or choose other dates."
        )
        raise ServiceError(
            SalesErrorCode.BONUS_RULE_OVERLAP, message, fields={"valid_from": [message]}
        )


def _rule_values(data: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "pay_fen" in data:
        out["pay_fen"] = changes.price(data["pay_fen"], "pay_fen")
        if out["pay_fen"] == 0:
            raise MoneyError(_("The amount must be positive."), field="pay_fen")
    if "bonus_fen" in data:
        out["bonus_fen"] = changes.price(data["bonus_fen"], "bonus_fen")
    for key in ("valid_from", "valid_until"):
        if key in data:
            out[key] = data[key]
    if data.get("is_active") is not None:
        out["is_active"] = bool(data["is_active"])
    return out


@transaction.atomic
def bonus_rule_create(
    *,
    actor: User,
    pay_fen: int,
    bonus_fen: int,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
) -> BonusRule:
    """Top up at least `pay_fen`, get `bonus_fen` on top, from `valid_from` to `valid_until`."""
    policy.require(actor, SalesCap.MENU_MANAGE)
    values = _rule_values(
        {
            "pay_fen": pay_fen,
            "bonus_fen": bonus_fen,
            "valid_from": valid_from,
            "valid_until": valid_until,
        }
    )
    _check_period(valid_from, valid_until)
    rule = BonusRule(business_id=policy.business_of(actor), **values)
    _check_overlap(rule)
    rule.save()
    lines = [changes.change(k, None, v) for k, v in values.items()]
    changes.audit_change(actor, entity="bonus_rule", pk=rule.pk, changes=lines, created=True)
    return rule


@transaction.atomic
def bonus_rule_update(*, actor: User, rule_id: int, data: Mapping[str, Any]) -> BonusRule:
    """Change a rule, end it (`valid_until`) or withdraw it (`is_active` False). Top-ups
    already made keep their bonus."""
    policy.require(actor, SalesCap.MENU_MANAGE)
    rule = lock_one(BonusRule.objects.filter(business_id=policy.business_of(actor)), rule_id)
    if rule is None:
        raise NotFound(_("No such bonus rule."))
    lines = changes.apply(rule, _rule_values(data))
    _check_period(rule.valid_from, rule.valid_until)
    if rule.is_active:
        _check_overlap(rule)
    if lines:
        rule.save()
    changes.audit_change(actor, entity="bonus_rule", pk=rule.pk, changes=lines)
    return rule

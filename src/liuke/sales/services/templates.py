"""Package templates: what the front desk sells a package from (N sessions of a service or a
set of services, a price, how long it is valid, the branches that sell it). Set up by the owner;
a sale copies the template into the package (`services.packages.package_sell`), so a template
changed or retired later changes no package sold."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.models import Branch, User
from liuke.core.errors import NotFound, ServiceError
from liuke.core.locking import lock_one
from liuke.sales.capabilities import SalesCap
from liuke.sales.errors import SalesErrorCode
from liuke.sales.models import PackageTemplate, Service
from liuke.sales.services import changes


def _ids(value: Any) -> list[int]:
    return sorted({int(i) for i in value}) if isinstance(value, list | tuple) else []


def _values(business_id: int, data: Mapping[str, Any], pk: int | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "name" in data:
        out["name"] = changes.name(data["name"], "name", 100)
        taken = PackageTemplate.objects.filter(business_id=business_id, name=out["name"])
        if changes.taken(taken, pk):
            raise changes.duplicate()
    if "sessions" in data:
        out["sessions"] = changes.whole(
            data["sessions"],
            "sessions",
            1,
            500,
            SalesErrorCode.INVALID_SESSIONS,
            _("A package has 1 to 500 sessions."),
        )
    if "price_fen" in data:
        out["price_fen"] = changes.price(data["price_fen"], "price_fen")
    if "validity_days" in data:
        days = data["validity_days"]
        out["validity_days"] = (
            None
            if days is None
            else changes.whole(
                days,
                "validity_days",
                1,
                3660,
                SalesErrorCode.INVALID_EXPIRY,
                _("A package is valid for 1 to 3660 days (or leave it empty)."),
            )
        )
    if data.get("is_active") is not None:
        out["is_active"] = bool(data["is_active"])
    return out


def _services(business_id: int, value: Any) -> list[int]:
    """The services covered: active ones of the business (a retired service is not sold anew)."""
    ids = _ids(value)
    found = Service.objects.filter(pk__in=ids, business_id=business_id, is_active=True).count()
    if not ids or found != len(ids):
        message = _("Choose the services the package covers.")
        raise ServiceError(
            SalesErrorCode.INVALID_SERVICE, message, fields={"service_ids": [message]}
        )
    return ids


def _branches(business_id: int, value: Any) -> list[int]:
    ids = _ids(value)
    if Branch.objects.filter(pk__in=ids, business_id=business_id).count() != len(ids):
        message = _("Choose branches of the business.")
        raise ServiceError(SalesErrorCode.INVALID_BRANCH, message, fields={"branch_ids": [message]})
    return ids


def _set_m2m(template: PackageTemplate, name: str, ids: list[int]) -> list[str]:
    manager = getattr(template, name)
    before = sorted(manager.values_list("pk", flat=True))
    if before == ids:
        return []
    manager.set(ids)
    return [changes.change(name, before, ids)]


@transaction.atomic
def template_create(
    *,
    actor: User,
    name: str,
    service_ids: list[int],
    sessions: int,
    price_fen: int,
    validity_days: int | None = None,
    branch_ids: list[int] | None = None,
) -> PackageTemplate:
    policy.require(actor, SalesCap.MENU_MANAGE)
    business_id = policy.business_of(actor)
    values = _values(
        business_id,
        {
            "name": name,
            "sessions": sessions,
            "price_fen": price_fen,
            "validity_days": validity_days,
        },
        None,
    )
    services = _services(business_id, service_ids)
    branches = _branches(business_id, branch_ids or [])
    template = PackageTemplate.objects.create(business_id=business_id, **values)
    lines = [changes.change(k, None, v) for k, v in values.items()]
    lines += _set_m2m(template, "services", services)
    lines += _set_m2m(template, "branches", branches)
    changes.audit_change(actor, entity="template", pk=template.pk, changes=lines, created=True)
    return template


@transaction.atomic
def template_update(*, actor: User, template_id: int, data: Mapping[str, Any]) -> PackageTemplate:
    policy.require(actor, SalesCap.MENU_MANAGE)
    business_id = policy.business_of(actor)
    template = lock_one(PackageTemplate.objects.filter(business_id=business_id), template_id)
    if template is None:
        raise NotFound(_("No such package template."))
    values = _values(business_id, data, template.pk)
    services = _services(business_id, data["service_ids"]) if "service_ids" in data else None
    branches = _branches(business_id, data["branch_ids"]) if "branch_ids" in data else None
    lines = changes.apply(template, values)
    if lines:
        template.save()
    if services is not None:
        lines += _set_m2m(template, "services", services)
    if branches is not None:
        lines += _set_m2m(template, "branches", branches)
    changes.audit_change(actor, entity="template", pk=template.pk, changes=lines)
    return template

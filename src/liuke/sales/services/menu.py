"""The service menu: its categories, its services (price, duration, who performs them, retired
or not), each branch's own prices and the consumables a service uses up (耗材).

The owner sets the menu up (`menu.manage`); a manager sets the prices of their own branches
(`catalogue.manage`). A price changed here prices the next checkout: the lines of past visits
carry the price they were sold at, so no past visit changes. Every change is audited with the
values before and after it (`services.changes`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.choices import Role
from liuke.accounts.models import User
from liuke.core.errors import NotFound, ServiceError
from liuke.core.locking import lock_one
from liuke.sales.capabilities import SalesCap
from liuke.sales.choices import ServiceCategory
from liuke.sales.errors import SalesErrorCode
from liuke.sales.models import (
    BranchPrice,
    MenuCategory,
    Product,
    Service,
    ServiceConsumable,
    StaffSkill,
)
from liuke.sales.services import changes
from liuke.sales.services.lookups import branch_for

#: Roles that may be named as performers of a service (never the auditor).
PERFORMER_ROLES = frozenset({Role.OWNER, Role.MANAGER, Role.FRONT_DESK, Role.BEAUTICIAN})
#: The longest processing gap or clean-up buffer a service may have (minutes).
MAX_TIMING_MIN = 240


# --- categories ----------------------------------------------------------------------------------


def _kind(value: Any) -> str:
    if value not in ServiceCategory.values:
        message = _("Choose one of the listed kinds.")
        raise ServiceError(SalesErrorCode.INVALID_CATEGORY, message, fields={"kind": [message]})
    return str(value)


def _category_values(business_id: int, data: dict[str, Any], pk: int | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "name" in data:
        out["name"] = changes.name(data["name"], "name", 40)
        taken = MenuCategory.objects.filter(business_id=business_id, name=out["name"])
        if changes.taken(taken, pk):
            raise changes.duplicate()
    if "kind" in data:
        out["kind"] = _kind(data["kind"])
    if "position" in data:
        out["position"] = changes.whole(
            data["position"],
            "position",
            0,
            999,
            SalesErrorCode.INVALID_CATEGORY,
            _("Enter a position from 0 to 999."),
        )
    if data.get("is_active") is not None:
        out["is_active"] = bool(data["is_active"])
    return out


@transaction.atomic
def category_create(
    *, actor: User, name: str, kind: str = "other", position: int = 0
) -> MenuCategory:
    policy.require(actor, SalesCap.MENU_MANAGE)
    business_id = policy.business_of(actor)
    values = _category_values(business_id, {"name": name, "kind": kind, "position": position}, None)
    category = MenuCategory.objects.create(business_id=business_id, **values)
    lines = [changes.change(k, None, v) for k, v in values.items()]
    changes.audit_change(actor, entity="category", pk=category.pk, changes=lines, created=True)
    return category


@transaction.atomic
def category_update(*, actor: User, category_id: int, data: dict[str, Any]) -> MenuCategory:
    """Rename, re-kind, move or retire a category; a new kind is given to its services too
    (follow-up rules go by it)."""
    policy.require(actor, SalesCap.MENU_MANAGE)
    business_id = policy.business_of(actor)
    category = lock_one(MenuCategory.objects.filter(business_id=business_id), category_id)
    if category is None:
        raise NotFound(_("No such category."))
    lines = changes.apply(category, _category_values(business_id, data, category.pk))
    if lines:
        category.save()
        Service.objects.filter(menu_category=category).update(category=category.kind)
    changes.audit_change(actor, entity="category", pk=category.pk, changes=lines)
    return category


def category_get(business_id: int, category_id: Any) -> MenuCategory:
    """One of the business's categories, or `invalid_category` on `category_id`."""
    category = MenuCategory.objects.filter(
        pk=category_id if isinstance(category_id, int) else 0, business_id=business_id
    ).first()
    if category is None:
        message = _("Choose one of the service categories.")
        raise ServiceError(
            SalesErrorCode.INVALID_CATEGORY, message, fields={"category_id": [message]}
        )
    return category


# --- services ------------------------------------------------------------------------------------


def _roles(value: Any) -> list[str]:
    roles = list(value) if isinstance(value, list | tuple) else []
    if not roles or any(r not in PERFORMER_ROLES for r in roles):
        message = _("Choose the roles that perform the service.")
        raise ServiceError(
            SalesErrorCode.INVALID_STAFF, message, fields={"performer_roles": [message]}
        )
    return sorted(set(roles))


def _staff_ids(business_id: int, value: Any) -> list[int]:
    ids = sorted({int(i) for i in value}) if isinstance(value, list | tuple) else []
    found = User.objects.filter(pk__in=ids, business_id=business_id, is_active=True).count()
    if found != len(ids):
        message = _("Choose active staff members of the business.")
        raise ServiceError(SalesErrorCode.INVALID_STAFF, message, fields={"staff_ids": [message]})
    return ids


def _service_values(business_id: int, data: dict[str, Any], pk: int | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "name" in data:
        out["name"] = changes.name(data["name"], "name", 100)
        if changes.taken(Service.objects.filter(business_id=business_id, name=out["name"]), pk):
            raise changes.duplicate()
    if "category_id" in data:
        category = category_get(business_id, data["category_id"])
        out["menu_category"] = category
        out["category"] = category.kind
    if "duration_min" in data:
        out["duration_min"] = changes.whole(
            data["duration_min"],
            "duration_min",
            5,
            600,
            SalesErrorCode.INVALID_DURATION,
            _("A service lasts 5 to 600 minutes."),
        )
    for field in ("processing_gap_min", "cleanup_min"):
        if field in data:
            out[field] = changes.whole(
                data[field],
                field,
                0,
                MAX_TIMING_MIN,
                SalesErrorCode.INVALID_TIMING,
                _("Enter 0 to %(max)d minutes.") % {"max": MAX_TIMING_MIN},
            )
    if "price_fen" in data:
        out["price_fen"] = changes.price(data["price_fen"], "price_fen")
    if "performer_roles" in data:
        out["performer_roles"] = _roles(data["performer_roles"])
    if data.get("is_active") is not None:
        out["is_active"] = bool(data["is_active"])
    return out


def _set_skills(service: Service, staff_ids: list[int]) -> list[str]:
    before = sorted(StaffSkill.objects.filter(service=service).values_list("staff_id", flat=True))
    if before == staff_ids:
        return []
    StaffSkill.objects.filter(service=service).exclude(staff_id__in=staff_ids).delete()
    StaffSkill.objects.bulk_create(
        [StaffSkill(service=service, staff_id=i) for i in staff_ids if i not in before]
    )
    return [changes.change("staff", before, staff_ids)]


@transaction.atomic
def service_create(
    *,
    actor: User,
    name: str,
    category_id: int,
    duration_min: int,
    price_fen: int,
    performer_roles: Sequence[str] = (Role.BEAUTICIAN, Role.MANAGER, Role.OWNER),
    staff_ids: Sequence[int] = (),
    processing_gap_min: int = 0,
    cleanup_min: int = 0,
) -> Service:
    """A new service on the menu, in a category, with its list price (fen, zero or more) and
    its timing for the book (a processing gap, a clean-up buffer: 0 to 240 minutes each)."""
    policy.require(actor, SalesCap.MENU_MANAGE)
    business_id = policy.business_of(actor)
    values = _service_values(
        business_id,
        {
            "name": name,
            "category_id": category_id,
            "duration_min": duration_min,
            "price_fen": price_fen,
            "performer_roles": list(performer_roles),
            "processing_gap_min": processing_gap_min,
            "cleanup_min": cleanup_min,
        },
        None,
    )
    skills = _staff_ids(business_id, list(staff_ids))
    service = Service.objects.create(business_id=business_id, **values)
    lines = [changes.change(k, None, v) for k, v in values.items()]
    lines += _set_skills(service, skills)
    changes.audit_change(actor, entity="service", pk=service.pk, changes=lines, created=True)
    return service


@transaction.atomic
def service_update(*, actor: User, service_id: int, data: dict[str, Any]) -> Service:
    """Change a service, or retire it (`is_active` False): a retired service is no longer sold
    but stays on past visits, and the packages that cover it can still use their sessions
    (`selectors.packages_covering` says how many; the pages and the API warn with it)."""
    policy.require(actor, SalesCap.MENU_MANAGE)
    business_id = policy.business_of(actor)
    service = lock_one(Service.objects.filter(business_id=business_id), service_id)
    if service is None:
        raise NotFound(_("No such service."))
    values = _service_values(business_id, data, service.pk)
    skills = _staff_ids(business_id, data["staff_ids"]) if "staff_ids" in data else None
    lines = changes.apply(service, values)
    if lines:
        service.save()
    if skills is not None:
        lines += _set_skills(service, skills)
    changes.audit_change(actor, entity="service", pk=service.pk, changes=lines)
    return service


@transaction.atomic
def branch_price_set(
    *,
    actor: User,
    branch_id: int,
    price_fen: int | None,
    service_id: int | None = None,
    product_id: int | None = None,
) -> BranchPrice | None:
    """A branch's own price for a service or a product (None: back to the list price). A
    manager sets those of their own branches."""
    policy.require(actor, SalesCap.CATALOGUE_MANAGE)
    branch = branch_for(actor, branch_id)
    business_id = policy.business_of(actor)
    item: Service | Product | None
    if service_id is not None:
        item = Service.objects.filter(pk=service_id, business_id=business_id).first()
        lookup: dict[str, Any] = {"service": item}
    else:
        item = Product.objects.filter(pk=product_id or 0, business_id=business_id).first()
        lookup = {"product": item}
    if item is None:
        raise NotFound(_("No such service or product."))
    current_id = (
        BranchPrice.objects.filter(branch=branch, **lookup).values_list("pk", flat=True).first()
    )
    current = lock_one(BranchPrice, current_id) if current_id is not None else None
    before = current.price_fen if current else None
    entity = f"{'service' if service_id is not None else 'product'}:{item.pk}"
    if price_fen is None:
        if current is not None:
            current.delete()
        current = None
    else:
        fen = changes.price(price_fen, "price_fen")
        if current is None:
            current = BranchPrice.objects.create(branch=branch, price_fen=fen, **lookup)
        elif current.price_fen != fen:
            current.price_fen = fen
            current.save(update_fields=["price_fen"])
    after = current.price_fen if current else None
    if before != after:
        changes.audit_change(
            actor,
            entity=entity,
            pk=item.pk,
            changes=[changes.change(f"price_fen@branch:{branch.pk}", before, after)],
        )
    return current


@transaction.atomic
def consumable_set(*, actor: User, service_id: int, product_id: int, quantity: int) -> None:
    """A product the service uses up, `quantity` per service (0: no longer used)."""
    policy.require(actor, SalesCap.MENU_MANAGE)
    business_id = policy.business_of(actor)
    service = Service.objects.filter(pk=service_id, business_id=business_id).first()
    product = Product.objects.filter(pk=product_id, business_id=business_id).first()
    if service is None or product is None:
        raise NotFound(_("No such service or product."))
    quantity = changes.whole(
        quantity,
        "quantity",
        0,
        99,
        SalesErrorCode.INVALID_QUANTITY,
        _("Enter a quantity from 0 to 99."),
    )
    current = ServiceConsumable.objects.filter(service=service, product=product).first()
    before = current.quantity if current else 0
    if quantity == 0 and current is not None:
        current.delete()
    elif quantity and current is None:
        ServiceConsumable.objects.create(service=service, product=product, quantity=quantity)
    elif quantity and current is not None and current.quantity != quantity:
        current.quantity = quantity
        current.save(update_fields=["quantity"])
    if before != quantity:
        changes.audit_change(
            actor,
            entity="service",
            pk=service.pk,
            changes=[changes.change(f"consumable:{product.pk}", before, quantity)],
        )

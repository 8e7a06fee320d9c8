"""The customer archive over HTTP. Thin: parse, call a service or selector, shape the answer."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from liuke.accounts import policy
from liuke.accounts.models import User
from liuke.core.api import ERRORS, READ_ERRORS, JsonObjectIn
from liuke.customers import selectors, services
from liuke.customers.choices import FieldGroup, Gender, HairType, SkinType, Source
from liuke.customers.models import Customer, FieldChange

router = Router(tags=["customers"])

Text50 = Annotated[str, Field(max_length=50)]
Id = Annotated[int, Field(ge=1, le=2**62)]


class CustomerWrite(JsonObjectIn):
    """Fields shared by create and update; every one optional on update (PATCH)."""

    gender: Gender | None = None
    birthday: dt.date | None = None
    mobile: Annotated[str, Field(max_length=32)] | None = None
    wechat_id: Annotated[str, Field(max_length=40)] | None = None
    card_no: Annotated[str, Field(max_length=20)] | None = None
    branch_id: Id | None = None
    owner_id: Id | None = None
    is_key_account: bool | None = None
    source: Source | None = None
    referrer_id: Id | None = None
    tags: Annotated[list[Annotated[str, Field(max_length=30)]], Field(max_length=30)] | None = None
    skin_type: SkinType | None = None
    hair_type: HairType | None = None
    allergies: Annotated[str, Field(max_length=1000)] | None = None
    contraindications: Annotated[str, Field(max_length=1000)] | None = None
    preferences: Annotated[str, Field(max_length=2000)] | None = None
    notes: Annotated[str, Field(max_length=5000)] | None = None
    marketing_consent: bool | None = None
    photo_consent: bool | None = None


class CustomerCreate(CustomerWrite):
    name: Text50
    branch_id: Id


class CustomerPatch(CustomerWrite):
    name: Text50 | None = None


class CustomerSummary(Schema):
    id: int
    name: str
    gender: str
    mobile: str
    card_no: str | None
    branch_id: int
    branch: str
    is_key_account: bool
    completeness: int
    stale: bool


class CustomerOut(CustomerSummary):
    name_pinyin: str
    name_initials: str
    birthday: dt.date | None
    wechat_id: str
    owner_id: int | None
    source: str
    referrer_id: int | None
    tags: list[str]
    skin_type: str
    hair_type: str
    allergies: str
    contraindications: str
    preferences: str
    notes: str
    marketing_consent: bool
    marketing_consent_at: dt.datetime | None
    photo_consent: bool
    photo_consent_at: dt.datetime | None
    verified: dict[str, dt.datetime | None]
    stale_groups: list[str]
    created_at: dt.datetime
    updated_at: dt.datetime


class CustomerPage(Schema):
    items: list[CustomerSummary]
    page: int
    has_next: bool


class ChangeOut(Schema):
    kind: str
    field: str
    old_value: str
    new_value: str
    changed_by: str | None
    changed_at: dt.datetime


class ConfirmIn(JsonObjectIn):
    groups: Annotated[list[FieldGroup], Field(max_length=10)] | None = None


class MergeIn(JsonObjectIn):
    duplicate_id: Id


class MergeOut(Schema):
    survivor_id: int
    merged_id: int
    moved: dict[str, int]


def _actor(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


def _summary(actor: User, c: Customer, stale: bool) -> dict[str, Any]:
    return {
        "id": c.pk,
        "name": c.name,
        "gender": c.gender,
        "mobile": policy.present_mobile(actor, c.mobile),
        "card_no": c.card_no,
        "branch_id": c.branch_id,
        "branch": c.branch.name,
        "is_key_account": c.is_key_account,
        "completeness": c.completeness,
        "stale": stale,
    }


def _out(actor: User, c: Customer) -> dict[str, Any]:
    assert actor.business is not None
    groups = selectors.stale_groups(c, actor.business)
    data = _summary(actor, c, bool(groups))
    data.update(
        {
            f: getattr(c, f)
            for f in (
                "name_pinyin",
                "name_initials",
                "birthday",
                "wechat_id",
                "owner_id",
                "source",
                "referrer_id",
                "skin_type",
                "hair_type",
                "allergies",
                "contraindications",
                "preferences",
                "notes",
                "marketing_consent",
                "marketing_consent_at",
                "photo_consent",
                "photo_consent_at",
                "created_at",
                "updated_at",
            )
        }
    )
    data["tags"] = sorted(t.name for t in c.tags.all())
    data["verified"] = {g: getattr(c, f"{g}_verified_at") for g in FieldGroup.values}
    data["stale_groups"] = groups
    return data


@router.get("", response={200: CustomerPage, **READ_ERRORS}, summary="List and search customers")
def customer_list(
    request: HttpRequest, filters: Query[selectors.CustomerFilters]
) -> dict[str, Any]:
    actor = _actor(request)
    page = selectors.customer_list(actor=actor, filters=filters)
    cutoff = selectors.stale_cutoff(actor.business) if actor.business else None
    return {
        "items": [
            _summary(
                actor, c, c.verified_at is None or (cutoff is not None and c.verified_at < cutoff)
            )
            for c in page.items
        ],
        "page": page.number,
        "has_next": page.has_next,
    }


@router.post("", response={201: CustomerOut, **ERRORS}, summary="Create a customer")
def customer_create(request: HttpRequest, payload: CustomerCreate) -> tuple[int, dict[str, Any]]:
    actor = _actor(request)
    customer = services.customer_create(actor=actor, data=payload.dict(exclude_unset=True))
    return 201, _out(actor, selectors.customer_get(actor=actor, customer_id=customer.pk))


@router.get(
    "/duplicates",
    response={200: list[list[CustomerSummary]], **READ_ERRORS},
    summary="Groups of likely duplicates",
)
def duplicate_groups(request: HttpRequest) -> list[list[dict[str, Any]]]:
    actor = _actor(request)
    return [
        [_summary(actor, c, False) for c in group.customers]
        for group in selectors.duplicate_groups(actor=actor)
    ]


@router.get(
    "/{customer_id}", response={200: CustomerOut, **READ_ERRORS}, summary="A customer's profile"
)
def customer_detail(request: HttpRequest, customer_id: Id) -> dict[str, Any]:
    actor = _actor(request)
    return _out(actor, selectors.customer_get(actor=actor, customer_id=customer_id))


@router.patch("/{customer_id}", response={200: CustomerOut, **ERRORS}, summary="Change a customer")
def customer_update(
    request: HttpRequest, customer_id: Id, payload: CustomerPatch
) -> dict[str, Any]:
    actor = _actor(request)
    data = payload.dict(exclude_unset=True)
    services.customer_update(actor=actor, customer_id=customer_id, data=data)
    return _out(actor, selectors.customer_get(actor=actor, customer_id=customer_id))


@router.get(
    "/{customer_id}/history",
    response={200: list[ChangeOut], **READ_ERRORS},
    summary="A customer's change history",
)
def customer_history(request: HttpRequest, customer_id: Id) -> list[dict[str, Any]]:
    actor = _actor(request)
    changes: list[FieldChange] = selectors.customer_history(actor=actor, customer_id=customer_id)
    return [
        {
            "kind": ch.kind,
            "field": ch.field,
            "old_value": policy.present_mobile(actor, ch.old_value)
            if ch.field == "mobile"
            else ch.old_value,
            "new_value": policy.present_mobile(actor, ch.new_value)
            if ch.field == "mobile"
            else ch.new_value,
            "changed_by": str(ch.changed_by) if ch.changed_by else None,
            "changed_at": ch.changed_at,
        }
        for ch in changes
    ]


@router.post(
    "/{customer_id}/confirm",
    response={200: CustomerOut, **ERRORS},
    summary="Confirm a customer's data is current",
)
def customer_confirm(request: HttpRequest, customer_id: Id, payload: ConfirmIn) -> dict[str, Any]:
    actor = _actor(request)
    services.customer_confirm(actor=actor, customer_id=customer_id, groups=payload.groups)
    return _out(actor, selectors.customer_get(actor=actor, customer_id=customer_id))


@router.post(
    "/{customer_id}/merge",
    response={200: MergeOut, **ERRORS},
    summary="Merge a duplicate into this customer",
)
def customer_merge(request: HttpRequest, customer_id: Id, payload: MergeIn) -> dict[str, Any]:
    merge = services.customer_merge(
        actor=_actor(request), survivor_id=customer_id, duplicate_id=payload.duplicate_id
    )
    return {"survivor_id": merge.survivor_id, "merged_id": merge.merged_id, "moved": merge.moved}

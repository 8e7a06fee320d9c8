"""The customer archive over HTTP. Thin: parse, call a service or selector, shape the answer."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from liuke.accounts import policy
from liuke.accounts.http import api_actor
from liuke.accounts.models import User
from liuke.core.api import ERRORS, READ_ERRORS
from liuke.customers import selectors, services
from liuke.customers.choices import FieldGroup
from liuke.customers.fields import EDITABLE_FIELDS
from liuke.customers.models import AccessGrant, Customer, FieldChange
from liuke.customers.schemas import (
    AccessRequestIn,
    ConfirmIn,
    CustomerInput,
    CustomerPatch,
    DataRightsReasonIn,
    DecisionIn,
    HandoverIn,
    Id,
    MergeIn,
)

router = Router(tags=["customers"])
#: Key-account access requests and handovers, mounted at the API root (`/access-grants`, …).
access_router = Router(tags=["key accounts"])

#: The request bodies are the archive's typed inputs (`customers.schemas`), shared with the pages.
CustomerCreate = CustomerInput


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
    address_as: str
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
    confidential_notes: str
    marketing_consent: bool
    marketing_consent_at: dt.datetime | None
    photo_consent: bool
    photo_consent_at: dt.datetime | None
    service_notices: bool
    verified: dict[str, dt.datetime | None]
    stale_groups: list[str]
    created_at: dt.datetime
    updated_at: dt.datetime
    access: Literal["full", "card"] = Field(
        description="`card`: a key account seen without a grant; only the minimal card is filled"
    )
    hidden_fields: list[str] = Field(
        description="Fields this staff member may not see; they are returned empty"
    )


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


class MergeOut(Schema):
    survivor_id: int
    merged_id: int
    moved: dict[str, int]


def _summary(actor: User, c: Customer, stale: bool) -> dict[str, Any]:
    return {
        "id": c.pk,
        "name": c.name,
        "gender": c.gender,
        "mobile": policy.present_listed_mobile(actor, c),
        "card_no": c.card_no if policy.lists_file_details(actor, c) else None,
        "branch_id": c.branch_id,
        "branch": c.branch.name,
        "is_key_account": c.is_key_account,
        "completeness": c.completeness,
        "stale": stale,
    }


#: What a hidden field reads as, by type: the schema stays the same for every access level.
_BLANK: dict[str, Any] = {
    "birthday": None,
    "owner_id": None,
    "referrer_id": None,
    "marketing_consent": False,
    "marketing_consent_at": None,
    "photo_consent": False,
    "photo_consent_at": None,
    "service_notices": False,
    "card_no": None,
    "tags": [],
}
#: Output fields that follow an editable field's visibility.
_FOLLOWS = {
    "marketing_consent_at": "marketing_consent",
    "photo_consent_at": "photo_consent",
    "name_pinyin": "name",
    "name_initials": "name",
}


def _out(actor: User, file: selectors.CustomerFile) -> dict[str, Any]:
    c = file.customer
    # The customer's business (joined by the scoped fetch) is the actor's: no extra query.
    groups = selectors.stale_groups(c, c.business)
    data = _summary(actor, c, bool(groups))
    data["mobile"] = policy.present_customer_mobile(actor, c, full_file=file.full)
    data["card_no"] = c.card_no  # the file's own rules, below, decide (a grant opens it)
    data.update(
        {
            f: getattr(c, f)
            for f in (
                "name_pinyin",
                "name_initials",
                "birthday",
                "address_as",
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
                "service_notices",
                "created_at",
                "updated_at",
            )
        }
    )
    data["confidential_notes"] = c.confidential_notes
    data["tags"] = sorted(t.name for t in c.tags.all())
    data["verified"] = {g: getattr(c, f"{g}_verified_at") for g in FieldGroup.values}
    data["stale_groups"] = groups
    hidden = sorted(
        key
        for key in data
        if (key in EDITABLE_FIELDS or key in _FOLLOWS) and _FOLLOWS.get(key, key) not in file.fields
    )
    for key in hidden:
        data[key] = _BLANK.get(key, "")
    data["access"] = "full" if file.full else "card"
    data["hidden_fields"] = hidden
    return data


def _file(actor: User, customer_id: int) -> selectors.CustomerFile:
    return selectors.customer_file(actor=actor, customer_id=customer_id)


@router.get("", response={200: CustomerPage, **READ_ERRORS}, summary="List and search customers")
def customer_list(
    request: HttpRequest, filters: Query[selectors.CustomerFilters]
) -> dict[str, Any]:
    actor = api_actor(request)
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
def customer_create(request: HttpRequest, payload: CustomerCreate) -> Status[Any]:
    actor = api_actor(request)
    customer = services.customer_create(actor=actor, data=payload)
    return Status(201, _out(actor, _file(actor, customer.pk)))


@router.get(
    "/duplicates",
    response={200: list[list[CustomerSummary]], **READ_ERRORS},
    summary="Groups of likely duplicates",
)
def duplicate_groups(request: HttpRequest) -> list[list[dict[str, Any]]]:
    actor = api_actor(request)
    return [
        [_summary(actor, c, False) for c in group.customers]
        for group in selectors.duplicate_groups(actor=actor)
    ]


@router.get(
    "/{customer_id}", response={200: CustomerOut, **READ_ERRORS}, summary="A customer's profile"
)
def customer_detail(request: HttpRequest, customer_id: Id) -> dict[str, Any]:
    actor = api_actor(request)
    return _out(actor, _file(actor, customer_id))


@router.patch("/{customer_id}", response={200: CustomerOut, **ERRORS}, summary="Change a customer")
def customer_update(
    request: HttpRequest, customer_id: Id, payload: CustomerPatch
) -> dict[str, Any]:
    actor = api_actor(request)
    services.customer_update(actor=actor, customer_id=customer_id, data=payload)
    return _out(actor, _file(actor, customer_id))


@router.get(
    "/{customer_id}/history",
    response={200: list[ChangeOut], **READ_ERRORS},
    summary="A customer's change history",
)
def customer_history(request: HttpRequest, customer_id: Id) -> list[dict[str, Any]]:
    actor = api_actor(request)
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
    actor = api_actor(request)
    services.customer_confirm(actor=actor, customer_id=customer_id, groups=payload.groups)
    return _out(actor, _file(actor, customer_id))


@router.post(
    "/{customer_id}/merge",
    response={200: MergeOut, **ERRORS},
    summary="Merge a duplicate into this customer",
)
def customer_merge(request: HttpRequest, customer_id: Id, payload: MergeIn) -> dict[str, Any]:
    merge = services.customer_merge(
        actor=api_actor(request), survivor_id=customer_id, duplicate_id=payload.duplicate_id
    )
    return {"survivor_id": merge.survivor_id, "merged_id": merge.merged_id, "moved": merge.moved}


# --- Key accounts: borrowed access and handover -------------------------------------------------


class GrantOut(Schema):
    id: int
    customer_id: int
    customer_name: str
    grantee_id: int
    grantee: str
    reason: str
    status: Literal["pending", "approved", "refused", "revoked", "expired"]
    requested_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_note: str
    expires_at: dt.datetime | None


class HandoverOut(Schema):
    moved: int


def _grant(g: AccessGrant) -> dict[str, Any]:
    return {
        "id": g.pk,
        "customer_id": g.customer_id,
        "customer_name": g.customer.name,
        "grantee_id": g.grantee_id,
        "grantee": str(g.grantee),
        "reason": g.reason,
        "status": g.shown_status,
        "requested_at": g.requested_at,
        "decided_by": str(g.decided_by) if g.decided_by else None,
        "decided_at": g.decided_at,
        "decision_note": g.decision_note,
        "expires_at": g.expires_at,
    }


@router.post(
    "/{customer_id}/access-requests",
    response={201: GrantOut, **ERRORS},
    summary="Ask to read a key account's full file",
)
def access_request(request: HttpRequest, customer_id: Id, payload: AccessRequestIn) -> Status[Any]:
    grant = services.access_request(
        actor=api_actor(request), customer_id=customer_id, reason=payload.reason
    )
    return Status(201, _grant(grant))


@access_router.get(
    "/access-grants",
    response={200: list[GrantOut], **READ_ERRORS},
    summary="Key-account access requests and grants",
)
def access_grants(
    request: HttpRequest, view: Literal["to_decide", "active", "past", "mine"] = "to_decide"
) -> list[dict[str, Any]]:
    return [_grant(g) for g in selectors.access_grants(actor=api_actor(request), view=view)]


@access_router.post(
    "/access-grants/{grant_id}/approve", response={200: GrantOut, **ERRORS}, summary="Approve"
)
def access_approve(request: HttpRequest, grant_id: Id, payload: DecisionIn) -> dict[str, Any]:
    grant = services.access_decide(
        actor=api_actor(request), grant_id=grant_id, approve=True, note=payload.note
    )
    return _grant(grant)


@access_router.post(
    "/access-grants/{grant_id}/refuse", response={200: GrantOut, **ERRORS}, summary="Refuse"
)
def access_refuse(request: HttpRequest, grant_id: Id, payload: DecisionIn) -> dict[str, Any]:
    grant = services.access_decide(
        actor=api_actor(request), grant_id=grant_id, approve=False, note=payload.note
    )
    return _grant(grant)


@access_router.post(
    "/access-grants/{grant_id}/revoke",
    response={200: GrantOut, **ERRORS},
    summary="Revoke (or give back) access in force",
)
def access_revoke(request: HttpRequest, grant_id: Id) -> dict[str, Any]:
    return _grant(services.access_revoke(actor=api_actor(request), grant_id=grant_id))


@access_router.post(
    "/handovers",
    response={200: HandoverOut, **ERRORS},
    summary="Give customers a new responsible staff member",
)
def handover(request: HttpRequest, payload: HandoverIn) -> dict[str, Any]:
    moved = services.customer_handover(
        actor=api_actor(request),
        to_user_id=payload.to_user_id,
        reason=payload.reason,
        customer_ids=payload.customer_ids,
        from_user_id=payload.from_user_id,
    )
    return {"moved": moved}


# --- Privacy -------------------------------------------------------------------------------------


class ErasedOut(Schema):
    erased: int


@router.post(
    "/{customer_id}/export",
    response={200: dict[str, Any], **ERRORS},
    summary="Everything held about one customer (subject access request)",
)
def customer_export(request: HttpRequest, customer_id: Id, payload: DataRightsReasonIn) -> Any:
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    data = selectors.customer_export_data(
        actor=api_actor(request), customer_id=customer_id, reason=payload.reason
    )
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


@router.post(
    "/{customer_id}/erase",
    response={200: ErasedOut, **ERRORS},
    summary="Erase a customer's personal data (sales records stay)",
)
def customer_erase(
    request: HttpRequest, customer_id: Id, payload: DataRightsReasonIn
) -> dict[str, Any]:
    erased = services.customer_anonymise(
        actor=api_actor(request), customer_ids=[customer_id], reason=payload.reason, strict=True
    )
    return {"erased": erased}  # 0: already erased

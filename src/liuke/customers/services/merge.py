"""Merging a duplicate customer into the survivor without losing anything."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.models import User
from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.core.errors import ServiceError
from liuke.core.locking import retry_on_conflict
from liuke.customers.capabilities import CustomerCap
from liuke.customers.choices import ChangeKind
from liuke.customers.errors import CustomersErrorCode
from liuke.customers.fields import TEXT_FIELDS
from liuke.customers.models import Customer, CustomerMerge, FieldChange
from liuke.customers.services.archive import (
    _as_int,
    _display,
    _locked_customers,
    _now,
    _record,
    _refresh_derived,
)

#: Text fields whose contents are kept from both customers on a merge: losing an allergy
#: because it was typed on the duplicate is the one mistake a salon must never make.
_MERGE_APPEND = ("allergies", "contraindications", "preferences", "notes")
_MERGE_FILL = (
    "gender",
    "birthday",
    "mobile",
    "wechat_id",
    "skin_type",
    "hair_type",
    "owner_id",
    "referrer_id",
    "card_no",
)


@retry_on_conflict()
@transaction.atomic
def customer_merge(*, actor: User, survivor_id: int, duplicate_id: int) -> CustomerMerge:
    """Fold `duplicate` into `survivor` without losing anything.

    Every row of every table that points at the duplicate (visits, photos, history, referrals,
    and whatever later apps add) is moved to the survivor: the related tables are found from the
    model graph, so a new app's foreign key is covered without touching this function. The
    duplicate's row stays, marked `merged_into`, with a snapshot in `CustomerMerge`.
    """
    policy.require(actor, CustomerCap.CUSTOMER_MERGE)
    if _as_int(survivor_id) == _as_int(duplicate_id):
        raise ServiceError(
            CustomersErrorCode.MERGE_SAME, _("A customer cannot be merged into itself.")
        )
    survivor, duplicate = _locked_customers(actor, [survivor_id, duplicate_id])
    now = _now()
    snapshot = {
        f.attname: _jsonable(getattr(duplicate, f.attname)) for f in Customer._meta.concrete_fields
    }
    snapshot["tags"] = sorted(duplicate.tags.values_list("name", flat=True))
    changes = _merge_fields(actor, survivor, duplicate)
    moved = _move_related(survivor, duplicate)
    for tag in duplicate.tags.all():
        survivor.tags.add(tag)

    duplicate.merged_into = survivor
    duplicate.save(update_fields=["merged_into", "updated_at"])
    _refresh_derived(survivor)
    survivor.save()
    changes.append(
        _record(
            survivor,
            actor=actor,
            kind=ChangeKind.MERGE,
            field="",
            old=f"{duplicate.name} (#{duplicate.pk})",
            new=f"#{survivor.pk}",
        )
    )
    FieldChange.objects.bulk_create(changes)
    audit_record(
        actor=actor,
        action=Action.MERGE,
        customer_ids=[survivor.pk, duplicate.pk],
        fields=sorted(moved),
    )
    return CustomerMerge.objects.create(
        survivor=survivor,
        merged=duplicate,
        snapshot=snapshot,
        moved=moved,
        merged_by=actor,
        merged_at=now,
    )


def _merge_fields(actor: User, survivor: Customer, duplicate: Customer) -> list[FieldChange]:
    """Fill the survivor's blanks from the duplicate and keep both texts where they add up;
    the history rows are returned unsaved (the caller bulk-creates them)."""
    changes: list[FieldChange] = []
    if duplicate.card_no and not survivor.card_no:
        card = duplicate.card_no
        Customer.objects.filter(pk=duplicate.pk).update(card_no=None)
        duplicate.card_no = None
        survivor.card_no = card
        changes.append(
            _record(survivor, actor=actor, kind=ChangeKind.MERGE, field="card_no", new=card)
        )
    for field in _MERGE_FILL:
        if field == "card_no":
            continue
        theirs = getattr(duplicate, field)
        if field == "referrer_id" and theirs == survivor.pk:
            continue
        if theirs not in (None, "") and getattr(survivor, field) in (None, ""):
            setattr(survivor, field, theirs)
            changes.append(
                _record(
                    survivor,
                    actor=actor,
                    kind=ChangeKind.MERGE,
                    field=field,
                    new=_display(survivor, field),
                )
            )
    for field in _MERGE_APPEND:
        ours, theirs = getattr(survivor, field), getattr(duplicate, field)
        if theirs and theirs not in ours:
            limit = TEXT_FIELDS[field][0]
            merged = f"{ours}\n{theirs}".strip()[:limit]
            changes.append(
                _record(
                    survivor, actor=actor, kind=ChangeKind.MERGE, field=field, old=ours, new=merged
                )
            )
            setattr(survivor, field, merged)
    survivor.is_key_account = survivor.is_key_account or duplicate.is_key_account
    if survivor.referrer_id == duplicate.pk:
        survivor.referrer_id = (
            duplicate.referrer_id if duplicate.referrer_id != survivor.pk else None
        )
    return changes


def _move_related(survivor: Customer, duplicate: Customer) -> dict[str, int]:
    """Move every row that points at the duplicate to the survivor: the related tables are
    found from the model graph, so a later app's foreign key is covered. Returns the count
    moved per model label."""
    moved: dict[str, int] = {}
    for rel in Customer._meta.related_objects:
        if rel.many_to_many or rel.one_to_one or rel.related_model is CustomerMerge:
            continue
        if rel.related_model is Customer and rel.field.name == "merged_into":
            continue
        manager = rel.related_model._default_manager  # type: ignore[union-attr]
        qs = manager.filter(**{rel.field.name: duplicate})
        if rel.related_model is Customer:
            qs = qs.exclude(pk=survivor.pk)
        for clash in _clashes(rel.related_model, rel.field.name, survivor):  # type: ignore[arg-type]
            qs = qs.exclude(clash)
        count = qs.update(**{rel.field.name: survivor})
        if count:
            moved[rel.related_model._meta.label] = count  # type: ignore[union-attr]
    return moved


def _clashes(model: type[models.Model], field: str, survivor: Customer) -> list[Q]:
    """For each unique constraint of `model` that includes the customer field, the rows of the
    duplicate that would repeat one of the survivor's (both asked for the same file while
    pending, both have a task or message for the same occasion). Those stay with the merged-
    away row as its history (erasure covers it as the person's) instead of failing the merge."""
    out: list[Q] = []
    for constraint in model._meta.constraints:
        if not isinstance(constraint, models.UniqueConstraint) or field not in constraint.fields:
            continue
        others = [name for name in constraint.fields if name != field]
        theirs = model._default_manager.filter(**{field: survivor})
        if constraint.condition is not None:
            theirs = theirs.filter(constraint.condition)
        same = Exists(theirs.filter(**{name: OuterRef(name) for name in others}))
        out.append(Q(same) & (constraint.condition or Q()))
    return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value

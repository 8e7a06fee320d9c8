"""Privacy: erasing customers' personal data (the right to erasure, and retention)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.models import User
from liuke.accounts.policy import Cap
from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.core.errors import CoreErrorCode, NotFound
from liuke.core.locking import lock_rows
from liuke.core.privacy import ERASED_CLASSES, inventory_models
from liuke.core.text import clean_text
from liuke.customers.choices import ChangeKind
from liuke.customers.models import Customer, FieldChange
from liuke.customers.person import blank_value, person_ids, person_rows, survivor_ids
from liuke.customers.services.archive import _as_int, _now, _record, _refresh_derived

# --- Privacy: erasure -----------------------------------------------------------------------------

#: Cap needed to erase customers (owners only: `settings.manage`).
ERASE_CAP = Cap.SETTINGS_MANAGE


def _erase(customer: Customer, now: dt.datetime) -> list[str]:
    """Clear one customer's personal data in memory (the caller saves). Returns the fields."""
    cleared = []
    for field, (cls, _purpose) in inventory_models()["customers.Customer"].items():
        if cls not in ERASED_CLASSES or field in ("name", "name_pinyin", "name_initials"):
            continue
        model_field = Customer._meta.get_field(field)
        assert isinstance(model_field, models.Field)
        if model_field.null:
            setattr(customer, field, None)
        else:
            setattr(customer, field, model_field.get_default())
        cleared.append(field)
    customer.name = _("Erased customer #%(id)s") % {"id": customer.pk}
    customer.name_pinyin = customer.name_initials = ""
    customer.marketing_consent = customer.photo_consent = False
    customer.marketing_consent_at = customer.photo_consent_at = now
    customer.anonymised_at = now
    customer.is_key_account = False
    return ["name", *cleared]


def _erase_related(pks: list[int], *, business_id: int) -> None:
    """Blank, in every row linked to the person (`customers.person`: the tables that point at
    their customer rows, and one level further), the fields the inventory classes as erasable
    (contact notes, message bodies, visit notes, a refund's note, history values, merge
    snapshots …): a table added by a later app is covered once its fields are in the inventory,
    which a test demands. Amounts, dates the books need and links stay."""
    inventory = inventory_models()
    for model, rows in person_rows(pks, business_id=business_id):
        blanks: dict[str, Any] = {}
        for name, (cls, _purpose) in inventory.get(model._meta.label, {}).items():
            field = model._meta.get_field(name)
            if cls not in ERASED_CLASSES or field.is_relation or not field.concrete:
                continue
            clearable, value = blank_value(field)
            if clearable:
                blanks[name] = value
        if blanks:
            rows.update(**blanks)


def _ids_of(customers: list[Customer], business_id: int) -> set[int]:
    return {c.pk for c in customers if c.business_id == business_id}


@transaction.atomic
def customer_anonymise(
    *, actor: User, customer_ids: Iterable[int], reason: str, strict: bool = False
) -> int:
    """Erase the personal data of customers (the right to erasure, and retention).

    A customer is erased as a person: their row and every row ever merged into it (a merged-away
    id stands for the customer it was merged into), and the rows of every table linked to those
    (`customers.person`). Personal fields are cleared (the inventory collected from every app
    decides which), photos are deleted with their files, the history's old and new values and
    merge snapshots are blanked, tags removed. Visits, payments, cards, packages and their
    ledgers stay, so every total and balance is unchanged; the audit log keeps its events (they
    hold ids, never values).
    Returns how many customers (persons) were erased; rows already erased are skipped (safe to
    re-run: a person erased before merged-away rows were covered loses those now).
    With `strict`, a customer outside the actor's scope is `NotFound` rather than skipped.
    """
    policy.require(actor, ERASE_CAP)
    reason = clean_text(reason, max_length=500, multiline=True, field=_("Reason"))
    if len(reason) < 2:
        raise ValidationError(
            {
                "reason": [
                    ValidationError(_("Say why the data is erased."), code=CoreErrorCode.REQUIRED)
                ]
            }
        )
    ids = {_as_int(i) for i in list(customer_ids)[:10_000]}
    # A merged-away customer is part of the one it was merged into: erasing either erases the
    # person, every row ever merged into them included (C into B into A).
    roots = survivor_ids(ids)
    in_scope = list(
        policy.scope_customers(actor, Customer.objects.all())
        .filter(pk__in=set(roots.values()))
        .order_by("pk")
    )
    if strict and (len(roots) < len(ids) or len(in_scope) < len(set(roots.values()))):
        raise NotFound(_("No such customer."))  # `strict`: one named customer, in scope
    members = person_ids([c.pk for c in in_scope])
    # Every row of the persons locked in one statement, in primary-key order (the one order
    # every transaction that locks several customers takes); read again under the lock.
    locked = lock_rows(Customer, members)
    rows = [c for c in locked.values() if c.anonymised_at is None]
    if not rows:
        return 0
    now = _now()
    files = []
    for customer in rows:
        _erase(customer, now)
        _refresh_derived(customer)
        # The placeholder name is not the person's: no search keys, no completeness.
        customer.name_pinyin = customer.name_initials = ""
        customer.completeness = 0
        customer.save()
        customer.tags.clear()
        for photo in customer.photos.all():
            files.append(photo.image.name)
        customer.photos.all().delete()
    pks = [c.pk for c in rows]
    for business_id in sorted({c.business_id for c in in_scope}):
        _erase_related(
            [pk for pk, root in members.items() if root in _ids_of(in_scope, business_id)],
            business_id=business_id,
        )
    FieldChange.objects.bulk_create(
        [_record(c, actor=actor, kind=ChangeKind.ERASE, field="*") for c in rows]
    )
    audit_record(actor=actor, action=Action.ERASE, customer_ids=pks, reason=reason)

    def _delete_files() -> None:
        from django.core.files.storage import default_storage

        for name in files:
            default_storage.delete(name)

    transaction.on_commit(_delete_files)
    return len({members[pk] for pk in pks})

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
from liuke.customers.models import Customer, CustomerMerge, FieldChange
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


def _erase_related(pks: list[int]) -> None:
    """Blank, in every table that points at the customers, the text and optional fields the
    inventory classes as erasable (contact notes, message bodies, visit notes, a booked next
    visit …): a table added by a later app is covered once its fields are in the inventory,
    which a test demands. Amounts, dates the books need and links stay."""
    inventory = inventory_models()
    handled = {"customers.FieldChange", "customers.CustomerPhoto", "customers.CustomerMerge"}
    for rel in Customer._meta.related_objects:
        model: Any = rel.related_model
        label = model._meta.label
        if not rel.one_to_many or model is Customer or label in handled:
            continue
        blanks: dict[str, Any] = {}
        for name, (cls, _purpose) in inventory.get(label, {}).items():
            field = model._meta.get_field(name)
            if cls not in ERASED_CLASSES or field.is_relation or not field.concrete:
                continue
            if field.null:
                blanks[name] = None
            elif isinstance(field, models.CharField | models.TextField):
                blanks[name] = ""
        if blanks:
            model._default_manager.filter(**{f"{rel.field.name}__in": pks}).update(**blanks)


@transaction.atomic
def customer_anonymise(
    *, actor: User, customer_ids: Iterable[int], reason: str, strict: bool = False
) -> int:
    """Erase the personal data of customers (the right to erasure, and retention).

    Personal fields are cleared (the inventory collected from every app decides which),
    photos are deleted with their files, the history's old and new values and merge snapshots
    are blanked, tags removed. Visits, payments, cards, packages and their ledgers stay, so every
    total and balance is unchanged; the audit log keeps its events (they hold ids, never values).
    Returns how many customers were erased; already-erased ones are skipped (safe to re-run).
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
    in_scope = list(lock_rows(policy.scope_customers(actor, Customer.objects.all()), ids).values())
    if strict and len(in_scope) < len(ids):
        raise NotFound(_("No such customer."))  # `strict`: one named customer, in scope
    customers = [c for c in in_scope if c.anonymised_at is None]
    if not customers:
        return 0
    now = _now()
    files = []
    for customer in customers:
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
    pks = [c.pk for c in customers]
    _erase_related(pks)
    FieldChange.objects.filter(customer_id__in=pks).update(old_value="", new_value="")
    CustomerMerge.objects.filter(survivor_id__in=pks).update(snapshot={})
    CustomerMerge.objects.filter(merged_id__in=pks).update(snapshot={})
    FieldChange.objects.bulk_create(
        [_record(c, actor=actor, kind=ChangeKind.ERASE, field="*") for c in customers]
    )
    audit_record(actor=actor, action=Action.ERASE, customer_ids=pks, reason=reason)

    def _delete_files() -> None:
        from django.core.files.storage import default_storage

        for name in files:
            default_storage.delete(name)

    transaction.on_commit(_delete_files)
    return len(customers)

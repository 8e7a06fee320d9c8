"""The customer file's writes: create, update and confirm, with validation, the derived columns
(search keys, completeness) and the history of every change in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.errors import AccountsErrorCode
from liuke.accounts.models import Branch, User
from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.core import context
from liuke.core.errors import CoreErrorCode, ErrorCode, KeyAccountRestricted, NotFound, ServiceError
from liuke.core.locking import lock_rows
from liuke.core.pinyin import name_keys
from liuke.customers import selectors
from liuke.customers.capabilities import CustomerCap
from liuke.customers.choices import ChangeKind, FieldGroup
from liuke.customers.errors import CustomersErrorCode
from liuke.customers.fields import CHOICE_FIELDS, EDITABLE_FIELDS, FIELD_GROUPS, GUARDED_FIELDS
from liuke.customers.models import Customer, FieldChange, Tag
from liuke.customers.schemas import CustomerPatch

#: Fields whose history is kept, in display order.
TRACKED_FIELDS = tuple(f for f in EDITABLE_FIELDS)

#: Completeness weights (sum 100). A blank allergies field counts once health data was
#: confirmed: "no known allergies" is an answer.
COMPLETENESS_WEIGHTS: dict[str, int] = {
    "name": 10,
    "gender": 5,
    "birthday": 10,
    "mobile": 15,
    "wechat_id": 5,
    "skin_type": 10,
    "hair_type": 5,
    "allergies": 10,
    "preferences": 10,
    "source": 5,
    "owner_id": 5,
    "consent": 10,
}


def _now() -> dt.datetime:
    return timezone.now()


# --- validation ---------------------------------------------------------------------------------


def _clean(*, actor: User, data: CustomerPatch, instance: Customer | None) -> dict[str, Any]:
    """The fields present in `data`, cleaned (`CustomerPatch.normalised`), after the checks that
    need the database; one ValidationError for every field that is wrong."""
    cleaned, errors = data.normalised()

    def fail(field: str, message: str, code: ErrorCode) -> None:
        errors.setdefault(field, []).append(ValidationError(message, code=code))

    present = data.model_fields_set
    if instance is None and "name" not in present:
        fail("name", _("Enter the customer's name."), CoreErrorCode.REQUIRED)
    if "branch_id" in present:
        branch = Branch.objects.filter(pk=data.branch_id or 0).first()
        if branch is None or not policy.may_use_branch(actor, branch):
            fail("branch_id", _("Choose one of your branches."), CustomersErrorCode.INVALID_BRANCH)
        elif not branch.is_active and (instance is None or instance.branch_id != branch.pk):
            # a closed branch keeps its customers but takes no new one
            fail(
                "branch_id",
                _("This branch is closed: choose an open one."),
                AccountsErrorCode.BRANCH_CLOSED,
            )
    elif instance is None:
        fail("branch_id", _("Choose a branch."), CoreErrorCode.REQUIRED)
    owner_id = cleaned.get("owner_id")
    if (
        owner_id is not None
        and not User.objects.filter(
            pk=owner_id,
            business_id=policy.business_of(actor),
            is_active=True,
            # who can look after a customer: never the read-only auditor
            role__in=policy.roles_with(CustomerCap.CUSTOMER_EDIT),
        ).exists()
    ):
        fail("owner_id", _("Choose an active staff member."), CustomersErrorCode.INVALID_OWNER)
    referrer_id = cleaned.get("referrer_id")
    if referrer_id is not None:
        if not policy.scope_customers(actor, Customer.objects.filter(pk=referrer_id)).exists():
            fail(
                "referrer_id",
                _("Choose a customer you can see."),
                CustomersErrorCode.INVALID_REFERRER,
            )
        elif instance is not None and referrer_id == instance.pk:
            fail(
                "referrer_id",
                _("A customer cannot refer themselves."),
                CustomersErrorCode.SELF_REFERRAL,
            )
    if cleaned.get("card_no"):
        clash = Customer.objects.filter(
            business_id=policy.business_of(actor), card_no=cleaned["card_no"]
        )
        if instance is not None:
            clash = clash.exclude(pk=instance.pk)
        if clash.exists():
            fail(
                "card_no",
                _("This card number belongs to another customer."),
                CustomersErrorCode.DUPLICATE_CARD,
            )
    if errors:
        raise ValidationError(errors)
    return cleaned


def _as_input(data: CustomerPatch | Mapping[str, Any]) -> CustomerPatch:
    return data if isinstance(data, CustomerPatch) else CustomerPatch.from_mapping(data)


def _as_int(value: Any) -> int:
    """An id from user input; 0 (which matches no row) for anything that is not one."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 0
    return number if 0 < number < 2**63 else 0


# --- derived columns ----------------------------------------------------------------------------


def _refresh_derived(customer: Customer) -> None:
    customer.name_pinyin, customer.name_initials = name_keys(customer.name)
    customer.mobile_last4 = customer.mobile[-4:] if customer.mobile else ""
    stamps = [getattr(customer, f"{group}_verified_at") for group in FieldGroup.values]
    customer.verified_at = None if any(s is None for s in stamps) else min(stamps)
    customer.completeness = completeness_of(customer)


def completeness_of(customer: Customer) -> int:
    score = 0
    for field, weight in COMPLETENESS_WEIGHTS.items():
        if field == "consent":
            filled = customer.consent_verified_at is not None
        elif field == "allergies":
            filled = bool(customer.allergies) or customer.health_verified_at is not None
        else:
            filled = bool(getattr(customer, field))
        score += weight if filled else 0
    return score


def _display(customer: Customer, field: str) -> str:
    if field == "tags":
        return ", ".join(sorted(customer.tags.values_list("name", flat=True)))
    value = getattr(customer, field)
    if field in CHOICE_FIELDS:
        return str(getattr(customer, f"get_{field}_display")()) if value else ""
    # Foreign keys only: wechat_id also ends in "_id" but is plain text.
    if field in ("branch_id", "owner_id", "referrer_id") and value is not None:
        related = getattr(customer, field[:-3])
        return f"{related} (#{value})"
    if isinstance(value, bool):
        return "✓" if value else "✗"
    return "" if value is None else str(value)


def _record(
    customer: Customer,
    *,
    actor: User | None,
    kind: str,
    field: str = "",
    old: str = "",
    new: str = "",
) -> FieldChange:
    return FieldChange(
        customer=customer,
        kind=kind,
        field=field,
        old_value=old,
        new_value=new,
        changed_by=actor,
        changed_at=_now(),
        request_id=context.request_id.get() or "",
    )


def _set_tags(customer: Customer, names: Iterable[str]) -> None:
    tags = []
    for name in names:
        tag, _created = Tag.objects.get_or_create(business_id=customer.business_id, name=name)
        tags.append(tag)
    customer.tags.set(tags)


def _save(customer: Customer) -> None:
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError as exc:
        if "card_no" in str(exc) or "customer_card_no_unique" in str(exc):
            raise ValidationError(
                {
                    "card_no": [
                        ValidationError(
                            _("This card number belongs to another customer."),
                            code=CustomersErrorCode.DUPLICATE_CARD,
                        )
                    ]
                }
            ) from exc
        raise


# --- create, update, confirm ----------------------------------------------------------------------


@transaction.atomic
def customer_create(*, actor: User, data: CustomerPatch | Mapping[str, Any]) -> Customer:
    """A new customer from `data` (a `CustomerInput`, or a mapping of the same fields)."""
    policy.require(actor, CustomerCap.CUSTOMER_CREATE)
    data = _as_input(data)
    refused = []
    if data.confidential_notes and not (
        policy.reads_every_key_account(actor) or data.owner_id == actor.pk
    ):
        refused.append("confidential_notes")
    if data.is_key_account and not policy.can(actor, GUARDED_FIELDS["is_key_account"]):
        # the same right as changing the flag later: making a new customer a key account too
        refused.append("is_key_account")
    if refused:
        raise ValidationError(
            {
                field: [
                    ValidationError(
                        _("You may not change this field."),
                        code=CustomersErrorCode.FIELD_NOT_ALLOWED,
                    )
                ]
                for field in refused
            }
        )
    cleaned = _clean(actor=actor, data=data, instance=None)
    tags = cleaned.pop("tags", [])
    now = _now()
    customer = Customer(business_id=policy.business_of(actor), **cleaned)
    if customer.marketing_consent:
        customer.marketing_consent_at = now
    if customer.photo_consent:
        customer.photo_consent_at = now
    # Everything typed in at creation was just collected from the customer: it is fresh.
    for group in FieldGroup.values:
        setattr(customer, f"{group}_verified_at", now)
    _refresh_derived(customer)
    _save(customer)
    if tags:
        _set_tags(customer, tags)
    _record(customer, actor=actor, kind=ChangeKind.CREATE).save()
    audit_record(
        actor=actor, action=Action.CREATE, customer_ids=[customer.pk], fields=sorted(cleaned)
    )
    return customer


@transaction.atomic
def customer_update(
    *, actor: User, customer_id: int, data: CustomerPatch | Mapping[str, Any]
) -> Customer:
    """Change the fields present in `data` (a `CustomerPatch`, or a mapping of the same fields);
    each changed field gets a history entry and marks its group as verified now (staff just
    heard it from the customer)."""
    policy.require(actor, CustomerCap.CUSTOMER_EDIT)
    customer = _locked_customer(actor, customer_id)
    _check_field_rights(actor, customer, data.given() if isinstance(data, CustomerPatch) else data)
    cleaned = _clean(actor=actor, data=_as_input(data), instance=customer)
    now = _now()
    changes: list[FieldChange] = []
    new_tags = cleaned.pop("tags", None)
    touched_groups: set[str] = set()
    for field, value in cleaned.items():
        if getattr(customer, field) == value:
            continue
        old = _display(customer, field)
        setattr(customer, field, value)
        if field.endswith("_id"):
            # Drop the cached related object so the display shows the new one.
            customer._state.fields_cache.pop(field[:-3], None)
        changes.append(
            _record(
                customer,
                actor=actor,
                kind=ChangeKind.EDIT,
                field=field,
                old=old,
                new=_display(customer, field),
            )
        )
        if field in ("marketing_consent", "photo_consent"):
            setattr(customer, f"{field}_at", now)
        touched_groups.update(g for g, fields in FIELD_GROUPS.items() if field in fields)
    if new_tags is not None:
        old = _display(customer, "tags")
        if sorted(new_tags) != sorted(old.split(", ") if old else []):
            _set_tags(customer, new_tags)
            changes.append(
                _record(
                    customer,
                    actor=actor,
                    kind=ChangeKind.EDIT,
                    field="tags",
                    old=old,
                    new=_display(customer, "tags"),
                )
            )
    if not changes:
        return customer
    for group in touched_groups:
        setattr(customer, f"{group}_verified_at", now)
    _refresh_derived(customer)
    _save(customer)
    FieldChange.objects.bulk_create(changes)
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        customer_ids=[customer.pk],
        fields=sorted({c.field for c in changes}),
    )
    return customer


@transaction.atomic
def customer_confirm(
    *, actor: User, customer_id: int, groups: Iterable[str] | None = None
) -> Customer:
    """Mark groups of fields as confirmed with the customer today (the "to confirm" queue)."""
    policy.require(actor, CustomerCap.CUSTOMER_CONFIRM)
    customer = _locked_customer(actor, customer_id)
    chosen = list(groups) if groups else list(FieldGroup.values)
    bad = [g for g in chosen if g not in FieldGroup.values]
    if bad:
        raise ServiceError(
            CustomersErrorCode.INVALID_GROUP, _("Unknown group of fields: %s") % ", ".join(bad)
        )
    now = _now()
    for group in chosen:
        setattr(customer, f"{group}_verified_at", now)
    _refresh_derived(customer)
    customer.save()
    FieldChange.objects.bulk_create(
        [_record(customer, actor=actor, kind=ChangeKind.CONFIRM, field=g) for g in chosen]
    )
    audit_record(actor=actor, action=Action.CONFIRM, customer_ids=[customer.pk], fields=chosen)
    return customer


def _locked_customer(actor: User, customer_id: int, *, full_file: bool = True) -> Customer:
    """The customer, locked for the change; in scope, and (unless `full_file=False`) with the
    full file open to the actor: a key account's card is read-only."""
    return _locked_customers(actor, [customer_id], full_file=full_file)[0]


def _locked_customers(
    actor: User, customer_ids: Sequence[Any], *, full_file: bool = True
) -> list[Customer]:
    """The customers (in the order asked), locked in key order (docs/money.md: two merges of
    one pair in opposite directions queue instead of deadlocking); each as `_locked_customer`."""
    ids = [_as_int(i) for i in customer_ids]
    locked = lock_rows(policy.scope_customers(actor, Customer.objects.all()), ids)
    customers = [locked.get(i) for i in ids]
    for customer in customers:
        if customer is None:
            raise NotFound(_("No such customer."))
        if full_file and not selectors.has_full_file(actor, customer):
            raise KeyAccountRestricted(
                _("This is a key account: ask for access to read and change the full file.")
            )
    return [c for c in customers if c is not None]


def _check_field_rights(actor: User, customer: Customer, data: Mapping[str, Any]) -> None:
    visible = selectors.visible_fields(actor, customer, full_file=True)
    refused = [f for f in data if f in policy.CONFIDENTIAL_FIELDS and f not in visible]
    for field, cap in GUARDED_FIELDS.items():
        if field in data and not policy.can(actor, cap):
            new, current = data[field], getattr(customer, field)
            unchanged = (new in (None, "") and current is None) or str(new) == str(current)
            if not unchanged:
                refused.append(field)
    if refused:
        raise ValidationError(
            {
                f: [
                    ValidationError(
                        _("You may not change this field."),
                        code=CustomersErrorCode.FIELD_NOT_ALLOWED,
                    )
                ]
                for f in refused
            }
        )

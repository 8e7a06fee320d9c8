"""Every write to the customer archive: validation, invariants and history in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.models import Branch, User
from liuke.accounts.policy import Cap
from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.core import context
from liuke.core.errors import (
    CoreErrorCode,
    ErrorCode,
    KeyAccountRestricted,
    NotFound,
    PermissionDenied,
    ServiceError,
)
from liuke.core.pinyin import name_keys
from liuke.core.privacy import ERASED_CLASSES, inventory_models
from liuke.core.text import clean_text
from liuke.customers import selectors
from liuke.customers.capabilities import CustomerCap
from liuke.customers.choices import (
    ChangeKind,
    FieldGroup,
    GrantStatus,
)
from liuke.customers.errors import CustomersErrorCode
from liuke.customers.fields import (
    CHOICE_FIELDS,
    EDITABLE_FIELDS,
    FIELD_GROUPS,
    GUARDED_FIELDS,
    TEXT_FIELDS,
)
from liuke.customers.models import (
    AccessGrant,
    Customer,
    CustomerMerge,
    CustomerPhoto,
    FieldChange,
    Tag,
)
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
    elif instance is None:
        fail("branch_id", _("Choose a branch."), CoreErrorCode.REQUIRED)
    owner_id = cleaned.get("owner_id")
    if (
        owner_id is not None
        and not User.objects.filter(
            pk=owner_id, business_id=policy.business_of(actor), is_active=True
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


# --- services -----------------------------------------------------------------------------------


@transaction.atomic
def customer_create(*, actor: User, data: CustomerPatch | Mapping[str, Any]) -> Customer:
    """A new customer from `data` (a `CustomerInput`, or a mapping of the same fields)."""
    policy.require(actor, CustomerCap.CUSTOMER_CREATE)
    data = _as_input(data)
    if data.confidential_notes and not (
        policy.reads_every_key_account(actor) or data.owner_id == actor.pk
    ):
        raise ValidationError(
            {
                "confidential_notes": [
                    ValidationError(
                        _("You may not change this field."),
                        code=CustomersErrorCode.FIELD_NOT_ALLOWED,
                    )
                ]
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
    qs = policy.scope_customers(actor, Customer.objects.select_for_update())
    customer = qs.filter(pk=_as_int(customer_id)).first()
    if customer is None:
        raise NotFound(_("No such customer."))
    if full_file and not selectors.has_full_file(actor, customer):
        raise KeyAccountRestricted(
            _("This is a key account: ask for access to read and change the full file.")
        )
    return customer


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
    survivor = _locked_customer(actor, survivor_id)
    duplicate = _locked_customer(actor, duplicate_id)
    now = _now()
    snapshot = {
        f.attname: _jsonable(getattr(duplicate, f.attname)) for f in Customer._meta.concrete_fields
    }
    snapshot["tags"] = sorted(duplicate.tags.values_list("name", flat=True))
    changes: list[FieldChange] = []

    # Fields: fill the survivor's blanks, keep both texts where they add up.
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

    # Rows that point at the duplicate move to the survivor.
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
        count = qs.update(**{rel.field.name: survivor})
        if count:
            moved[rel.related_model._meta.label] = count  # type: ignore[union-attr]
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


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


@transaction.atomic
def customer_photo_add(
    *,
    actor: User,
    customer_id: int,
    image: Any,
    kind: str,
    caption: str = "",
    taken_on: dt.date | None = None,
) -> CustomerPhoto:
    """Store a before/after photo; only with the customer's photo consent."""
    policy.require(actor, CustomerCap.CUSTOMER_EDIT)
    customer = _locked_customer(actor, customer_id)
    if not customer.photo_consent:
        raise ServiceError(
            CustomersErrorCode.NO_PHOTO_CONSENT, _("The customer has not consented to photos.")
        )
    from liuke.customers.photos import clean_photo

    content = clean_photo(image)
    photo = CustomerPhoto(
        customer=customer,
        kind=kind,
        caption=clean_text(caption, max_length=200, field=_("caption")),
        taken_on=taken_on,
        uploaded_by=actor,
    )
    photo.image.save(content.name, content, save=False)
    photo.save()
    _record(
        customer,
        actor=actor,
        kind=ChangeKind.PHOTO,
        field="photos",
        new=str(photo.get_kind_display()),
    ).save()
    audit_record(actor=actor, action=Action.PHOTO_ADD, customer_ids=[customer.pk], fields=[kind])
    return photo


# --- Key accounts: borrowed access and handover -------------------------------------------------


@transaction.atomic
def access_request(*, actor: User, customer_id: int, reason: str) -> AccessGrant:
    """Ask to read a key account's full file; the reason is required and goes to the log."""
    customer = _locked_customer(actor, customer_id, full_file=False)
    if selectors.has_full_file(actor, customer):
        raise ServiceError(
            CustomersErrorCode.ACCESS_NOT_NEEDED, _("You can already read this customer's file.")
        )
    reason = clean_text(reason, max_length=500, multiline=True, field=_("Reason"))
    if len(reason) < 2:
        raise ValidationError(
            {
                "reason": [
                    ValidationError(_("Say why you need the file."), code=CoreErrorCode.REQUIRED)
                ]
            }
        )
    if AccessGrant.objects.filter(
        grantee=actor, customer=customer, status=GrantStatus.PENDING
    ).exists():
        raise ServiceError(
            CustomersErrorCode.REQUEST_PENDING, _("You have already asked; wait for the answer.")
        )
    grant = AccessGrant.objects.create(
        customer=customer, grantee=actor, reason=reason, requested_at=_now()
    )
    audit_record(
        actor=actor, action=Action.ACCESS_REQUEST, customer_ids=[customer.pk], reason=reason
    )
    return grant


def _decidable_grant(actor: User, grant_id: int) -> AccessGrant:
    grant = (
        AccessGrant.objects.select_for_update()
        .select_related("customer", "grantee")
        .filter(pk=_as_int(grant_id), customer__business_id=policy.business_of(actor))
        .first()
    )
    if grant is None or not policy.may_decide_grant(actor, grant.customer):
        raise NotFound(_("No such request."))
    return grant


@transaction.atomic
def access_decide(*, actor: User, grant_id: int, approve: bool, note: str = "") -> AccessGrant:
    """Approve (for `Business.grant_hours`) or refuse a pending request. Nobody decides their
    own request."""
    grant = _decidable_grant(actor, grant_id)
    if grant.status != GrantStatus.PENDING:
        raise ServiceError(
            CustomersErrorCode.NOT_PENDING, _("This request has already been decided.")
        )
    if grant.grantee_id == actor.pk:
        raise PermissionDenied(_("You cannot decide your own request."))
    now = _now()
    grant.status = GrantStatus.APPROVED if approve else GrantStatus.REFUSED
    grant.decided_by = actor
    grant.decided_at = now
    grant.decision_note = clean_text(note, max_length=500, multiline=True, field=_("Note"))
    if approve:
        assert actor.business is not None
        grant.expires_at = now + dt.timedelta(hours=actor.business.grant_hours)
    grant.save()
    audit_record(
        actor=actor,
        action=Action.ACCESS_APPROVE if approve else Action.ACCESS_REFUSE,
        customer_ids=[grant.customer_id],
        fields=[f"grant:{grant.pk}", f"grantee:{grant.grantee_id}"],
        reason=grant.reason,
    )
    return grant


@transaction.atomic
def access_revoke(*, actor: User, grant_id: int) -> AccessGrant:
    """End an approved grant now (by a decider, or by the grantee giving the file back)."""
    grant = (
        AccessGrant.objects.select_for_update()
        .select_related("customer")
        .filter(pk=_as_int(grant_id), customer__business_id=policy.business_of(actor))
        .first()
    )
    if grant is None or not (
        grant.grantee_id == actor.pk or policy.may_decide_grant(actor, grant.customer)
    ):
        raise NotFound(_("No such request."))
    if not grant.in_force(_now()):
        raise ServiceError(CustomersErrorCode.NOT_IN_FORCE, _("This access is not in force."))
    grant.status = GrantStatus.REVOKED
    grant.expires_at = _now()
    grant.save(update_fields=["status", "expires_at"])
    audit_record(
        actor=actor,
        action=Action.ACCESS_REVOKE,
        customer_ids=[grant.customer_id],
        fields=[f"grant:{grant.pk}", f"grantee:{grant.grantee_id}"],
    )
    return grant


@transaction.atomic
def customer_handover(
    *,
    actor: User,
    to_user_id: int,
    reason: str,
    customer_ids: Iterable[int] | None = None,
    from_user_id: int | None = None,
) -> int:
    """Give customers a new responsible staff member: the listed ones, or every customer of
    `from_user_id` in the actor's scope (a staff member leaving). Each customer's history
    records it; one audit event lists them all. Returns how many changed hands."""
    policy.require(actor, CustomerCap.CUSTOMER_HANDOVER)
    reason = clean_text(reason, max_length=500, multiline=True, field=_("Reason"))
    errors: dict[str, list[ValidationError]] = {}
    if len(reason) < 2:
        errors["reason"] = [
            ValidationError(_("Say why they are handed over."), code=CoreErrorCode.REQUIRED)
        ]
    to_user = User.objects.filter(
        pk=_as_int(to_user_id), business_id=policy.business_of(actor), is_active=True
    ).first()
    if to_user is None:
        errors["to_user_id"] = [
            ValidationError(
                _("Choose an active staff member."), code=CustomersErrorCode.INVALID_STAFF
            )
        ]
    if customer_ids is None and from_user_id is None:
        errors["customer_ids"] = [
            ValidationError(
                _("Choose the customers or the staff member."), code=CoreErrorCode.REQUIRED
            )
        ]
    if errors:
        raise ValidationError(errors)
    assert to_user is not None
    qs = policy.scope_customers(actor, Customer.objects.select_for_update())
    if customer_ids is not None:
        ids = [_as_int(i) for i in customer_ids][:10_000]
        qs = qs.filter(pk__in=ids)
    if from_user_id is not None:
        qs = qs.filter(owner_id=_as_int(from_user_id))
    customers = list(qs.exclude(owner_id=to_user.pk).select_related("owner"))
    if not customers:
        return 0
    now = _now()
    changes = []
    for customer in customers:
        old = _display(customer, "owner_id")
        customer.owner = to_user
        changes.append(
            _record(
                customer,
                actor=actor,
                kind=ChangeKind.HANDOVER,
                field="owner_id",
                old=old,
                new=_display(customer, "owner_id"),
            )
        )
        customer.updated_at = now
    Customer.objects.bulk_update(customers, ["owner", "updated_at"], batch_size=500)
    FieldChange.objects.bulk_create(changes, batch_size=500)
    audit_record(
        actor=actor,
        action=Action.HANDOVER,
        customer_ids=[c.pk for c in customers],
        fields=["owner_id", f"to:{to_user.pk}"],
        reason=reason,
    )
    return len(customers)


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
    in_scope = list(
        policy.scope_customers(actor, Customer.objects.select_for_update())
        .filter(pk__in=ids)
        .order_by("pk")
    )
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

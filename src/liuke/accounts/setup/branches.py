"""A business's branches: add one, change it, close it, open it again.

The owner does all of it; a manager changes the counter details of the branches they work in
(address, phone, receipt texts: `policy.branch_fields_editable`). A closed branch keeps its
customers, visits and history and is still listed, but takes no new visit, customer or staff
member; the last open branch cannot be closed. Every change is one audit event with the
fields' before and after values.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from liuke.accounts import policy, services
from liuke.accounts.errors import AccountsErrorCode
from liuke.accounts.models import Branch, Business, User
from liuke.accounts.schemas import BranchIn, BranchPatch
from liuke.accounts.setup import changes
from liuke.core.errors import CapabilityDenied, CoreErrorCode, NotFound
from liuke.core.inputs import parse_input
from liuke.core.locking import lock_one, lock_rows
from liuke.core.text import clean_text

#: The plain text fields of a branch and their lengths.
TEXT_FIELDS = {
    "name": 100,
    "code": 20,
    "address": 200,
    "phone": 30,
    "time_zone": 50,
    "receipt_header": 200,
    "receipt_footer": 200,
}
HOURS = ("opens_at", "closes_at")
LABELS = {
    "name": _lazy("Name"),
    "code": _lazy("Code"),
    "address": _lazy("Address"),
    "phone": _lazy("Phone"),
    "time_zone": _lazy("Time zone"),
    "receipt_header": _lazy("Receipt header"),
    "receipt_footer": _lazy("Receipt footer"),
}


def _error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code)]})


def _cleaned(values: Mapping[str, Any]) -> dict[str, Any]:
    """The text fields cleaned (control characters refused, spaces trimmed), the rest as is."""
    out = dict(values)
    for name, limit in TEXT_FIELDS.items():
        if name in out and out[name] is not None:
            out[name] = clean_text(out[name], max_length=limit, field=str(LABELS[name]))
    if "name" in out and not out["name"]:
        raise _error("name", _("Enter the branch's name."), CoreErrorCode.REQUIRED)
    if "time_zone" in out and out["time_zone"] not in zoneinfo.available_timezones():
        raise _error(
            "time_zone",
            _("Enter a time zone such as Asia/Shanghai."),
            AccountsErrorCode.INVALID_TIME_ZONE,
        )
    return out


def _check_code(business_id: int, code: str, *, exclude: int | None = None) -> None:
    taken = Branch.objects.filter(business_id=business_id, code=code)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise _error(
            "code",
            _("Another branch has the code %(code)s.") % {"code": code},
            AccountsErrorCode.BRANCH_CODE_TAKEN,
        )


def _next_code(business_id: int) -> str:
    """B01, B02, …: the first free one."""
    used = set(Branch.objects.filter(business_id=business_id).values_list("code", flat=True))
    n = 1
    while f"B{n:0>2}" in used:
        n += 1
    return f"B{n:0>2}"


@transaction.atomic
def branch_create(*, actor: User, data: BranchIn | Mapping[str, Any]) -> Branch:
    """A new branch of the actor's business (owners). It starts with what every branch gets
    from the apps (its suggestion box, its reminder settings: `business_provision`)."""
    policy.require(actor, policy.Cap.SETTINGS_MANAGE)
    payload = data if isinstance(data, BranchIn) else parse_input(BranchIn, data)
    business_id = policy.business_of(actor)
    lock_one(Business, business_id)  # serialise the codes
    values = _cleaned(payload.model_dump())
    values["code"] = values["code"] or _next_code(business_id)
    _check_code(business_id, values["code"])
    hours = {name: values.pop(name) for name in HOURS}
    branch = Branch.objects.create(business_id=business_id, **values)
    if hours["opens_at"] is not None or hours["closes_at"] is not None:
        branch = services.branch_hours_update(actor=actor, branch_id=branch.pk, **hours)
    services.business_provision(business_id=business_id)
    changes.record(
        actor=actor,
        subject=f"branch:{branch.pk}",
        changes={k: (None, v) for k, v in values.items() if v},
        note=_("created"),
    )
    return branch


def _locked(actor: User, branch_id: int) -> Branch:
    branch = lock_one(policy.scope_branches(actor, Branch.objects.all()), branch_id)
    if branch is None:
        raise NotFound(_("No such branch."))
    return branch


@transaction.atomic
def branch_update(*, actor: User, branch_id: int, data: BranchPatch | Mapping[str, Any]) -> Branch:
    """Change the fields sent. A manager may change only the counter details of their own
    branches; the opening hours go through `branch_hours_update` (owners)."""
    editable = policy.branch_fields_editable(actor)
    if editable == frozenset():
        raise CapabilityDenied()
    payload = data if isinstance(data, BranchPatch) else parse_input(BranchPatch, data)
    branch = _locked(actor, branch_id)
    sent = {name: getattr(payload, name) for name in payload.model_fields_set}
    if editable is not None and set(sent) - editable:
        raise CapabilityDenied(
            _("Only the owner changes a branch's name, code, time zone or opening hours.")
        )
    hours = {name: sent.pop(name, getattr(branch, name)) for name in HOURS}
    values = _cleaned({k: v for k, v in sent.items() if v is not None})
    if "code" in values:
        values["code"] = values["code"] or branch.code
        _check_code(branch.business_id, values["code"], exclude=branch.pk)
    before = {name: getattr(branch, name) for name in values}
    diff = changes.changed(before, values)
    if diff:
        for name, (_old, new) in diff.items():
            setattr(branch, name, new)
        branch.save(update_fields=[*diff, "updated_at"])
        changes.record(actor=actor, subject=f"branch:{branch.pk}", changes=diff)
    if any(hours[name] != getattr(branch, name) for name in HOURS):
        branch = services.branch_hours_update(actor=actor, branch_id=branch.pk, **hours)
    return branch


@transaction.atomic
def branch_close(*, actor: User, branch_id: int) -> Branch:
    """Close a branch (owners): it keeps its history and takes nothing new. The business's
    last open branch stays open."""
    policy.require(actor, policy.Cap.SETTINGS_MANAGE)
    business_id = policy.business_of(actor)
    # Lock every open branch of the business: two owners closing the last two branches at
    # the same moment must not both succeed.
    open_ids = list(lock_rows(Branch.objects.filter(business_id=business_id, is_active=True), None))
    branch = _locked(actor, branch_id)
    if not branch.is_active:
        return branch
    if open_ids == [branch.pk]:
        raise ValidationError(
            _("This is the business's last open branch: open another one before closing it."),
            code=AccountsErrorCode.LAST_BRANCH,
        )
    branch.is_active, branch.closed_at = False, timezone.now()
    branch.save(update_fields=["is_active", "closed_at", "updated_at"])
    changes.record(actor=actor, subject=f"branch:{branch.pk}", changes={"open": (True, False)})
    return branch


@transaction.atomic
def branch_reopen(*, actor: User, branch_id: int) -> Branch:
    """Open a closed branch again (owners)."""
    policy.require(actor, policy.Cap.SETTINGS_MANAGE)
    branch = _locked(actor, branch_id)
    if not branch.is_active:
        branch.is_active, branch.closed_at = True, None
        branch.save(update_fields=["is_active", "closed_at", "updated_at"])
        changes.record(actor=actor, subject=f"branch:{branch.pk}", changes={"open": (False, True)})
    return branch


def open_branches(*, actor: User, branch_ids: list[int], field: str = "branch_ids") -> list[Branch]:
    """The branches named, each an open branch the actor works in; refused otherwise."""
    found = list(
        policy.scope_branches(actor, Branch.objects.all()).filter(pk__in=branch_ids, is_active=True)
    )
    if len(found) != len(set(branch_ids)):
        raise _error(
            field,
            _("Choose open branches that you manage."),
            AccountsErrorCode.INVALID_BRANCH,
        )
    return found

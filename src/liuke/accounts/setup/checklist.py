"""The first-run checklist of a new business: each app declares its steps
(`ChecklistItem` in its contribution); the owner sees them until every one is done or they
hide the list. A step with a predicate is done when the predicate says so; one without is
ticked by the owner (settings that start with sensible defaults, to be looked at once).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.errors import AccountsErrorCode
from liuke.accounts.models import Branch, Business, User
from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.core.locking import lock_get
from liuke.core.public_url import is_loopback
from liuke.core.registry import ChecklistItem, import_dotted, registry


@dataclass(frozen=True)
class Step:
    """One step as the owner sees it."""

    key: str
    label: str | Promise
    url: str
    done: bool
    #: ticked by hand (no predicate decides it)
    manual: bool


@dataclass(frozen=True)
class Checklist:
    steps: list[Step]
    dismissed: bool

    @property
    def done(self) -> int:
        return sum(step.done for step in self.steps)

    @property
    def complete(self) -> bool:
        return all(step.done for step in self.steps)

    @property
    def shown(self) -> bool:
        """Whether the home page shows it: not every step done, and not hidden."""
        return not self.dismissed and not self.complete


def items() -> list[ChecklistItem]:
    return sorted(registry.items("checklist"), key=lambda item: (item.order, item.key))


def checklist(*, actor: User) -> Checklist | None:
    """The business's checklist, for its owners (None for anyone else)."""
    if not policy.can(actor, policy.Cap.SETTINGS_MANAGE):
        return None
    business = Business.objects.get(pk=policy.business_of(actor))
    ticked = set(business.checklist_ticked or [])
    steps = [
        Step(
            key=item.key,
            label=item.label,
            url=reverse(item.url_name),
            done=item.key in ticked
            or (item.done is not None and bool(import_dotted(item.done)(business_id=business.pk))),
            manual=item.done is None,
        )
        for item in items()
    ]
    return Checklist(steps=steps, dismissed=business.checklist_dismissed_at is not None)


def _business(actor: User) -> Business:
    policy.require(actor, policy.Cap.SETTINGS_MANAGE)
    return lock_get(Business, policy.business_of(actor))


@transaction.atomic
def checklist_tick(*, actor: User, key: str, done: bool = True) -> None:
    """Mark a step done by hand (or not done again)."""
    business = _business(actor)
    if key not in {item.key for item in items()}:
        raise ValidationError(
            _("No such step on the checklist."), code=AccountsErrorCode.UNKNOWN_CHECKLIST_ITEM
        )
    ticked = [k for k in business.checklist_ticked or [] if k != key]
    business.checklist_ticked = sorted([*ticked, key] if done else ticked)
    business.save(update_fields=["checklist_ticked", "updated_at"])
    audit_record(actor=actor, action=Action.SETTINGS, fields=[f"checklist:{key}:{done}"])


@transaction.atomic
def checklist_dismiss(*, actor: User, hidden: bool = True) -> None:
    """Hide the checklist from the home page (or show it again)."""
    business = _business(actor)
    business.checklist_dismissed_at = timezone.now() if hidden else None
    business.save(update_fields=["checklist_dismissed_at", "updated_at"])
    audit_record(actor=actor, action=Action.SETTINGS, fields=[f"checklist:hidden:{hidden}"])


# --- the accounts app's own steps' predicates ---------------------------------------------------


def branches_done(*, business_id: int) -> bool:
    """Every open branch has its address and phone (the receipt and the customers need them)."""
    branches = Branch.objects.filter(business_id=business_id, is_active=True)
    return (
        branches.exists()
        and not branches.filter(address="").exists()
        and not (branches.filter(phone="").exists())
    )


def staff_done(*, business_id: int) -> bool:
    """Someone besides the owners works here."""
    return User.objects.filter(business_id=business_id).exclude(role="owner").exists()


def public_url_done(*, business_id: int) -> bool:
    """The address customers' links point at is not this machine's own."""
    return not is_loopback(settings.LIUKE_PUBLIC_URL)


def public_address() -> dict[str, object]:
    """The public address and whether it is the server's own, for the settings and checklist
    pages."""
    return {
        "public_url": settings.LIUKE_PUBLIC_URL,
        "public_url_local": is_loopback(settings.LIUKE_PUBLIC_URL),
    }

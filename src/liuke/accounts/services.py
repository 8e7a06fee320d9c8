"""Writes for businesses, branches and staff."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.choices import Role
from liuke.accounts.errors import AccountsErrorCode
from liuke.accounts.models import ApiToken, Branch, Business, User
from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.core.errors import CoreErrorCode, NotFound
from liuke.core.locking import lock_get, lock_one
from liuke.core.registry import import_dotted, registry
from liuke.core.text import clean_text


@transaction.atomic
def owner_create(*, username: str, password: str, business_name: str, branch_name: str) -> User:
    """A new business with its first branch and its owner: what `liuke createowner` does."""
    username = clean_text(username, max_length=150, field=_("Username"))
    if not username:
        raise ValidationError(_("Enter a username."), code=CoreErrorCode.REQUIRED)
    if User.objects.filter(username=username).exists():
        raise ValidationError(_("This username is taken."), code=AccountsErrorCode.USERNAME_TAKEN)
    business = Business.objects.create(
        name=clean_text(business_name, max_length=100, field=_("Business")) or username
    )
    branch = Branch.objects.create(
        business=business,
        name=clean_text(branch_name, max_length=100, field=_("Branch")) or business.name,
        code="B01",
    )
    user = User(username=username, business=business, role=Role.OWNER, display_name=username)
    validate_password(password, user)
    user.set_password(password)
    user.save()
    user.branches.add(branch)
    business_provision(business_id=business.pk)
    return user


def business_provision(*, business_id: int) -> None:
    """Give a new business (with its first branches) what each app starts it with: the default
    reasons, templates, causes, settings. Pages and the API only read these, so a business gets
    them here, once, and existing ones got them from each app's data migration.

    Each app that has defaults names its function in its contribution's `provision` store
    (liuke.core.registry); accounts, a lower layer, runs them without importing the apps."""
    for target in registry.items("provision"):
        import_dotted(target)(business_id=business_id)


def _token_hash(token: str) -> str:
    import hashlib

    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@transaction.atomic
def api_token_create(*, actor: User, name: str) -> tuple[ApiToken, str]:
    """A new token for the actor; returns it with the secret, which is never stored."""
    import secrets

    name = clean_text(name, max_length=60, field=_("Name"))
    if not name:
        raise ValidationError(
            {"name": [ValidationError(_("Name the token."), code=CoreErrorCode.REQUIRED)]}
        )
    if actor.api_tokens.filter(revoked_at__isnull=True).count() >= 20:
        raise ValidationError(
            _("At most 20 active tokens per person."), code=AccountsErrorCode.TOO_MANY_TOKENS
        )
    secret = "lk_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor, name=name, prefix=secret[:8], token_hash=_token_hash(secret)
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, actor: User, token_id: int) -> ApiToken:
    """Revoke one of the actor's tokens (an owner may revoke any token of the business)."""

    qs = ApiToken.objects.filter(revoked_at__isnull=True)
    if policy.sees_business_tokens(actor):
        qs = qs.filter(user__business_id=policy.business_of(actor))
    else:
        qs = qs.filter(user=actor)
    token = lock_one(qs, token_id)
    if token is None:
        raise NotFound()
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    return token


def api_token_user(token: str) -> User | None:
    """The active staff member a presented token belongs to, or None."""
    if not token or len(token) > 100 or not token.isascii():
        return None
    found = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=_token_hash(token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if found is None:
        return None
    now = timezone.now()
    if found.last_used_at is None or (now - found.last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
    return found.user


#: The business settings an owner may change, with their allowed ranges.
BUSINESS_SETTING_RANGES: dict[str, tuple[int, int]] = {
    "stale_after_months": (1, 120),
    "grant_hours": (1, 24 * 30),
    "retention_years": (1, 30),
}


@transaction.atomic
def business_update(*, actor: User, name: str, **numbers: int) -> Business:
    """Change the business's name and settings (owners only). Unknown keys are refused."""

    policy.require(actor, policy.Cap.SETTINGS_MANAGE)
    business = lock_get(Business, policy.business_of(actor))
    errors: dict[str, list[ValidationError]] = {}
    cleaned_name = clean_text(name, max_length=100, field=_("Name"))
    if not cleaned_name:
        errors["name"] = [
            ValidationError(_("Enter the business name."), code=CoreErrorCode.REQUIRED)
        ]
    values: dict[str, int] = {}
    for key, value in numbers.items():
        if key not in BUSINESS_SETTING_RANGES:
            raise ValueError(f"not a business setting: {key}")
        low, high = BUSINESS_SETTING_RANGES[key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            errors[key] = [
                ValidationError(
                    _("Enter a whole number from %(low)s to %(high)s.")
                    % {"low": low, "high": high},
                    code=AccountsErrorCode.OUT_OF_RANGE,
                )
            ]
        else:
            values[key] = value
    if errors:
        raise ValidationError(errors)
    changed = [k for k, v in values.items() if getattr(business, k) != v]
    if business.name != cleaned_name:
        changed.append("name")
    business.name = cleaned_name
    for key, value in values.items():
        setattr(business, key, value)
    business.save()
    if changed:
        audit_record(actor=actor, action=Action.SETTINGS, fields=sorted(changed))
    return business


@transaction.atomic
def branch_hours_update(
    *, actor: User, branch_id: int, opens_at: dt.time | None, closes_at: dt.time | None
) -> Branch:
    """A branch's own opening hours (owners only), or none (both empty: the business's hours).
    The unusual-reading check flags an export made outside the hours of every branch the
    staff member works at. Audited as a settings change."""

    policy.require(actor, policy.Cap.SETTINGS_MANAGE)
    branch = lock_one(Branch.objects.filter(business_id=policy.business_of(actor)), branch_id)
    if branch is None:
        raise NotFound()
    if (opens_at is None) != (closes_at is None):
        field = "closes_at" if closes_at is None else "opens_at"
        raise ValidationError(
            {
                field: [
                    ValidationError(_("Give both times, or neither."), code=CoreErrorCode.REQUIRED)
                ]
            }
        )
    if opens_at is not None and opens_at == closes_at:
        raise ValidationError(
            {
                "closes_at": [
                    ValidationError(
                        _("Opening and closing times must differ."), code=CoreErrorCode.INVALID
                    )
                ]
            }
        )
    changed = [
        name
        for name, value in (("opens_at", opens_at), ("closes_at", closes_at))
        if getattr(branch, name) != value
    ]
    if changed:
        branch.opens_at, branch.closes_at = opens_at, closes_at
        branch.save(update_fields=["opens_at", "closes_at", "updated_at"])
        audit_record(
            actor=actor,
            action=Action.SETTINGS,
            fields=[f"branch:{branch.pk}:{name}" for name in changed],
        )
    return branch


# --- Two-factor login (TOTP, django-otp) ---------------------------------------------------------


def two_factor_device(*, actor: User) -> Any:
    """The actor's TOTP device: the confirmed one, or a fresh unconfirmed one to set up."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=actor).order_by("-confirmed", "-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=actor, name="Liuke", confirmed=False)
    return device


@transaction.atomic
def two_factor_enable(*, actor: User, code: str) -> None:
    """Confirm the set-up device with a code from the app; from now on the login asks for one."""

    device = two_factor_device(actor=actor)
    if device.confirmed:
        raise ValidationError(
            _("Two-factor login is already on."), code=AccountsErrorCode.ALREADY_ENABLED
        )
    if not device.verify_token(code.strip()):
        raise ValidationError(
            _("The code is wrong or has expired."), code=AccountsErrorCode.INVALID_CODE
        )
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    actor.two_factor_enabled = True
    actor.save(update_fields=["two_factor_enabled"])
    audit_record(actor=actor, action=Action.TWO_FACTOR_ON, fields=["totp"])


@transaction.atomic
def two_factor_disable(*, actor: User, code: str) -> None:
    """Turn two-factor login off; a current code is needed (a stolen session is not enough)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=actor, confirmed=True).first()
    if device is None:
        raise ValidationError(_("Two-factor login is not on."), code=AccountsErrorCode.NOT_ENABLED)
    if not device.verify_token(code.strip()):
        raise ValidationError(
            _("The code is wrong or has expired."), code=AccountsErrorCode.INVALID_CODE
        )
    TOTPDevice.objects.filter(user=actor).delete()
    actor.two_factor_enabled = False
    actor.save(update_fields=["two_factor_enabled"])
    audit_record(actor=actor, action=Action.TWO_FACTOR_OFF, fields=["totp"])

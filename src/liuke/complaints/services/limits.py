"""Complaint settings of a business: defaults, response and resolution targets, compensation
limits per role, the cause list."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps as django_apps
from django.db import transaction
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.choices import Role
from liuke.accounts.policy import Cap
from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.complaints import defaults
from liuke.complaints.capabilities import ComplaintCap
from liuke.complaints.choices import Severity
from liuke.complaints.errors import ComplaintsErrorCode
from liuke.complaints.models import CompensationLimit, ComplaintCause, ComplaintSettings
from liuke.complaints.services.actors import Actor, _choice, _invalid, _pk, _text
from liuke.core.errors import CoreErrorCode, NotFound, ServiceError
from liuke.core.money import validate_fen

# --- defaults, settings, limits --------------------------------------------------------------


def defaults_ensure(*, business_id: int) -> ComplaintSettings:
    """The default causes and settings for a business that lacks them (idempotent: rows a
    manager edited are left alone). Returns the settings."""
    defaults.write(business_id, django_apps.get_model)
    return ComplaintSettings.objects.get(business_id=business_id)


def targets(settings: ComplaintSettings, severity: str) -> tuple[dt.timedelta, dt.timedelta]:
    """(first response, resolution) allowed for a severity."""
    minutes = getattr(settings, f"response_{severity}_min")
    hours = getattr(settings, f"resolution_{severity}_h")
    return dt.timedelta(minutes=minutes), dt.timedelta(hours=hours)


def limit_for(business_id: int, role: str) -> int | None:
    """The compensation (fen) a role may give without approval; None: no limit."""
    row = CompensationLimit.objects.filter(business_id=business_id, role=role).first()
    if row is not None:
        return row.limit_fen
    return defaults.COMPENSATION_LIMITS.get(role, 0)


#: Settings field → (lowest, highest).
SETTING_RANGES: dict[str, tuple[int, int]] = {
    **{f"response_{s}_min": (5, 14 * 24 * 60) for s in Severity.values},
    **{f"resolution_{s}_h": (1, 90 * 24) for s in Severity.values},
    "warn_pct": (1, 100),
    "wom_first": (0, 1000),
    "wom_second": (0, 1000),
    "recovery_days": (7, 365),
}


@transaction.atomic
def settings_save(*, actor: Actor, values: dict[str, Any]) -> ComplaintSettings:
    """Change the targets, the escalation severity, the word-of-mouth factors and the recovery
    window (managers). Open complaints keep the targets they opened with."""
    policy.require(actor, ComplaintCap.COMPLAINT_MANAGE)
    settings = defaults_ensure(business_id=policy.business_of(actor))
    errors: dict[str, list[str]] = {}
    for name, (low, high) in SETTING_RANGES.items():
        value = values.get(name, getattr(settings, name))
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            errors[name] = [
                _("A whole number from %(low)d to %(high)d.") % {"low": low, "high": high}
            ]
        else:
            setattr(settings, name, value)
    severity = values.get("escalate_severity", settings.escalate_severity)
    if severity not in Severity.values:
        errors["escalate_severity"] = [_("Choose one of the listed values.")]
    else:
        settings.escalate_severity = severity
    for s in Severity.values:
        if (
            "response_" + s + "_min" not in errors
            and "resolution_" + s + "_h" not in errors
            and getattr(settings, f"response_{s}_min") > getattr(settings, f"resolution_{s}_h") * 60
        ):
            errors[f"response_{s}_min"] = [
                _("The first response cannot be due after the resolution.")
            ]
    if errors:
        raise ServiceError(
            ComplaintsErrorCode.INVALID_SETTINGS, next(iter(errors.values()))[0], fields=errors
        )
    settings.save()
    audit_record(actor=actor, action=Action.SETTINGS, fields=["complaint_settings"])
    return settings


@transaction.atomic
def limit_save(*, actor: Actor, role: str, limit_fen: int | None) -> CompensationLimit:
    """Set the compensation a role may give without approval (None: no limit). Owners only: a
    manager who approves compensation above the others' limits must not set their own."""
    policy.require(actor, ComplaintCap.COMPLAINT_MANAGE)
    if not policy.can(actor, Cap.SETTINGS_MANAGE):
        raise _invalid(
            ComplaintsErrorCode.OWNER_ONLY,
            "limit_fen",
            _("Only the owner sets compensation limits."),
        )
    business_id = policy.business_of(actor)
    role = _choice(role, Role, ComplaintsErrorCode.INVALID_ROLE, "role")
    if role not in policy.roles_with(ComplaintCap.COMPLAINT_HANDLE):
        raise _invalid(
            ComplaintsErrorCode.INVALID_ROLE, "role", _("Auditors do not give compensation.")
        )
    if limit_fen is None:
        if not policy.may_lift_compensation_limit(actor):
            raise _invalid(
                CoreErrorCode.INVALID_AMOUNT, "limit_fen", _("Only the owner may remove a limit.")
            )
    else:
        limit_fen = validate_fen(limit_fen, field="limit_fen", allow_zero=True)
    row, _created = CompensationLimit.objects.update_or_create(
        business_id=business_id, role=role, defaults={"limit_fen": limit_fen}
    )
    audit_record(actor=actor, action=Action.SETTINGS, fields=[f"compensation_limit:{role}"])
    return row


@transaction.atomic
def cause_save(
    *,
    actor: Actor,
    cause_id: int | None = None,
    code: str,
    name_zh: str,
    name_en: str = "",
    position: int = 100,
    is_active: bool = True,
) -> ComplaintCause:
    """Add a cause to the taxonomy or change one (managers)."""
    policy.require(actor, ComplaintCap.COMPLAINT_MANAGE)
    business_id = policy.business_of(actor)
    defaults_ensure(business_id=business_id)
    if cause_id is not None:
        cause = ComplaintCause.objects.filter(pk=_pk(cause_id), business_id=business_id).first()
        if cause is None:
            raise NotFound()
    else:
        cause = ComplaintCause(business_id=business_id)
    errors: dict[str, list[str]] = {}
    code = _text(code, "code", 40).lower()
    if not code or not code.replace("_", "").replace("-", "").isalnum() or not code.isascii():
        errors["code"] = [_("Letters, digits, - and _ only.")]
    elif (
        ComplaintCause.objects.filter(business_id=business_id, code=code)
        .exclude(pk=cause.pk)
        .exists()
    ):
        errors["code"] = [_("Another cause has this code.")]
    cause.code = code
    cause.name_zh = _text(name_zh, "name_zh", 60)
    cause.name_en = _text(name_en, "name_en", 80)
    if not cause.name_zh:
        errors["name_zh"] = [_("This field is required.")]
    if isinstance(position, bool) or not isinstance(position, int) or not 0 <= position <= 10000:
        errors["position"] = [
            _("A whole number from %(low)d to %(high)d.") % {"low": 0, "high": 10000}
        ]
    if errors:
        raise ServiceError(
            ComplaintsErrorCode.INVALID_CAUSE, next(iter(errors.values()))[0], fields=errors
        )
    cause.position = position
    cause.is_active = bool(is_active)
    cause.save()
    audit_record(actor=actor, action=Action.SETTINGS, fields=["complaint_cause"])
    return cause

"""What managers set: the defaults a business starts with, follow-up rules, message templates,
reminder settings."""

from __future__ import annotations

from typing import Any

from django.apps import apps as django_apps
from django.db import transaction
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.models import User
from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.core.errors import NotFound, ServiceError
from liuke.engagement import defaults
from liuke.engagement.capabilities import EngagementCap
from liuke.engagement.errors import EngagementErrorCode
from liuke.engagement.models import BranchReminderSettings, FollowUpRule, MessageTemplate
from liuke.engagement.services.common import _choice, _text

# --- defaults -----------------------------------------------------------------------------------


def defaults_ensure(*, business_id: int) -> None:
    """Give a business the default reasons, follow-up rules and templates it lacks (idempotent:
    existing rows, edited by a manager or not, are left alone)."""
    defaults.write(business_id, django_apps.get_model)


# --- follow-up rules, templates, reminder settings (managers) ----------------------------------

PLACEHOLDERS = frozenset({"name", "first_name", "salutation", "branch", "date", "detail", "link"})


@transaction.atomic
def rule_save(
    *,
    actor: User,
    rule_id: int | None = None,
    category: str = "",
    day: Any,
    purpose_zh: str,
    purpose_en: str = "",
    is_active: bool = True,
) -> FollowUpRule:
    """Add or change a follow-up rule: `day` days after a visit (with a service of `category`,
    or any visit when it is empty). Existing follow-ups keep their day."""
    from liuke.sales.choices import ServiceCategory

    policy.require(actor, EngagementCap.REASON_MANAGE)
    business_id = policy.business_of(actor)
    rule = (
        FollowUpRule.objects.filter(pk=rule_id, business_id=business_id).first()
        if rule_id is not None
        else FollowUpRule(business_id=business_id)
    )
    if rule is None:
        raise NotFound()
    errors: dict[str, list[str]] = {}
    if category and category not in ServiceCategory.values:
        errors["category"] = [_("Choose one of the listed values.")]
    if isinstance(day, bool) or not isinstance(day, int) or not 1 <= day <= 365:
        errors["day"] = [_("A whole number of days, 1 to 365.")]
    elif (
        FollowUpRule.objects.filter(business_id=business_id, category=category, day=day)
        .exclude(pk=rule.pk)
        .exists()
    ):
        errors["day"] = [_("There is already a rule for this day and category.")]
    rule.purpose_zh = _text(purpose_zh, "purpose_zh", 60)
    rule.purpose_en = _text(purpose_en, "purpose_en", 80)
    if not rule.purpose_zh:
        errors["purpose_zh"] = [_("This field is required.")]
    if errors:
        raise ServiceError(
            EngagementErrorCode.INVALID_RULE, next(iter(errors.values()))[0], fields=errors
        )
    rule.category = category
    rule.day = day
    rule.is_active = bool(is_active)
    rule.save()
    audit_record(actor=actor, action=Action.UPDATE, fields=["followup_rule"])
    return rule


def _placeholders_ok(body: str) -> bool:
    import string

    try:
        names = {f for _t, f, _s, _c in string.Formatter().parse(body) if f is not None}
    except ValueError:
        return False
    return names <= PLACEHOLDERS


@transaction.atomic
def template_save(*, actor: User, kind: str, body_zh: str, body_en: str = "") -> MessageTemplate:
    """Change a message template; only the known placeholders may be used. Messages still
    queued are rendered with the new text."""
    from liuke.engagement.choices import MessageKind

    policy.require(actor, EngagementCap.REASON_MANAGE)
    business_id = policy.business_of(actor)
    kind = _choice(kind, MessageKind, EngagementErrorCode.INVALID_KIND, "kind")
    errors: dict[str, list[str]] = {}
    texts = {"body_zh": _text(body_zh, "body_zh", 500), "body_en": _text(body_en, "body_en", 500)}
    if not texts["body_zh"]:
        errors["body_zh"] = [_("This field is required.")]
    for field, body in texts.items():
        if body and not _placeholders_ok(body):
            errors[field] = [
                _("Use only these placeholders: %(names)s.")
                % {"names": ", ".join("{" + p + "}" for p in sorted(PLACEHOLDERS))}
            ]
    if errors:
        raise ServiceError(
            EngagementErrorCode.INVALID_TEMPLATE, next(iter(errors.values()))[0], fields=errors
        )
    template, _created = MessageTemplate.objects.update_or_create(
        business_id=business_id, kind=kind, defaults=texts
    )
    audit_record(actor=actor, action=Action.UPDATE, fields=["message_template"])
    return template


#: Field → (lowest, highest) of the reminder settings a manager may set.
SETTING_RANGES = {
    "birthday_days_ahead": (0, 60),
    "lapsed_margin_pct": (0, 300),
    "lapsed_default_days": (14, 730),
    "expiry_days_ahead": (1, 90),
    "rebooking_days_ahead": (0, 14),
    "no_answer_retries": (0, 5),
    "no_answer_retry_days": (1, 14),
}


@transaction.atomic
def reminder_settings_save(
    *, actor: User, branch_id: Any, values: dict[str, Any]
) -> BranchReminderSettings:
    policy.require(actor, EngagementCap.REASON_MANAGE)
    from liuke.accounts.models import Branch

    branch = policy.scope_branches(actor, Branch.objects.all()).filter(pk=branch_id).first()
    if branch is None:
        raise NotFound()
    settings, _created = BranchReminderSettings.objects.get_or_create(branch=branch)
    errors: dict[str, list[str]] = {}
    for field, (low, high) in SETTING_RANGES.items():
        value = values.get(field, getattr(settings, field))
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            errors[field] = [
                _("A whole number from %(low)d to %(high)d.") % {"low": low, "high": high}
            ]
        else:
            setattr(settings, field, value)
    if errors:
        raise ServiceError(
            EngagementErrorCode.INVALID_SETTINGS, next(iter(errors.values()))[0], fields=errors
        )
    settings.save()
    audit_record(actor=actor, action=Action.UPDATE, fields=["reminder_settings"])
    return settings

"""The suggestion box: a branch's signed box, a public suggestion, staff handling it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.models import Branch, User
from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.core.errors import CoreErrorCode, NotFound, ServiceError
from liuke.core.locking import lock_one
from liuke.core.phone import normalise_mobile
from liuke.feedback import links
from liuke.feedback.capabilities import FeedbackCap
from liuke.feedback.choices import SuggestionStatus
from liuke.feedback.errors import FeedbackErrorCode
from liuke.feedback.models import Suggestion, SuggestionBox
from liuke.feedback.services.common import _branch, _id, _public, _required, _text

# --- suggestion box -----------------------------------------------------------------------------


@transaction.atomic
def box_ensure(*, actor: User, branch_id: Any, renew: bool = False) -> SuggestionBox:
    """A branch's suggestion box (made with the business, or by the manager on the box page
    for a branch that has none); `renew` gives it a new token, so the old printed QR code
    stops working."""
    policy.require(actor, FeedbackCap.FEEDBACK_MANAGE)
    branch = _branch(actor, branch_id)
    box, created = SuggestionBox.objects.get_or_create(
        branch=branch, defaults={"token": links.new_token()}
    )
    if renew and not created:
        box.token = links.new_token()
        box.save(update_fields=["token", "updated_at"])
    if created or renew:
        audit_record(actor=actor, action=Action.SETTINGS, fields=["suggestion_box"])
    return box


def boxes_provision(*, business_id: int) -> int:
    """A suggestion box for each branch of the business that has none (when the business is
    created; the box page only reads). Returns how many were made."""
    branches = Branch.objects.filter(business_id=business_id).exclude(
        Exists(SuggestionBox.objects.filter(branch_id=OuterRef("pk")))
    )
    made = SuggestionBox.objects.bulk_create(
        [SuggestionBox(branch=branch, token=links.new_token()) for branch in branches],
        ignore_conflicts=True,
    )
    return len(made)


def box_open(signed: str) -> SuggestionBox | None:
    token = links.unsign_box(signed)
    if token is None:
        return None
    return SuggestionBox.objects.select_related("branch").filter(token=token, is_open=True).first()


@transaction.atomic
def suggestion_submit(
    *, signed: str, body: Any, contact_name: Any = "", contact_phone: Any = ""
) -> Suggestion:
    """A suggestion left in a branch's box: anonymous, or with a name and a phone the person
    chose to give (the phone must be a valid mobile)."""
    box = box_open(signed)
    if box is None:
        raise ServiceError(FeedbackErrorCode.LINK_INVALID, _("This link is not valid any more."))
    text = _required(body, "body", 2000)
    name = _text(contact_name, "contact_name", 40, multiline=False)
    try:
        phone = normalise_mobile(_text(contact_phone, "contact_phone", 20, multiline=False))
    except ValidationError as exc:
        raise ServiceError(
            CoreErrorCode.INVALID_PHONE, exc.messages[0], fields={"contact_phone": exc.messages}
        ) from None
    suggestion = Suggestion.objects.create(
        business_id=box.branch.business_id,
        branch=box.branch,
        body=text,
        contact_name=name,
        contact_phone=phone,
    )
    audit_record(
        actor=_public(box.branch.business_id, "suggestion_box"),
        action=Action.CREATE,
        fields=["suggestion"],
    )
    return suggestion


@transaction.atomic
def suggestion_handle(
    *, actor: User, suggestion_id: Any, status: str, note: Any = ""
) -> Suggestion:
    """A manager read a suggestion: no change, or acted on (with a note of what)."""
    policy.require(actor, FeedbackCap.FEEDBACK_MANAGE)
    if status not in (SuggestionStatus.REVIEWED, SuggestionStatus.ACTED):
        message = _("Choose one of the listed values.")
        raise ServiceError(FeedbackErrorCode.INVALID_STATUS, message, fields={"status": [message]})
    pk = _id(suggestion_id)
    branches = policy.scope_branches(actor, Branch.objects.all())
    suggestion = lock_one(Suggestion.objects.filter(branch__in=branches), pk) if pk else None
    if suggestion is None:
        raise NotFound()
    suggestion.status = status
    suggestion.note = _text(note, "note", 500)
    suggestion.handled_by = actor
    suggestion.handled_at = timezone.now()
    suggestion.save(update_fields=["status", "note", "handled_by", "handled_at", "updated_at"])
    audit_record(actor=actor, action=Action.UPDATE, fields=["suggestion"])
    return suggestion

"""Closing a case and what comes after it: the fixed cause, telling the customer."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liuke.complaints.choices import ResolutionStatus, Status, Step
from liuke.complaints.errors import ComplaintsErrorCode
from liuke.complaints.models import Complaint, ComplaintStep
from liuke.complaints.services.actors import Actor, _invalid, _person, _text
from liuke.complaints.services.case import _audit, _locked, _open_case, _tasks_done
from liuke.core.errors import ServiceError

# --- closing and afterwards ------------------------------------------------------------------


def close_blockers(complaint: Complaint) -> list[str]:
    """What still stops the case from closing (empty: it may close)."""
    missing = []
    if not complaint.restated_problem or complaint.restatement_confirmed_at is None:
        missing.append(_("the problem restated and confirmed by the customer (step 6)"))
    if not complaint.actions.exists():
        missing.append(_("the agreed actions"))
    if not complaint.summary:
        missing.append(_("the summary of the actions (step 9)"))
    if complaint.resolved_at is None:
        missing.append(_("a resolution (an apology counts)"))
    if complaint.resolutions.filter(status=ResolutionStatus.PENDING).exists():
        missing.append(_("a decision on the compensation waiting for approval"))
    return missing


@transaction.atomic
def complaint_close(*, actor: Actor, complaint_id: Any, note: str = "") -> Complaint:
    """Step 10, close warmly: the case closes. Refused (`cannot_close`, naming what is
    missing) without the restated and confirmed problem, the agreed actions, the summary and a
    resolution, or while a compensation waits for approval."""
    complaint = _locked(actor, complaint_id)
    _open_case(complaint)
    missing = close_blockers(complaint)
    if missing:
        raise ServiceError(
            ComplaintsErrorCode.CANNOT_CLOSE,
            _("The complaint cannot close yet. Missing: %(what)s.") % {"what": "; ".join(missing)},
            fields={"__all__": missing},
        )
    now = timezone.now()
    ComplaintStep.objects.update_or_create(
        complaint=complaint,
        step=Step.CLOSE,
        defaults={
            "customer_id": complaint.customer_id,
            "done_at": now,
            "done_by": _person(actor),
            "note": _text(note, "note", 2000),
        },
    )
    complaint.status = Status.CLOSED
    complaint.closed_at = now
    complaint.closed_by = _person(actor)
    complaint.paused_at = None
    complaint.save()
    _tasks_done(complaint, actor)
    _audit(actor, complaint, "close")
    return complaint


@transaction.atomic
def complaint_cause_fix(*, actor: Actor, complaint_id: Any, cause_fix: str) -> Complaint:
    """After the case is resolved or closed: what changed so that it does not happen again."""
    complaint = _locked(actor, complaint_id)
    if complaint.status not in (Status.RESOLVED, Status.CLOSED):
        raise ServiceError(
            ComplaintsErrorCode.NOT_RESOLVED, _("Record the fix once the complaint is resolved.")
        )
    text = _text(cause_fix, "cause_fix", 2000)
    if not text:
        raise _invalid(ComplaintsErrorCode.CAUSE_FIX_REQUIRED, "cause_fix", _("Say what changed."))
    complaint.cause_fix = text
    complaint.cause_fix_at = timezone.now()
    complaint.cause_fix_by = _person(actor)
    complaint.save()
    _audit(actor, complaint, "cause_fix")
    return complaint


@transaction.atomic
def complaint_customer_told(*, actor: Actor, complaint_id: Any, note: str = "") -> Complaint:
    """The customer was told what we changed (after the fix is recorded)."""
    complaint = _locked(actor, complaint_id)
    if not complaint.cause_fix:
        raise ServiceError(ComplaintsErrorCode.NO_CAUSE_FIX, _("Record what changed first."))
    complaint.customer_told_at = timezone.now()
    complaint.customer_told_note = _text(note, "note", 500)
    complaint.save()
    _audit(actor, complaint, "customer_told")
    return complaint

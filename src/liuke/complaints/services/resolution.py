"""Resolutions of a case: compensation, refunds, approval above a role's limit."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from liuke.accounts import policy
from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.complaints.capabilities import ComplaintCap
from liuke.complaints.choices import ResolutionKind, ResolutionStatus, Status
from liuke.complaints.errors import ComplaintsErrorCode
from liuke.complaints.models import Complaint, ComplaintResolution
from liuke.complaints.notify import compensation_notify
from liuke.complaints.services.actors import (
    Actor,
    _choice,
    _invalid,
    _person,
    _pk,
    _text,
    senior_for,
)
from liuke.complaints.services.case import (
    _audit,
    _locked,
    _resume,
    _task,
    _tasks_done,
)
from liuke.complaints.services.limits import limit_for
from liuke.core.errors import NotFound, ServiceError
from liuke.core.locking import lock_one, retry_on_conflict
from liuke.core.money import validate_fen
from liuke.core.stored_text import stored_message
from liuke.customers.services.locks import lock_with_customer
from liuke.sales.capabilities import SalesCap

if TYPE_CHECKING:
    from liuke.sales.models import Visit, VisitLine


# --- resolutions, compensation and approval --------------------------------------------------


def _refundable(visit: Visit, line: VisitLine | None) -> int:
    """The most a refund of this visit (or line) can give back: an upper bound for the limit."""
    if line is not None:
        return max(line.amount_fen - line.refunded_fen, 0)
    return max(visit.total_fen - sum(ln.refunded_fen for ln in visit.lines.all()), 0)


def _needs_approval(actor: Actor, kind: str, amount: int) -> bool:
    """Above the actor's limit, or money moves the actor may not make: a manager decides."""
    limit = limit_for(policy.business_of(actor), actor.role)
    if limit is not None and amount > limit:
        return True
    if kind == ResolutionKind.REFUND and not policy.can(actor, SalesCap.SALE_REFUND):
        return True
    if kind == ResolutionKind.EXCHANGE and not (
        policy.can(actor, SalesCap.SALE_REFUND) and policy.can(actor, SalesCap.SALE_CHECKOUT)
    ):
        return True
    return kind == ResolutionKind.CARD_BONUS and not policy.can(actor, SalesCap.CARD_MANAGE)


def _apply(actor: Actor, resolution: ComplaintResolution) -> None:
    """Move the money through the sales ledger (as `actor`) and mark the case resolved."""
    from liuke.sales import services as sales
    from liuke.sales.choices import RefundReason

    complaint = resolution.complaint
    note = _("Complaint #%(id)s") % {"id": complaint.pk}
    if resolution.kind == ResolutionKind.REFUND:
        refund = sales.visit_refund(
            actor=actor,  # type: ignore[arg-type]
            visit_id=resolution.visit_id,  # type: ignore[arg-type]
            line_id=resolution.line_id,
            reason=RefundReason.COMPLAINT,
            note=note,
        )
        resolution.refund = refund
        resolution.amount_fen = refund.amount_fen
    elif resolution.kind == ResolutionKind.EXCHANGE:
        refund, _new = sales.visit_exchange(
            actor=actor,  # type: ignore[arg-type]
            visit_id=resolution.visit_id,  # type: ignore[arg-type]
            line_id=resolution.line_id,  # type: ignore[arg-type]
            data={**resolution.exchange, "note": note},
        )
        resolution.refund = refund
    elif resolution.kind == ResolutionKind.CARD_BONUS:
        _card, entry = sales.card_bonus_grant(
            actor=actor,  # type: ignore[arg-type]
            card_id=resolution.card_id,  # type: ignore[arg-type]
            amount_fen=resolution.amount_fen,
            note=note,
        )
        resolution.card_entry = entry
    now = timezone.now()
    resolution.status = ResolutionStatus.APPLIED
    resolution.applied_at = now
    resolution.save()
    if complaint.resolved_at is None:
        complaint.resolved_at = now
    _resume(complaint, now)
    if complaint.status in (Status.OPEN, Status.WAITING):
        complaint.status = Status.RESOLVED
    complaint.save()


def _against_visit(
    resolution: ComplaintResolution,
    *,
    visit_id: Any,
    line_id: Any,
    amount_fen: int,
    exchange: dict[str, Any] | None,
) -> None:
    """A refund, exchange or redo: the visit (the case's own unless another is named), the line,
    what an exchange gives instead, and the amount."""
    from liuke.sales.models import Visit, VisitLine

    complaint = resolution.complaint
    kind = resolution.kind
    vid = _pk(visit_id) if visit_id not in (None, "") else complaint.visit_id
    visit = Visit.objects.filter(pk=vid, customer_id=complaint.customer_id).first() if vid else None
    if visit is None and kind != ResolutionKind.REDO:
        raise _invalid(
            ComplaintsErrorCode.INVALID_VISIT,
            "visit_id",
            _("Choose one of the customer's visits."),
        )
    line = None
    if line_id not in (None, ""):
        line = VisitLine.objects.filter(pk=_pk(line_id), visit=visit).first()
        if line is None:
            raise _invalid(
                ComplaintsErrorCode.INVALID_LINE, "line_id", _("Choose a line of this visit.")
            )
    if kind == ResolutionKind.EXCHANGE:
        if line is None:
            raise _invalid(
                ComplaintsErrorCode.LINE_REQUIRED, "line_id", _("Choose the line to exchange.")
            )
        if not isinstance(exchange, dict) or not exchange.get("lines"):
            raise _invalid(
                ComplaintsErrorCode.EXCHANGE_REQUIRED,
                "exchange",
                _("Say what the customer takes instead."),
            )
        resolution.exchange = {
            k: exchange[k] for k in ("lines", "payments", "staff_id") if k in exchange
        }
    resolution.visit = visit
    resolution.line = line
    if kind == ResolutionKind.REFUND and visit is not None:
        resolution.amount_fen = _refundable(visit, line)
        if resolution.amount_fen <= 0:
            raise ServiceError(
                ComplaintsErrorCode.NOTHING_TO_REFUND, _("This has already been refunded.")
            )
    elif kind == ResolutionKind.REDO:
        resolution.amount_fen = validate_fen(amount_fen, field="amount_fen", allow_zero=True)


def _to_card(resolution: ComplaintResolution, *, card_id: Any, amount_fen: int) -> None:
    """A bonus onto one of the customer's active stored-value cards."""
    from liuke.sales.models import StoredValueCard

    complaint = resolution.complaint
    card = (
        StoredValueCard.objects.filter(
            pk=_pk(card_id), customer_id=complaint.customer_id, status="active"
        ).first()
        if card_id not in (None, "")
        else None
    )
    if card is None:
        raise _invalid(
            ComplaintsErrorCode.INVALID_CARD,
            "card_id",
            _("Choose one of the customer's cards."),
        )
    resolution.card = card
    resolution.amount_fen = validate_fen(amount_fen, field="amount_fen")


def _await_approval(actor: Actor, resolution: ComplaintResolution) -> ComplaintResolution:
    """Over the limit: the resolution waits, and a senior person gets a task to decide it."""
    complaint = resolution.complaint
    resolution.status = ResolutionStatus.PENDING
    resolution.save()
    approver = senior_for(
        business_id=complaint.business_id,
        branch_id=complaint.branch_id,
        exclude_ids=(getattr(actor, "pk", None), complaint.staff_id),
    )
    _task(
        complaint,
        suffix=f"approve{resolution.pk}",
        assignee=approver,
        due_at=timezone.now() + dt.timedelta(hours=4),
        note=stored_message(
            gettext_noop("Complaint #%(id)s: approve a compensation"), id=complaint.pk
        ),
    )
    compensation_notify(
        business_id=complaint.business_id,
        resolution_id=resolution.pk,
        approver_id=approver.pk if approver is not None else None,
    )
    _audit(actor, complaint, f"resolution_request:{resolution.kind}")
    return resolution


@retry_on_conflict()
@transaction.atomic
def complaint_resolve(
    *,
    actor: Actor,
    complaint_id: Any,
    kind: str,
    amount_fen: int = 0,
    note: str = "",
    visit_id: Any = None,
    line_id: Any = None,
    card_id: Any = None,
    voucher_code: str = "",
    exchange: dict[str, Any] | None = None,
) -> ComplaintResolution:
    """Give the customer a resolution. A refund or exchange goes through the sales ledger
    (`visit_refund` with the reason `complaint`, `visit_exchange`), a card bonus through
    `card_bonus_grant`; a voucher and a redo are recorded with their value, an apology with
    none. Above the actor's compensation limit (or when the actor may not move that money) it
    waits for a manager's approval; otherwise it is applied now and the case is resolved."""
    complaint = _locked(actor, complaint_id)
    if complaint.status == Status.CLOSED:
        raise ServiceError(ComplaintsErrorCode.COMPLAINT_CLOSED, _("This complaint is closed."))
    kind = _choice(kind, ResolutionKind, ComplaintsErrorCode.INVALID_KIND, "kind")
    resolution = ComplaintResolution(
        complaint=complaint,
        customer_id=complaint.customer_id,
        kind=kind,
        note=_text(note, "note", 500),
        requested_by=_person(actor),
    )
    if kind in (ResolutionKind.REFUND, ResolutionKind.EXCHANGE, ResolutionKind.REDO):
        _against_visit(
            resolution,
            visit_id=visit_id,
            line_id=line_id,
            amount_fen=amount_fen,
            exchange=exchange,
        )
    elif kind == ResolutionKind.CARD_BONUS:
        _to_card(resolution, card_id=card_id, amount_fen=amount_fen)
    elif kind == ResolutionKind.VOUCHER:
        resolution.amount_fen = validate_fen(amount_fen, field="amount_fen")
        code = _text(voucher_code, "voucher_code", 40).upper()
        resolution.voucher_code = code or f"TS{complaint.pk}-{secrets.token_hex(3).upper()}"
    if kind == ResolutionKind.APOLOGY:
        resolution.amount_fen = 0
    # The limit is for the whole case: what it has given or awaits, with this one (several small
    # resolutions must not add up past it without a manager).
    given = (
        complaint.resolutions.filter(
            status__in=(ResolutionStatus.APPLIED, ResolutionStatus.PENDING)
        ).aggregate(total=Sum("amount_fen"))["total"]
        or 0
    )
    amount = given + resolution.amount_fen if resolution.amount_fen else 0  # an apology is free
    if _needs_approval(actor, kind, amount):
        return _await_approval(actor, resolution)
    resolution.status = ResolutionStatus.APPLIED
    _apply(actor, resolution)
    _audit(actor, complaint, f"resolution:{kind}")
    return resolution


@retry_on_conflict()
@transaction.atomic
def resolution_decide(
    *, actor: Actor, resolution_id: Any, approve: bool, note: str = ""
) -> ComplaintResolution:
    """A manager approves (the money moves now, as the manager) or refuses a compensation
    above the requester's limit. Not one's own request; not above one's own limit."""
    policy.require(actor, ComplaintCap.COMPLAINT_APPROVE)
    pk = _pk(resolution_id)
    resolutions = policy.scope_customers(
        actor, ComplaintResolution.objects.all(), prefix="customer"
    )
    resolution = lock_with_customer(resolutions, pk) if pk else None
    if resolution is None:
        raise NotFound()
    if resolution.status != ResolutionStatus.PENDING:
        raise ServiceError(
            ComplaintsErrorCode.ALREADY_DECIDED, _("This request has already been decided.")
        )
    if resolution.requested_by_id is not None and resolution.requested_by_id == getattr(
        actor, "pk", None
    ):
        raise ServiceError(
            ComplaintsErrorCode.OWN_REQUEST, _("Someone else must approve your own request.")
        )
    limit = limit_for(policy.business_of(actor), actor.role)
    if approve and limit is not None and resolution.amount_fen > limit:
        raise ServiceError(
            ComplaintsErrorCode.ABOVE_YOUR_LIMIT,
            _("This is above your own limit: the owner decides."),
        )
    complaint = lock_one(Complaint, resolution.complaint_id)
    assert complaint is not None  # the case the resolution was just found through
    if complaint.status == Status.CLOSED:
        raise ServiceError(ComplaintsErrorCode.COMPLAINT_CLOSED, _("This complaint is closed."))
    resolution.complaint = complaint
    resolution.decided_by = _person(actor)
    resolution.decided_at = timezone.now()
    resolution.decision_note = _text(note, "note", 500)
    # The approval task first: after the money moves, the audit chain's head is held and no
    # other row may be locked (docs/money.md).
    _tasks_done(complaint, actor, only=f"approve{resolution.pk}")
    if approve:
        _apply(actor, resolution)
    else:
        resolution.status = ResolutionStatus.REFUSED
        resolution.save()
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        customer_ids=[complaint.customer_id],
        fields=[f"complaint:{'approve' if approve else 'refuse'}:{resolution.kind}"],
        reason=resolution.decision_note,
    )
    return resolution

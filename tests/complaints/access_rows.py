"""The access-matrix rows of this app (the format: tests/accounts/test_access_matrix.py)."""

from __future__ import annotations

from typing import Any

ROUTES: dict[str, str] = {
    "complaints:list": "list",
    "complaints:new": "list",
    "complaints:approvals": "list",
    "complaints:reports": "list",
    "complaints:settings": "none",
    "complaints:decide": "customer",
    "complaints:from_followup": "customer",
    "complaints:action_done": "customer",
    "complaints:customer_panel": "customer",
    "complaints:detail": "customer",
    "complaints:step": "customer",
    "complaints:wait": "customer",
    "complaints:update": "customer",
    "complaints:action_add": "customer",
    "complaints:resolve": "customer",
    "complaints:close": "customer",
    "complaints:after": "customer",
}
API_KINDS: dict[str, str] = {
    "/api/v1/complaints": "list",
    "/api/v1/complaints/dashboard": "list",
    "/api/v1/complaints/reports": "list",
    "/api/v1/complaints/approvals": "list",
    "/api/v1/complaints/causes": "none",
}
BODIES: dict[str, dict[str, Any]] = {
    "PATCH /api/v1/complaints/{complaint_id}": {"severity": "high"},
    "POST /api/v1/complaints/{complaint_id}/steps": {"step": 1, "note": "好"},
    "POST /api/v1/complaints/{complaint_id}/actions": {"side": "theirs", "text": "来店"},
    # a compensation that moves money (the walk of tests/test_money_writes.py must see it move)
    "POST /api/v1/complaints/{complaint_id}/resolutions": {
        "kind": "card_bonus",
        "card_id": "{card_id}",
        "amount_fen": 100,
        "note": "补偿",
    },
    "POST /api/v1/complaints/{complaint_id}/cause-fix": {"cause_fix": "培训"},
    "POST /api/v1/complaints/resolutions/{resolution_id}/decide": {"approve": True},
}
FORMS: dict[str, dict[str, Any]] = {
    "complaints:from_followup": {"note": "不满意"},
    "complaints:step": {"step": "1", "note": "好"},
    "complaints:wait": {"wait": "1"},
    "complaints:update": {"severity": "high"},
    "complaints:action_add": {"side": "theirs", "text": "来店"},
    "complaints:resolve": {"kind": "card_bonus", "card_id": "{card_id}", "amount": "1"},
    "complaints:decide": {"decision": "approve"},
    "complaints:after": {"cause_fix": "培训"},
}


def world(
    *, customer: Any, visit: Any, owner: Any, front_desk: Any, beautician: Any
) -> dict[str, int]:
    """A complaint about `customer` with an agreed action and a compensation above the front
    desk's limit (waiting for approval): a bonus onto the customer's card, so that approving it
    moves money."""
    from liuke.complaints import services as complaints
    from liuke.sales.models import StoredValueCard

    complaints.defaults_ensure(business_id=customer.business_id)
    complaint = complaints.complaint_open(
        actor=front_desk,
        customer_id=customer.pk,
        channel="phone",
        description=f"{customer.name}说护理后过敏",
    )
    action = complaints.action_add(
        actor=front_desk, complaint_id=complaint.pk, side="theirs", text="发照片"
    )
    card = StoredValueCard.objects.filter(customer=customer).order_by("pk").first()
    assert card is not None, "the matrix's customer holds a card (tests/sales/shop.py)"
    resolution = complaints.complaint_resolve(
        actor=front_desk,
        complaint_id=complaint.pk,
        kind="card_bonus",
        card_id=card.pk,
        amount_fen=20000,
    )
    return {"complaint_id": complaint.pk, "action_id": action.pk, "resolution_id": resolution.pk}

"""Opening a complaint and walking it through the ten steps with the real services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from tests.sales.shop import Shop

from liuke.complaints import services
from liuke.complaints.models import Complaint
from liuke.sales.models import Visit


def open_complaint(actor: Any, shop: Shop, visit: Visit | None = None, **extra: Any) -> Complaint:
    data: dict[str, Any] = {
        "customer_id": shop.customer.pk,
        "channel": "in_person",
        "description": "做完面部护理后脸上发红发痒，美容师说是正常反应，我不接受。",
        "cause_code": "allergy",
        **extra,
    }
    if visit is not None:
        data["visit_id"] = visit.pk
    return services.complaint_open(actor=actor, **data)


def walk_to_close(actor: Any, complaint: Complaint, owner_id: int) -> Complaint:
    """Steps 1-9 with what each needs, an apology as resolution, then close."""
    for step in range(1, 6):
        services.complaint_step_record(actor=actor, complaint_id=complaint.pk, step=step, note="好")
    services.complaint_step_record(
        actor=actor,
        complaint_id=complaint.pk,
        step=6,
        restated_problem="护理后皮肤过敏，希望我们负责处理。",
        confirmed=True,
    )
    services.complaint_step_record(actor=actor, complaint_id=complaint.pk, step=7)
    services.complaint_step_record(actor=actor, complaint_id=complaint.pk, step=8)
    services.complaint_resolve(actor=actor, complaint_id=complaint.pk, kind="apology")
    services.action_add(
        actor=actor,
        complaint_id=complaint.pk,
        side="ours",
        text="三天后回访皮肤状况",
        owner_id=owner_id,
        due_on=timezone.localdate() + dt.timedelta(days=3),
    )
    services.action_add(
        actor=actor, complaint_id=complaint.pk, side="theirs", text="顾客发照片给我们"
    )
    services.complaint_step_record(
        actor=actor, complaint_id=complaint.pk, step=9, summary="我们三天后回访；顾客发照片。"
    )
    return services.complaint_close(actor=actor, complaint_id=complaint.pk, note="顾客满意离开")

"""The access-matrix rows of this app (the format: tests/accounts/test_access_matrix.py)."""

from __future__ import annotations

from typing import Any

ROUTES: dict[str, str] = {
    "engagement:brief_today": "list",
    "engagement:brief": "customer",
    "engagement:contacts": "list",
    "engagement:reason_response": "none",
    "engagement:contact_new": "list",
    # calls from numbers that are no customer yet (their out-of-branch checks: test_prospects)
    "engagement:prospects": "list",
    "engagement:prospect_customer": "none",
    "engagement:customer_panel": "customer",
    "engagement:followups": "list",
    "engagement:followup_complete": "customer",
    "engagement:followup_reschedule": "customer",
    "engagement:outbox": "list",
    "engagement:outbox_sent": "customer",
    "engagement:reasons": "none",
    "engagement:reports": "list",
    "engagement:settings": "none",
    "engagement:tasks": "list",
    "engagement:task_complete": "customer",
    "engagement_public:receipts": "public",
    "engagement_public:replies": "public",
    "engagement_public:optout": "public",
}
API_KINDS: dict[str, str] = {
    "/api/v1/engagement/followups": "list",
    "/api/v1/engagement/outbox": "list",
    "/api/v1/engagement/reasons": "none",
    "/api/v1/engagement/reasons/{reason_id}": "none",
    "/api/v1/engagement/reports": "list",
    "/api/v1/engagement/tasks": "list",
    "/api/v1/engagement/contacts": "customer",
}
BODIES: dict[str, dict[str, Any]] = {
    "POST /api/v1/engagement/contacts": {
        "customer_id": "{customer_id}",
        "channel": "phone",
        "direction": "in",
        "reason_id": "{reason_id}",
        "outcome": "resolved",
    },
    "POST /api/v1/engagement/followups/{followup_id}/done": {"outcome": "satisfied"},
}


def world(
    *, customer: Any, visit: Any, owner: Any, front_desk: Any, beautician: Any
) -> dict[str, int]:
    """A follow-up, a callback task and a queued message about `customer`."""
    import datetime as dt

    from django.utils import timezone

    from liuke.engagement import jobs
    from liuke.engagement import services as engagement
    from liuke.engagement.models import ContactReason, FollowUp, Message, Task
    from liuke.sales.models import Visit

    engagement.defaults_ensure(business_id=owner.business_id or 0)
    latest = Visit.objects.filter(customer=customer).order_by("-visited_at").first()
    assert latest is not None
    jobs.prepare()
    jobs.followups_create(now=latest.visited_at + dt.timedelta(hours=1))
    followup = FollowUp.objects.filter(customer=customer).first()
    reason = ContactReason.objects.get(code="booking")
    contact = engagement.contact_log(
        actor=owner,
        customer_id=customer.pk,
        channel="phone",
        direction="out",
        reason_id=reason.pk,
        outcome="no_answer",
    )
    task = contact.tasks.first() if hasattr(contact, "tasks") else None
    task = task or Task.objects.filter(customer=customer).first()
    message = Message.objects.create(
        business_id=customer.business_id,
        branch_id=customer.branch_id,
        customer=customer,
        kind="rebooking",
        key="matrix",
        is_marketing=False,
        occasion_on=timezone.localdate(),
        body=f"{customer.name}，您好",
    )
    assert followup is not None
    assert task is not None
    return {
        "followup_id": followup.pk,
        "task_id": task.pk,
        "message_id": message.pk,
        "reason_id": reason.pk,
    }

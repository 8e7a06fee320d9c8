"""The access-matrix rows of this app (the format: tests/accounts/test_access_matrix.py)."""

from __future__ import annotations

from typing import Any

ROUTES: dict[str, str] = {
    "feedback:customer_panel": "customer",
    "feedback:results": "list",
    "feedback:responses": "list",
    "feedback:response": "customer",
    "feedback:suggestions": "none",
    "feedback:suggestion_handle": "none",
    "feedback:box": "none",
    "feedback:conversations": "list",
    "feedback:improvements": "none",
    "feedback:improvement_notify": "none",
    "feedback:settings": "none",
    "feedback_public:survey": "public",
    "feedback_public:box": "public",
}
API_KINDS: dict[str, str] = {
    "/api/v1/feedback/results": "list",
    "/api/v1/feedback/managers": "none",
    "/api/v1/feedback/responses": "list",
    "/api/v1/feedback/suggestions": "none",
    "/api/v1/feedback/suggestions/{suggestion_id}/handle": "none",
    "/api/v1/feedback/conversations": "list",
    "/api/v1/feedback/improvements": "none",
    "/api/v1/feedback/improvements/{improvement_id}/notify": "none",
    "/api/v1/feedback/settings": "none",
}


def world(
    *, customer: Any, visit: Any, owner: Any, front_desk: Any, beautician: Any
) -> dict[str, int]:
    """A survey answer of `customer` about `visit`, taken through its signed link."""
    answer = survey_answer_make(customer, visit, f"{customer.name}：{customer.allergies}")
    return {"response_id": answer.pk}


def survey_answer_make(customer: Any, visit: Any, comment: str) -> Any:
    """A detractor's answer (satisfaction 2, so it is routed) about `visit`, with `comment`,
    through its signed link."""
    import datetime as dt

    from django.utils import timezone

    from liuke.feedback import links
    from liuke.feedback import services as feedback
    from liuke.feedback.models import SurveyInvitation

    invitation = SurveyInvitation.objects.create(
        business_id=customer.business_id,
        branch_id=customer.branch_id,
        customer=customer,
        visit=visit,
        token=links.new_token(),
        expires_at=timezone.now() + dt.timedelta(days=14),
    )
    return feedback.survey_answer(
        signed=links.sign_survey(invitation.token or ""),
        data={"satisfaction": "2", "comment": comment},
    )

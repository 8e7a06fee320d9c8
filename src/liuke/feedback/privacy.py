"""The feedback app's slice of the personal-data inventory (docs/security.md, "Personal data").

Every field of this app's tables that hold or hang off a customer, and every property of its API
schemas, with its class and purpose; `tests/privacy/test_inventory.py` fails when one is missing.
"""

from __future__ import annotations

from liuke.core.privacy import AUDIT, CO, ID, KEEP, NO, PR, RE, STANDARD_COLUMNS, C, X
from liuke.core.registry import PrivacyModels, PrivacyProperties

_FEEDBACK = "what the customer thinks of our service (to improve it and call unhappy ones back)"
_SURVEY = "to send a survey after a visit and take the answer once (the link's secret half)"

#: model label → field name → (class, purpose)
MODELS: PrivacyModels = {
    "feedback.SurveyInvitation": {
        **STANDARD_COLUMNS,
        "visit": (X, KEEP),
        "staff": (RE, "the staff member the customer is asked to rate"),
        "token": (X, _SURVEY),
        "expires_at": (X, _SURVEY),
        "answered_at": (X, _SURVEY),
    },
    "feedback.SurveyResponse": {
        **STANDARD_COLUMNS,
        "invitation": (X, KEEP),
        "visit": (X, KEEP),
        "staff": (RE, "the staff member who served (their rating)"),
        "satisfaction": (PR, _FEEDBACK),
        "recommend": (PR, _FEEDBACK),
        "ease": (PR, _FEEDBACK),
        "staff_rating": (PR, _FEEDBACK),
        "comment": (NO, "the customer's own words (may hold anything they chose to write)"),
        "wants_contact": (CO, "the customer asked to be contacted"),
        "complaint_requested": (NO, "the customer asked for a complaint to be opened"),
        "is_detractor": (PR, _FEEDBACK),
        "followup_task": (X, KEEP),
        "complaint": (X, KEEP),
        "answered_at": (X, _FEEDBACK),
    },
    "feedback.ConversationParticipant": {
        "id": (X, KEEP),
        "conversation": (X, KEEP),
        "customer": (X, KEEP),
    },
    "feedback.Conversation": {
        "id": (X, KEEP),
        "created_at": (X, KEEP),
        "updated_at": (X, KEEP),
        "business": (X, KEEP),
        "branch": (X, KEEP),
        "kind": (X, _FEEDBACK),
        "held_on": (X, _FEEDBACK),
        "topic": (X, _FEEDBACK),
        "notes": (NO, "what the customers who took part said (focus group, conversation)"),
        "recorded_by": (RE, AUDIT),
    },
    # Not linked to a customer record: a name and a phone someone chose to leave in a
    # suggestion box (voluntary; shown to managers only, to answer them).
    "feedback.Suggestion": {
        "id": (X, KEEP),
        "created_at": (X, KEEP),
        "updated_at": (X, KEEP),
        "business": (X, KEEP),
        "branch": (X, KEEP),
        "body": (NO, "a suggestion in the writer's own words"),
        "contact_name": (ID, "given voluntarily, to be answered"),
        "contact_phone": (C, "given voluntarily, to be answered"),
        "status": (X, _FEEDBACK),
        "handled_by": (RE, AUDIT),
        "handled_at": (X, _FEEDBACK),
        "note": (NO, "what was done about the suggestion"),
    },
}
#: API schema properties that are not model fields → (class, purpose)
API_PROPERTIES: PrivacyProperties = {
    **dict.fromkeys(
        (
            "acted",
            "answered",
            "answered_at",
            "answers",
            "ask_comment",
            "ask_ease",
            "ask_recommend",
            "ask_satisfaction",
            "ask_staff",
            "conversations",
            "cooldown_days",
            "created_by_id",
            "delay_hours",
            "detractors",
            "followup_task_id",
            "gathered",
            "group_by",
            "handled_at",
            "handled_by_id",
            "held_on",
            "improvements",
            "invited",
            "is_anonymous",
            "is_enabled",
            "notified_at",
            "notified_count",
            "nps",
            "participant_count",
            "promoters",
            "queued",
            "recommend_answers",
            "recorded_by_id",
            "response_rate",
            "responses",
            "rows",
            "suggestions",
            "suggestions_handled",
            "topic",
            "unhappy",
            "unhappy_called_back",
            "valid_days",
        ),
        (X, "survey figures, settings and feedback bookkeeping (no customer data)"),
    ),
    "participant_ids": (RE, "the customers who took part in a conversation"),
    "response_ids": (X, "the survey answers a notice is linked to"),
    "suggestion_ids": (X, "the suggestions a notice is linked to"),
    "you_said": (NO, "what customers asked for (a summary, written by a manager)"),
    "we_did": (X, "what changed (written by a manager)"),
    "ease": (PR, _FEEDBACK),
    "is_detractor": (PR, _FEEDBACK),
    "staff_rating": (PR, _FEEDBACK),
    "wants_contact": (CO, "the customer asked to be contacted"),
    "complaint_requested": (NO, "the customer asked for a complaint to be opened"),
    "comment": (NO, "the customer's own words"),
    "contact_name": (ID, "given voluntarily in a suggestion, to be answered"),
    "contact_phone": (C, "given voluntarily in a suggestion, to be answered"),
}

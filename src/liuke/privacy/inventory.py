"""The inventory of personal data (PIPL art. 51–55: know what you hold, why, and guard it).

Every field of every model that holds or hangs off a customer is listed here with its class and
purpose; so is every property of the API's schemas. `tests/privacy/test_inventory.py` fails when
a model or an API schema gains a field this file does not list, so nothing personal is added
without someone deciding what it is and why it is kept. docs/security.md shows the table.

Classes: identity (who the person is), contact (how to reach them), health (skin, allergies,
contraindications: sensitive personal information under PIPL art. 28), financial (what they paid
and hold), photo (images of the person), preference and notes (what staff know about them),
consent (their decisions about use of their data), relationship (links to staff and other
customers), and `none` for bookkeeping fields that say nothing about the person.
"""

from __future__ import annotations

import enum


class DataClass(enum.StrEnum):
    IDENTITY = "identity"
    CONTACT = "contact"
    HEALTH = "health"
    FINANCIAL = "financial"
    PHOTO = "photo"
    PREFERENCE = "preference"
    NOTES = "notes"
    CONSENT = "consent"
    RELATIONSHIP = "relationship"
    NONE = "none"


ID, C, H, F, P = (DataClass.IDENTITY, DataClass.CONTACT, DataClass.HEALTH, DataClass.FINANCIAL,
                  DataClass.PHOTO)  # fmt: skip
PR, NO, CO, RE, X = (DataClass.PREFERENCE, DataClass.NOTES, DataClass.CONSENT,
                     DataClass.RELATIONSHIP, DataClass.NONE)  # fmt: skip

_SERVE = "to serve the customer safely and as they like"
_REACH = "to reach the customer (bookings, follow-ups; marketing only with consent)"
_FIND = "to recognise and find the customer"
_BOOK = "bookkeeping of sales and prepaid balances (accounting law: kept after erasure)"
_KEEP = "to keep the record consistent (ids, times, links)"
_AUDIT = "accountability: who changed or read what"

#: model label → field name → (class, purpose)
MODELS: dict[str, dict[str, tuple[DataClass, str]]] = {
    "customers.Customer": {
        "id": (X, _KEEP),
        "created_at": (X, _KEEP),
        "updated_at": (X, _KEEP),
        "business": (X, _KEEP),
        "branch": (RE, "which shop serves the customer"),
        "owner": (RE, "the staff member responsible (专人负责)"),
        "name": (ID, _FIND),
        "name_pinyin": (ID, "search key derived from the name"),
        "name_initials": (ID, "search key derived from the name"),
        "gender": (ID, _SERVE),
        "birthday": (ID, "birthday greetings and age-appropriate treatment"),
        "mobile": (C, _REACH),
        "mobile_last4": (C, "search key derived from the mobile"),
        "wechat_id": (C, _REACH),
        "card_no": (ID, "the membership card that identifies the customer at the desk"),
        "is_key_account": (RE, "key accounts get a responsible person and restricted access"),
        "source": (RE, "how the customer found the salon (marketing statistics)"),
        "referrer": (RE, "who referred the customer (referral rewards, word of mouth)"),
        "skin_type": (H, _SERVE),
        "hair_type": (H, _SERVE),
        "allergies": (H, "safety: never apply what the customer reacts to"),
        "contraindications": (H, "safety: treatments to avoid"),
        "preferences": (PR, _SERVE),
        "notes": (NO, _SERVE),
        "confidential_notes": (NO, "what only the responsible person and managers may know"),
        "marketing_consent": (CO, "whether marketing messages may be sent"),
        "marketing_consent_at": (CO, "when marketing consent was given or withdrawn"),
        "photo_consent": (CO, "whether photos may be taken and kept"),
        "photo_consent_at": (CO, "when photo consent was given or withdrawn"),
        "identity_verified_at": (X, "when the data was last confirmed (kept current)"),
        "contact_verified_at": (X, "when the data was last confirmed (kept current)"),
        "health_verified_at": (X, "when the data was last confirmed (kept current)"),
        "preferences_verified_at": (X, "when the data was last confirmed (kept current)"),
        "consent_verified_at": (X, "when the data was last confirmed (kept current)"),
        "verified_at": (X, "when the data was last confirmed (kept current)"),
        "completeness": (X, "how complete the file is"),
        "merged_into": (X, _KEEP),
        "anonymised_at": (X, "when the customer's personal data was erased"),
    },
    "customers.CustomerPhoto": {
        "id": (X, _KEEP),
        "created_at": (X, _KEEP),
        "updated_at": (X, _KEEP),
        "customer": (X, _KEEP),
        "image": (P, "before/after pictures of a treatment, with photo consent"),
        "kind": (X, "before or after"),
        "caption": (NO, _SERVE),
        "taken_on": (X, _KEEP),
        "uploaded_by": (RE, _AUDIT),
    },
    "customers.FieldChange": {
        "id": (X, _KEEP),
        "customer": (X, _KEEP),
        "kind": (X, _AUDIT),
        "field": (X, _AUDIT),
        "old_value": (ID, "the previous value of a field (any class: erased with the customer)"),
        "new_value": (ID, "the new value of a field (any class: erased with the customer)"),
        "changed_by": (RE, _AUDIT),
        "changed_at": (X, _AUDIT),
        "request_id": (X, _AUDIT),
    },
    "customers.CustomerMerge": {
        "id": (X, _KEEP),
        "survivor": (X, _KEEP),
        "merged": (X, _KEEP),
        "snapshot": (ID, "the merged profile as it was (erased with the customer)"),
        "moved": (X, _KEEP),
        "merged_by": (RE, _AUDIT),
        "merged_at": (X, _AUDIT),
    },
    "customers.AccessGrant": {
        "id": (X, _KEEP),
        "customer": (X, _KEEP),
        "grantee": (RE, _AUDIT),
        "reason": (X, "why a staff member asked for the file (about staff, not the customer)"),
        "status": (X, _AUDIT),
        "requested_at": (X, _AUDIT),
        "decided_by": (RE, _AUDIT),
        "decided_at": (X, _AUDIT),
        "decision_note": (X, _AUDIT),
        "expires_at": (X, _AUDIT),
    },
    "sales.Visit": {
        "id": (X, _KEEP),
        "created_at": (X, _KEEP),
        "updated_at": (X, _KEEP),
        "business": (X, _KEEP),
        "branch": (X, _KEEP),
        "customer": (X, _KEEP),
        "visited_at": (F, _BOOK),
        "status": (X, _BOOK),
        "subtotal_fen": (F, _BOOK),
        "discount_fen": (F, _BOOK),
        "discount_reason": (F, _BOOK),
        "total_fen": (F, _BOOK),
        "note": (NO, _SERVE),
        "served_by": (RE, "who served the customer (commission, follow-ups)"),
        "created_by": (RE, _AUDIT),
        "next_visit_at": (PR, "the next booked visit"),
        "idempotency_key": (X, _KEEP),
    },
    "sales.VisitLine": {
        "id": (X, _KEEP),
        "visit": (X, _KEEP),
        "kind": (X, _BOOK),
        "service": (F, _BOOK),
        "product": (F, _BOOK),
        "staff": (RE, "who performed the service (commission)"),
        "quantity": (F, _BOOK),
        "unit_price_fen": (F, _BOOK),
        "amount_fen": (F, _BOOK),
        "package": (F, _BOOK),
        "package_value_fen": (F, _BOOK),
        "refunded_quantity": (F, _BOOK),
        "refunded_fen": (F, _BOOK),
    },
    "sales.Payment": {
        "id": (X, _KEEP),
        "created_at": (X, _KEEP),
        "updated_at": (X, _KEEP),
        "business": (X, _KEEP),
        "branch": (X, _KEEP),
        "customer": (X, _KEEP),
        "visit": (X, _KEEP),
        "purpose": (F, _BOOK),
        "method": (F, _BOOK),
        "amount_fen": (F, _BOOK),
        "card": (F, _BOOK),
        "staff": (RE, _AUDIT),
    },
    "sales.Refund": {
        "id": (X, _KEEP),
        "created_at": (X, _KEEP),
        "updated_at": (X, _KEEP),
        "business": (X, _KEEP),
        "visit": (X, _KEEP),
        "line": (X, _KEEP),
        "amount_fen": (F, _BOOK),
        "reason": (F, _BOOK),
        "note": (NO, _BOOK),
        "staff": (RE, _AUDIT),
        "idempotency_key": (X, _KEEP),
        "exchange_visit": (X, _KEEP),
    },
    "sales.StoredValueCard": {
        "id": (X, _KEEP),
        "created_at": (X, _KEEP),
        "updated_at": (X, _KEEP),
        "business": (X, _KEEP),
        "branch": (X, _KEEP),
        "customer": (X, _KEEP),
        "number": (F, _BOOK),
        "tier": (F, _BOOK),
        "expires_on": (F, _BOOK),
        "status": (F, _BOOK),
        "created_by": (RE, _AUDIT),
    },
    "sales.CardEntry": {
        "id": (X, _KEEP),
        "card": (X, _KEEP),
        "seq": (X, _KEEP),
        "kind": (F, _BOOK),
        "paid_delta_fen": (F, _BOOK),
        "bonus_delta_fen": (F, _BOOK),
        "paid_after_fen": (F, _BOOK),
        "bonus_after_fen": (F, _BOOK),
        "visit": (X, _KEEP),
        "staff": (RE, _AUDIT),
        "idempotency_key": (X, _KEEP),
        "note": (NO, _BOOK),
        "created_at": (X, _KEEP),
    },
    "sales.Package": {
        "id": (X, _KEEP),
        "created_at": (X, _KEEP),
        "updated_at": (X, _KEEP),
        "business": (X, _KEEP),
        "branch": (X, _KEEP),
        "customer": (X, _KEEP),
        "name": (F, _BOOK),
        "sessions_total": (F, _BOOK),
        "price_fen": (F, _BOOK),
        "expires_on": (F, _BOOK),
        "created_by": (RE, _AUDIT),
    },
    "sales.PackageEntry": {
        "id": (X, _KEEP),
        "package": (X, _KEEP),
        "seq": (X, _KEEP),
        "kind": (F, _BOOK),
        "sessions_delta": (F, _BOOK),
        "sessions_after": (F, _BOOK),
        "line": (X, _KEEP),
        "staff": (RE, _AUDIT),
        "note": (NO, _BOOK),
        "created_at": (X, _KEEP),
    },
}

#: Fields a customer's erasure clears (class → what remains): identity, contact, health,
#: photo, preference and notes go; financial records stay (bookkeeping), unlinked from a name.
ERASED_CLASSES = frozenset({ID, C, H, P, PR, NO})


def classify(model_label: str, field: str) -> DataClass | None:
    entry = MODELS.get(model_label, {}).get(field)
    return entry[0] if entry else None


_API = "an API field"
#: API schema properties that are not model fields listed above: their class when they carry
#: data about a customer (`none` otherwise: ids, paging, staff and catalogue data, totals).
API_PROPERTIES: dict[str, tuple[DataClass, str]] = {
    **{
        name: (X, _API)
        for name in (
            "access",
            "address",
            "branch_id",
            "branches",
            "capabilities",
            "card_id",
            "category",
            "code",
            "customer_id",
            "customer_ids",
            "day",
            "discount_pct",
            "display_name",
            "duplicate_id",
            "duration_min",
            "entries",
            "expired",
            "fields",
            "from_user_id",
            "grantee_id",
            "groups",
            "has_next",
            "hidden_fields",
            "items",
            "key_account",
            "line_id",
            "lines",
            "member_card_id",
            "merged_id",
            "message",
            "money_by_method",
            "money_by_purpose",
            "money_total_fen",
            "owner_id",
            "package_id",
            "package_liability_fen",
            "package_sessions_outstanding",
            "package_sessions_used",
            "package_value_used_fen",
            "page",
            "performer_roles",
            "product_id",
            "q",
            "referrer_id",
            "refunds_by_reason",
            "refunds_fen",
            "revenue_by_staff",
            "revenue_fen",
            "role",
            "service_id",
            "service_ids",
            "sku",
            "sort",
            "staff_id",
            "stale",
            "stale_groups",
            "stock",
            "stored_value_bonus_outstanding_fen",
            "stored_value_paid_liability_fen",
            "stored_value_used_fen",
            "survivor_id",
            "tag",
            "tier_id",
            "time_zone",
            "to_user_id",
            "username",
            "verified",
            "visit_id",
            "served_by_id",
        )
    },
    "erased": (X, _API),
    "exchange_visit_id": (X, _API),
    "refund": (F, _BOOK),
    "visit": (F, _BOOK),
    "customer_name": (ID, _FIND),
    "tags": (PR, "labels staff put on the customer"),
    "balance_fen": (F, _BOOK),
    "bonus_fen": (F, _BOOK),
    "cards": (F, _BOOK),
    "discounts_fen": (F, _BOOK),
    "last_visit": (F, _BOOK),
    "next_visit": (PR, "the next booked visit"),
    "packages": (F, _BOOK),
    "paid_fen": (F, _BOOK),
    "payments": (F, _BOOK),
    "refunds": (F, _BOOK),
    "remaining": (F, _BOOK),
    "sessions": (F, _BOOK),
    "spend_12m_fen": (F, _BOOK),
    "spend_fen": (F, _BOOK),
    "stored_value_fen": (F, _BOOK),
    "visits": (F, _BOOK),
}

_CONTACT = "the record of contacts with the customer: every caller served, follow-ups done"
_STD = {
    "id": (X, _KEEP),
    "created_at": (X, _KEEP),
    "updated_at": (X, _KEEP),
    "business": (X, _KEEP),
    "branch": (X, _KEEP),
    "customer": (X, _KEEP),
}
MODELS.update(
    {
        "engagement.Contact": {
            **_STD,
            "channel": (X, _CONTACT),
            "direction": (X, _CONTACT),
            "reason": (PR, "why the customer got in touch (what training should cover)"),
            "outcome": (X, _CONTACT),
            "notes": (NO, _CONTACT),
            "staff": (RE, _AUDIT),
            "occurred_at": (X, _CONTACT),
            "wait_seconds": (X, "service standard: how long the customer waited"),
            "handle_seconds": (X, "service standard: how long it took"),
        },
        "engagement.FollowUp": {
            **_STD,
            "visit": (X, _KEEP),
            "rule": (X, _KEEP),
            "assignee": (RE, "who follows the customer up"),
            "planned_on": (X, _CONTACT),
            "due_on": (X, _CONTACT),
            "status": (X, _CONTACT),
            "outcome": (X, _CONTACT),
            "note": (NO, _CONTACT),
            "reschedules": (X, _CONTACT),
            "done_at": (X, _CONTACT),
            "done_on": (X, _CONTACT),
            "done_by": (RE, _AUDIT),
        },
        "engagement.Message": {
            **_STD,
            "kind": (X, _REACH),
            "key": (X, _KEEP),
            "is_marketing": (CO, "marketing messages need marketing consent"),
            "channel": (X, _REACH),
            "occasion_on": (ID, "the occasion (a birthday is identity data)"),
            "detail": (PR, _REACH),
            "body": (NO, "the message as sent (may hold name and occasion)"),
            "status": (X, _REACH),
            "status_note": (X, _REACH),
            "sent_at": (X, _REACH),
            "sent_by": (RE, _AUDIT),
        },
        "engagement.Task": {
            **_STD,
            "kind": (X, _CONTACT),
            "key": (X, _KEEP),
            "contact": (X, _KEEP),
            "assignee": (RE, "who calls the customer back"),
            "due_at": (X, _CONTACT),
            "status": (X, _CONTACT),
            "escalated_at": (X, _CONTACT),
            "done_at": (X, _CONTACT),
            "done_by": (RE, _AUDIT),
            "note": (NO, _CONTACT),
        },
    }
)
API_PROPERTIES.update(
    {
        **{
            name: (X, _API)
            for name in (
                "assignee_id", "best_response", "by_outcome", "by_reason", "callback_due_at",
                "callback_task_id", "channel", "contact_id", "days", "direction", "done_at",
                "due", "due_at", "due_on", "escalated_at", "handle_seconds", "is_active",
                "is_marketing", "label", "most_unresolved", "n", "name_en", "name_zh",
                "occurred_at", "on_time", "on_time_by_branch", "on_time_by_staff", "outcome",
                "planned_on", "position", "rate", "reason_id", "response_en", "response_zh",
                "sent_at", "sent_by_id", "services", "total", "unresolved",
                "unresolved_share", "view", "wait_seconds",
            )
        },
        "birthday_in_days": (ID, "birthday soon (derived from the birthday)"),
        "body": (NO, "a message as sent"),
        "occasion_on": (ID, "the occasion of a message (a birthday is identity data)"),
        "open_complaints": (NO, _CONTACT),
        "open_followups": (NO, _CONTACT),
        "suggested_actions": (PR, _SERVE),
    }
)  # fmt: skip

_VALUE = "what the customer is worth and how loyal (computed from the sales ledger)"
MODELS["sales.Visit"]["visited_on"] = (F, _BOOK)
MODELS["analytics.CustomerFigures"] = {
    "customer": (X, _KEEP),
    "business": (X, _KEEP),
    "branch": (X, _KEEP),
    "run": (X, _KEEP),
    **{
        name: (F, _VALUE)
        for name in (
            "visits", "first_visit_on", "last_visit_on", "age_days", "spend_mean_fen",
            "total_spend_fen", "year_spend_fen", "probability_alive", "expected_visits_90",
            "expected_spend_fen", "value_fen", "rule_value_fen", "recency_score",
            "frequency_score", "monetary_score", "segment", "loyalty", "worth_fen",
            "referred_worth_fen", "value_lost_fen",
        )
    },
    "key_account": (RE, "key account at the last refresh (the dashboards rank them)"),
    "potential_key_account": (F, "worth a key account's place (dashboard ranking)"),
    "referred_count": (RE, "customers this customer brought (referrals dashboard)"),
    "satisfaction": (PR, "the customer's survey answers as a rating (profile, API)"),
    "recommend": (PR, "the customer's latest 'would recommend' answer (loyalty rating)"),
}  # fmt: skip
API_PROPERTIES.update(
    {
        name: (X, "model parameters, statuses and paging (no customer data)")
        for name in (
            "bgnbd_log_likelihood", "bgnbd_message", "bgnbd_status", "computed_at",
            "customers", "figures", "gamma_gamma_log_likelihood", "limit", "observation_end",
            "order", "params", "repeat_customers", "run", "spend_message", "spend_status",
            "total_value_fen",
        )
    }
)  # fmt: skip
API_PROPERTIES.update(
    {
        name: (X, "the audit log and its flags: ids, hashes and times, about staff actions")
        for name in (
            "acknowledged_at", "acknowledged_by_id", "action", "client_ip", "cursor",
            "customer_q", "first_seq", "format", "hash", "last_seq", "next_cursor", "prev_hash",
            "since",
            "until", "window_end", "window_start",
        )
    }
)  # fmt: skip

# --- complaints (issue 6) -----------------------------------------------------------------------
_COMPLAINT = "handling the customer's complaint (the ten steps, targets, what was agreed)"
_COMP_PAY = "what the customer was given for a complaint (bookkeeping: kept after erasure)"
MODELS.update(
    {
        "complaints.Complaint": {
            **_STD,
            "channel": (X, _COMPLAINT),
            "severity": (X, _COMPLAINT),
            "cause": (PR, "why the customer was unhappy (what training and fixes should cover)"),
            "description": (NO, "the complaint in the customer's words"),
            "visit": (X, _KEEP),
            "service": (X, _KEEP),
            "staff": (RE, "the staff member the complaint is about"),
            "status": (X, _COMPLAINT),
            "handler": (RE, "who handles the complaint"),
            "opened_by": (RE, _AUDIT),
            "opened_at": (X, _COMPLAINT),
            "first_response_at": (X, _COMPLAINT),
            "resolved_at": (X, _COMPLAINT),
            "closed_at": (X, _COMPLAINT),
            "closed_by": (RE, _AUDIT),
            "response_due_at": (X, _COMPLAINT),
            "resolution_due_at": (X, _COMPLAINT),
            "response_warn_at": (X, _COMPLAINT),
            "resolution_warn_at": (X, _COMPLAINT),
            "paused_at": (X, _COMPLAINT),
            "paused_seconds": (X, _COMPLAINT),
            "escalated_at": (X, _COMPLAINT),
            "escalated_to": (RE, "the senior person the complaint went to"),
            "escalation_reason": (X, _COMPLAINT),
            "response_breached_at": (X, _COMPLAINT),
            "resolution_breached_at": (X, _COMPLAINT),
            "restated_problem": (NO, "the problem as restated to and confirmed by the customer"),
            "restatement_confirmed_at": (X, _COMPLAINT),
            "summary": (NO, "the agreed actions as read back to the customer"),
            "cause_fix": (X, "what the business changed (about the business, not the person)"),
            "cause_fix_at": (X, _COMPLAINT),
            "cause_fix_by": (RE, _AUDIT),
            "customer_told_at": (X, _COMPLAINT),
            "customer_told_note": (NO, "how the customer was told what changed"),
        },
        "complaints.ComplaintStep": {
            "id": (X, _KEEP),
            "created_at": (X, _KEEP),
            "updated_at": (X, _KEEP),
            "complaint": (X, _KEEP),
            "customer": (X, _KEEP),
            "step": (X, _COMPLAINT),
            "done_at": (X, _COMPLAINT),
            "done_by": (RE, _AUDIT),
            "note": (NO, _COMPLAINT),
        },
        "complaints.ComplaintAction": {
            "id": (X, _KEEP),
            "created_at": (X, _KEEP),
            "updated_at": (X, _KEEP),
            "complaint": (X, _KEEP),
            "customer": (X, _KEEP),
            "side": (X, _COMPLAINT),
            "text": (NO, "an action agreed with the customer"),
            "owner": (RE, "who does the action"),
            "due_on": (X, _COMPLAINT),
            "done_at": (X, _COMPLAINT),
            "done_by": (RE, _AUDIT),
            "task": (X, _KEEP),
        },
        "complaints.ComplaintResolution": {
            "id": (X, _KEEP),
            "created_at": (X, _KEEP),
            "updated_at": (X, _KEEP),
            "complaint": (X, _KEEP),
            "customer": (X, _KEEP),
            "kind": (F, _COMP_PAY),
            "status": (X, _COMPLAINT),
            "amount_fen": (F, _COMP_PAY),
            "note": (NO, _COMPLAINT),
            "voucher_code": (F, _COMP_PAY),
            "visit": (X, _KEEP),
            "line": (X, _KEEP),
            "card": (X, _KEEP),
            "refund": (X, _KEEP),
            "card_entry": (X, _KEEP),
            "exchange": (F, "the lines and payments of an exchange waiting for approval"),
            "requested_by": (RE, _AUDIT),
            "decided_by": (RE, _AUDIT),
            "decided_at": (X, _COMPLAINT),
            "decision_note": (NO, "why a manager approved or refused a compensation"),
            "applied_at": (X, _COMPLAINT),
        },
    }
)

# --- feedback app (issue 6) ---------------------------------------------------------------------
_FEEDBACK = "what the customer thinks of our service (to improve it and call unhappy ones back)"
_SURVEY = "to send a survey after a visit and take the answer once (the link's secret half)"
MODELS.update(
    {
        "feedback.SurveyInvitation": {
            **_STD,
            "visit": (X, _KEEP),
            "staff": (RE, "the staff member the customer is asked to rate"),
            "token": (X, _SURVEY),
            "expires_at": (X, _SURVEY),
            "answered_at": (X, _SURVEY),
        },
        "feedback.SurveyResponse": {
            **_STD,
            "invitation": (X, _KEEP),
            "visit": (X, _KEEP),
            "staff": (RE, "the staff member who served (their rating)"),
            "satisfaction": (PR, _FEEDBACK),
            "recommend": (PR, _FEEDBACK),
            "ease": (PR, _FEEDBACK),
            "staff_rating": (PR, _FEEDBACK),
            "comment": (NO, "the customer's own words (may hold anything they chose to write)"),
            "wants_contact": (CO, "the customer asked to be contacted"),
            "complaint_requested": (NO, "the customer asked for a complaint to be opened"),
            "is_detractor": (PR, _FEEDBACK),
            "followup_task": (X, _KEEP),
            "complaint": (X, _KEEP),
            "answered_at": (X, _FEEDBACK),
        },
        "feedback.ConversationParticipant": {
            "id": (X, _KEEP),
            "conversation": (X, _KEEP),
            "customer": (X, _KEEP),
        },
        "feedback.Conversation": {
            **{k: v for k, v in _STD.items() if k != "customer"},
            "kind": (X, _FEEDBACK),
            "held_on": (X, _FEEDBACK),
            "topic": (X, _FEEDBACK),
            "notes": (NO, "what the customers who took part said (focus group, conversation)"),
            "recorded_by": (RE, _AUDIT),
        },
        # Not linked to a customer record: a name and a phone someone chose to leave in a
        # suggestion box (voluntary; shown to managers only, to answer them).
        "feedback.Suggestion": {
            **{k: v for k, v in _STD.items() if k != "customer"},
            "body": (NO, "a suggestion in the writer's own words"),
            "contact_name": (ID, "given voluntarily, to be answered"),
            "contact_phone": (C, "given voluntarily, to be answered"),
            "status": (X, _FEEDBACK),
            "handled_by": (RE, _AUDIT),
            "handled_at": (X, _FEEDBACK),
            "note": (NO, "what was done about the suggestion"),
        },
    }
)
API_PROPERTIES.update(
    {
        **{
            name: (X, _API)
            for name in (
                "applied_at", "approve", "breached", "by_branch", "by_cause", "by_service",
                "by_staff", "card_entry_id", "cause_code", "cause_fix", "close_blockers", "closed",
                "closed_at", "complaint_id", "confirmed", "customer_told_at", "decided_by_id",
                "done_by_id", "escalated", "escalated_to_id", "first_response_at", "handler_id",
                "met_at", "minutes_left", "opened_at", "paused_at", "paused_seconds",
                "pending_approvals", "reach_each", "reach_total", "refund_id",
                "repeat_complaints", "requested_by_id", "resolution_avg_h", "resolution_due_at",
                "resolution_n", "resolution_on_time", "resolution_target_h", "resolved_at",
                "response_avg_min", "response_due_at", "response_n", "response_on_time",
                "response_target_min", "restatement_confirmed_at", "severity", "side", "state",
                "step", "targets", "task_id", "timers", "waiting", "window_days", "window_over",
                "word_of_mouth_reach", "recovery_counted", "recovered", "recovery_rate",
                "steps",
            )
        },
        "actions": (NO, "actions agreed with the customer"),
        "cause": (PR, "why the customer was unhappy"),
        "description": (NO, "the complaint in the customer's words"),
        "restated_problem": (NO, "the problem as restated to the customer"),
        "summary": (NO, "the agreed actions as read back to the customer"),
        "text": (NO, "an action agreed with the customer"),
        "resolutions": (F, _COMP_PAY),
        "voucher_code": (F, _COMP_PAY),
        "exchange": (F, _COMP_PAY),
        "came_back": (F, "recovery: did the customer come back after the complaint"),
        "recovery": (F, "recovery: visits and spend after the complaint closed"),
        "recovery_spend_fen": (F, "recovery: what complainants spent afterwards"),
    }
)  # fmt: skip
API_PROPERTIES.update(
    {
        **{
            name: (X, "survey figures, settings and feedback bookkeeping (no customer data)")
            for name in (
                "acted", "answered", "answers", "ask_comment", "ask_ease", "ask_recommend",
                "ask_satisfaction", "ask_staff", "conversations", "cooldown_days",
                "delay_hours", "detractors", "followup_task_id", "gathered", "group_by",
                "improvements", "invited", "is_anonymous", "is_enabled", "key", "nps",
                "notified_at", "notified_count", "participant_count", "promoters", "queued",
                "recommend_answers", "response_rate", "responses", "rows", "suggestions",
                "suggestions_handled", "unhappy", "unhappy_called_back", "valid_days",
                "held_on", "topic", "kind", "recorded_by_id", "handled_by_id", "handled_at",
                "created_by_id", "created_at", "answered_at",
            )
        },
        "participant_ids": (RE, "the customers who took part in a conversation"),
        "customer_ids": (RE, "the customers who took part in a conversation"),
        "response_ids": (X, "the survey answers a notice is linked to"),
        "suggestion_ids": (X, "the suggestions a notice is linked to"),
        "you_said": (NO, "what customers asked for (a summary, written by a manager)"),
        "we_did": (X, "what changed (written by a manager)"),
        "satisfaction": (PR, _FEEDBACK),
        "recommend": (PR, _FEEDBACK),
        "ease": (PR, _FEEDBACK),
        "staff_rating": (PR, _FEEDBACK),
        "is_detractor": (PR, _FEEDBACK),
        "wants_contact": (CO, "the customer asked to be contacted"),
        "complaint_requested": (NO, "the customer asked for a complaint to be opened"),
        "comment": (NO, "the customer's own words"),
        "body": (NO, "a message as sent, or a suggestion in the writer's words"),
        "contact_name": (ID, "given voluntarily in a suggestion, to be answered"),
        "contact_phone": (C, "given voluntarily in a suggestion, to be answered"),
    }
)  # fmt: skip
API_PROPERTIES.update(
    {
        name: (X, "dashboard aggregates (counts and sums per branch, no customer named)")
        for name in (
            "cohort", "key_accounts", "key_accounts_unowned", "key_id", "key_worth_fen",
            "lower_yuan", "model_customers", "month", "net_fen", "potential_key_accounts",
            "potential_threshold_fen", "rebook_days", "rebooked", "rebooking_rate",
            "referred_customers", "referrers", "repeat_rate", "retained", "rule_customers",
            "sales_fen", "totals", "upper_yuan", "error", "finished_at", "percent",
            "started_at", "step",
        )
    }
)  # fmt: skip
API_PROPERTIES.update(
    {
        "links": (RE, "who brought whom (customer ids of the referrals dashboard)"),
        "top_referrers": (RE, "customers ranked by the customers they brought"),
        "unowned": (RE, "key accounts without a responsible staff member"),
        "potential": (F, "customers ranked by worth who are not key accounts"),
    }
)

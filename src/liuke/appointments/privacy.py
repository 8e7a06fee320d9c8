"""The appointment book's slice of the personal-data inventory (docs/security.md, "Personal
data"); `tests/privacy/test_inventory.py` fails when a field or API property is missing."""

from __future__ import annotations

from liuke.core.privacy import AUDIT, KEEP, NO, RE, STANDARD_COLUMNS, C, X
from liuke.core.registry import PrivacyModels, PrivacyProperties

_BOOK = "to run the appointment book (who comes when, for what, with whom)"
_WAIT = "the time the customer waits for on the waitlist, and the time offered"
_ATTEND = "the customer's record of keeping appointments (no-shows, late cancellations)"

#: model label → field name → (class, purpose)
MODELS: PrivacyModels = {
    "appointments.Appointment": {
        **STANDARD_COLUMNS,
        "status": (X, _BOOK),
        "source": (X, _BOOK),
        "notes": (NO, "what the front desk noted about the booking"),
        "created_by": (RE, AUDIT),
        "starts_at": (X, _BOOK),
        "cancelled_by": (RE, AUDIT),
        "cancelled_at": (X, _ATTEND),
        "cancel_reason": (NO, "why the appointment was cancelled"),
        "late_cancellation": (X, _ATTEND),
        "outside_hours": (X, AUDIT),
        "visit": (X, KEEP),
        "rebooked_at": (X, "the visit at whose checkout the appointment was booked"),
    },
    "appointments.AppointmentItem": {
        "id": (X, KEEP),
        "created_at": (X, KEEP),
        "updated_at": (X, KEEP),
        "appointment": (X, KEEP),
        "branch": (X, KEEP),
        "service": (X, _BOOK),
        "staff": (RE, "the staff member who performs the service"),
        "resource": (X, _BOOK),
        "resource_unit": (X, _BOOK),
        "start_at": (X, _BOOK),
        "end_at": (X, _BOOK),
        "gap_start_at": (X, _BOOK),
        "gap_end_at": (X, _BOOK),
        "active": (X, _BOOK),
    },
    "appointments.ConfirmLink": {
        "id": (X, KEEP),
        "appointment": (X, KEEP),
        "token_hash": (X, "the hash of a reminder's confirmation link (not the link)"),
        "created_at": (X, KEEP),
        "used_at": (X, _BOOK),
    },
    # not linked to a customer: the codes of numbers that booked online (keyed hashes only)
    "appointments.OnlineCode": {
        "id": (X, KEEP),
        "business": (X, KEEP),
        "branch": (X, KEEP),
        "mobile_hash": (C, "a keyed hash of the number that asked: the limit per number"),
        "address_hash": (X, "a keyed hash of the address that asked: the limit per address"),
        "code_hash": (X, "a keyed hash of the one-time code"),
        "created_at": (X, KEEP),
        "expires_at": (X, KEEP),
        "attempts": (X, "wrong guesses: the code dies at the limit"),
        "verified_at": (X, KEEP),
    },
    "appointments.WaitlistEntry": {
        **STANDARD_COLUMNS,
        "service": (X, _WAIT),
        "staff": (X, _WAIT),
        "first_day": (X, _WAIT),
        "last_day": (X, _WAIT),
        "earliest": (X, _WAIT),
        "latest": (X, _WAIT),
        "note": (NO, "what the front desk noted about the wish"),
        "status": (X, _WAIT),
        "created_by": (RE, AUDIT),
        "offered_at": (X, _WAIT),
        "offer_start": (X, _WAIT),
        "offer_staff": (X, _WAIT),
        "appointment": (X, KEEP),
    },
}

#: API schema property → (class, purpose)
API_PROPERTIES: PrivacyProperties = {
    "no_shows": (X, _ATTEND),
    "late_cancellations": (X, _ATTEND),
    "by_customer": (X, _ATTEND),
    "missed_limit": (X, _ATTEND),
    "policy_applies": (X, _ATTEND),
    "policy_note": (X, _ATTEND),
    "deposit_required": (X, _ATTEND),
    **dict.fromkeys(
        ("first_day", "last_day", "earliest", "latest", "offer_start", "offer_staff_id"),
        (X, _WAIT),
    ),
    **dict.fromkeys(
        ("cancel_notice_hours", "missed_note", "missed_deposit"),
        (X, "the business's booking rules, no one's data"),
    ),
    **dict.fromkeys(
        (
            "appointment_id",
            "appointments",
            "count",
            "performers",
            "starts",
            "step_min",
            "override",
            "resource_id",
            "resource_name",
            "service_name",
            "staff_name",
        ),
        (X, "the book's ids, names of services, staff and resources, and flags"),
    ),
}

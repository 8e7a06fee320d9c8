"""The accounts app's slice of the personal-data inventory (docs/security.md, "Personal data").

Every field of this app's tables that hold or hang off a customer, and every property of its API
schemas, with its class and purpose; `tests/privacy/test_inventory.py` fails when one is missing.
"""

from __future__ import annotations

from liuke.core.privacy import API, X
from liuke.core.registry import PrivacyProperties

STAFF = "a staff member's login (about staff, not a customer)"

#: API schema properties that are not model fields → (class, purpose)
API_PROPERTIES: PrivacyProperties = {
    **dict.fromkeys(
        (
            "address",
            "branches",
            "capabilities",
            "code",
            "display_name",
            "fields",
            "message",
            "role",
            "time_zone",
            "username",
            # setting up (issue 12): branches, staff, the first-run checklist
            "branch_ids",
            "closes_at",
            "complete",
            "dismissed",
            "done",
            "left_at",
            "link",
            "manual",
            "member",
            "opens_at",
            "phone",
            "receipt_footer",
            "receipt_header",
            "successor_id",
            "two_factor_enabled",
            "url",
        ),
        (X, API),
    ),
    #: an invited staff member's e-mail: how they log in, about staff, not a customer
    "email": (X, STAFF),
}

"""The accounts app's slice of the personal-data inventory (docs/security.md, "Personal data").

Every field of this app's tables that hold or hang off a customer, and every property of its API
schemas, with its class and purpose; `tests/privacy/test_inventory.py` fails when one is missing.
"""

from __future__ import annotations

from liuke.core.privacy import API, X
from liuke.core.registry import PrivacyProperties

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
        ),
        (X, API),
    ),
}

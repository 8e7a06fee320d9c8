"""The audit app's slice of the personal-data inventory (docs/security.md, "Personal data").

Every field of this app's tables that hold or hang off a customer, and every property of its API
schemas, with its class and purpose; `tests/privacy/test_inventory.py` fails when one is missing.
"""

from __future__ import annotations

from liuke.core.privacy import API, RE, X
from liuke.core.registry import PrivacyProperties

#: API schema properties that are not model fields → (class, purpose)
API_PROPERTIES: PrivacyProperties = {
    "customer_ids": (RE, "the customers who took part in a conversation"),
    "items": (X, API),
    "occurred_at": (X, API),
    "staff_id": (X, API),
    "customers": (X, "model parameters, statuses and paging (no customer data)"),
    **dict.fromkeys(
        (
            "acknowledged_at",
            "acknowledged_by_id",
            "action",
            "client_ip",
            "cursor",
            "customer_q",
            "first_seq",
            "format",
            "hash",
            "last_seq",
            "next_cursor",
            "prev_hash",
            "since",
            "until",
            "window_end",
            "window_start",
        ),
        (X, "the audit log and its flags: ids, hashes and times, about staff actions"),
    ),
    "kind": (X, "survey figures, settings and feedback bookkeeping (no customer data)"),
}

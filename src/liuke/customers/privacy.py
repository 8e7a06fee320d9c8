"""The customers app's slice of the personal-data inventory (docs/security.md, "Personal data").

Every field of this app's tables that hold or hang off a customer, and every property of its API
schemas, with its class and purpose; `tests/privacy/test_inventory.py` fails when one is missing.
"""

from __future__ import annotations

from liuke.core.privacy import API, AUDIT, CO, FIND, ID, KEEP, NO, RE, SERVE, C, P, X
from liuke.core.registry import PrivacyModels, PrivacyProperties
from liuke.customers.fields import FIELDS, privacy_rows

#: model label → field name → (class, purpose)
MODELS: PrivacyModels = {
    "customers.Customer": {
        "id": (X, KEEP),
        "created_at": (X, KEEP),
        "updated_at": (X, KEEP),
        # the fields staff type in: their class and purpose are the field catalogue's
        **privacy_rows(),
        "business": (X, KEEP),
        "name_pinyin": (ID, "search key derived from the name"),
        "name_initials": (ID, "search key derived from the name"),
        "mobile_last4": (C, "search key derived from the mobile"),
        "marketing_consent_at": (CO, "when marketing consent was given or withdrawn"),
        "photo_consent_at": (CO, "when photo consent was given or withdrawn"),
        "identity_verified_at": (X, "when the data was last confirmed (kept current)"),
        "contact_verified_at": (X, "when the data was last confirmed (kept current)"),
        "health_verified_at": (X, "when the data was last confirmed (kept current)"),
        "preferences_verified_at": (X, "when the data was last confirmed (kept current)"),
        "consent_verified_at": (X, "when the data was last confirmed (kept current)"),
        "verified_at": (X, "when the data was last confirmed (kept current)"),
        "completeness": (X, "how complete the file is"),
        "merged_into": (X, KEEP),
        "anonymised_at": (X, "when the customer's personal data was erased"),
    },
    "customers.CustomerPhoto": {
        "id": (X, KEEP),
        "created_at": (X, KEEP),
        "updated_at": (X, KEEP),
        "customer": (X, KEEP),
        "image": (P, "before/after pictures of a treatment, with photo consent"),
        "kind": (X, "before or after"),
        "caption": (NO, SERVE),
        "taken_on": (X, KEEP),
        "uploaded_by": (RE, AUDIT),
    },
    "customers.FieldChange": {
        "id": (X, KEEP),
        "customer": (X, KEEP),
        "kind": (X, AUDIT),
        "field": (X, AUDIT),
        "old_value": (ID, "the previous value of a field (any class: erased with the customer)"),
        "new_value": (ID, "the new value of a field (any class: erased with the customer)"),
        "changed_by": (RE, AUDIT),
        "changed_at": (X, AUDIT),
        "request_id": (X, AUDIT),
    },
    "customers.CustomerMerge": {
        "id": (X, KEEP),
        "survivor": (X, KEEP),
        "merged": (X, KEEP),
        "snapshot": (ID, "the merged profile as it was (erased with the customer)"),
        "moved": (X, KEEP),
        "merged_by": (RE, AUDIT),
        "merged_at": (X, AUDIT),
    },
    "customers.AccessGrant": {
        "id": (X, KEEP),
        "customer": (X, KEEP),
        "grantee": (RE, AUDIT),
        "reason": (X, "why a staff member asked for the file (about staff, not the customer)"),
        "status": (X, AUDIT),
        "requested_at": (X, AUDIT),
        "decided_by": (RE, AUDIT),
        "decided_at": (X, AUDIT),
        "decision_note": (X, AUDIT),
        "expires_at": (X, AUDIT),
    },
}
#: API schema properties that are not model fields → (class, purpose)
API_PROPERTIES: PrivacyProperties = {
    **dict.fromkeys(
        (
            "access",
            "branch_id",
            "customer_id",
            "duplicate_id",
            "erased",
            "from_user_id",
            "grantee_id",
            "groups",
            "has_next",
            "hidden_fields",
            "key_account",
            "merged_id",
            "owner_id",
            "page",
            "q",
            "referrer_id",
            "sort",
            "stale",
            "stale_groups",
            "survivor_id",
            "tag",
            "to_user_id",
            "verified",
        ),
        (X, API),
    ),
    "customer_name": (ID, FIND),
    "tags": FIELDS["tags"].privacy,
    "created_at": (X, "survey figures, settings and feedback bookkeeping (no customer data)"),
}

"""The fields of a customer's file that a create or an update may set.

Read by the services (validation), the selectors (what a full file shows, given to
`accounts.policy.visible_fields`) and the API; kept apart from both so that neither imports the
other for them.
"""

from __future__ import annotations

from django.db import models

from liuke.customers.choices import Gender, HairType, SkinType, Source

#: Fields a create or an update may set, with their text limits.
TEXT_FIELDS: dict[str, tuple[int, bool]] = {
    "name": (50, False),
    "wechat_id": (40, False),
    "card_no": (20, False),
    "allergies": (1000, True),
    "contraindications": (1000, True),
    "preferences": (2000, True),
    "notes": (5000, True),
    "confidential_notes": (2000, True),
}
CHOICE_FIELDS: dict[str, type[models.TextChoices]] = {
    "gender": Gender,
    "source": Source,
    "skin_type": SkinType,
    "hair_type": HairType,
}
BOOL_FIELDS = ("is_key_account", "marketing_consent", "photo_consent")
EDITABLE_FIELDS = (
    *TEXT_FIELDS,
    *CHOICE_FIELDS,
    *BOOL_FIELDS,
    "mobile",
    "birthday",
    "branch_id",
    "owner_id",
    "referrer_id",
    "tags",
)

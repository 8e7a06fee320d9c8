"""The catalogue of a customer's fields: the one place that states, for every field a create or
an update may set, its group, its limit, who may change it, who may see it and its privacy class.

Read by the model (column limits), the typed input (`customers.schemas`: the API body and the
page's parse), the services (history, groups, guarded fields), the selectors (what a full file
shows, given to `accounts.policy.visible_fields`), the page form and the privacy inventory. The
policy keeps its own field-class sets (it sits below this app and may not import it);
`tests/customers/test_fields.py` checks that they say what this catalogue says.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.db import models

from liuke.accounts.capabilities import Cap
from liuke.core.privacy import CO, FIND, ID, NO, PR, RE, REACH, SERVE, C, DataClass, H
from liuke.core.registry import Capability
from liuke.customers.capabilities import CustomerCap
from liuke.customers.choices import FieldGroup, Gender, HairType, SkinType, Source


class Kind(StrEnum):
    """How a field's value is typed in and checked."""

    TEXT = "text"
    CHOICE = "choice"
    BOOL = "bool"
    MOBILE = "mobile"
    DATE = "date"
    REF = "ref"  # the id of a branch, a staff member or a customer
    TAGS = "tags"


class Visibility(StrEnum):
    """Who sees the field (`accounts.policy.visible_fields` decides from these classes)."""

    #: On a key account's minimal card: anyone in scope.
    CARD = "card"
    #: Health fields a beautician serving the customer sees even on the card.
    SAFETY = "safety"
    #: The full file: anyone in scope, a key account's only with the file open.
    FILE = "file"
    #: The responsible person, managers and owners only.
    CONFIDENTIAL = "confidential"


@dataclass(frozen=True)
class CustomerField:
    """One field of the customer's file as a create or an update sets it."""

    kind: Kind
    visibility: Visibility
    #: privacy class and purpose (docs/security.md, "Personal data")
    privacy: tuple[DataClass, str]
    #: the group whose "verified" stamp a change renews (None: the field belongs to no group)
    group: FieldGroup | None = None
    #: text limit in characters (TEXT; for MOBILE the raw input's limit)
    max_length: int = 0
    #: text that may hold line breaks
    multiline: bool = False
    #: choices of a CHOICE field
    choices: type[models.TextChoices] | None = None
    #: the capability needed to change the field on an existing customer, beyond customer.edit
    guard: Capability | None = None
    #: the model field it is stored in, when that is not its own name (a foreign key's `_id`)
    model_field: str | None = None


#: Every field a create or an update may set, in display order (the history's order too).
FIELDS: dict[str, CustomerField] = {
    "name": CustomerField(
        Kind.TEXT, Visibility.CARD, (ID, FIND), FieldGroup.IDENTITY, max_length=50
    ),
    "address_as": CustomerField(
        Kind.TEXT,
        Visibility.FILE,
        (ID, "how the customer likes to be addressed in greetings (王姐)"),
        FieldGroup.IDENTITY,
        max_length=20,
    ),
    "wechat_id": CustomerField(
        Kind.TEXT, Visibility.FILE, (C, REACH), FieldGroup.CONTACT, max_length=40
    ),
    "card_no": CustomerField(
        Kind.TEXT,
        Visibility.FILE,
        (ID, "the membership card that identifies the customer at the desk"),
        max_length=20,
    ),
    "allergies": CustomerField(
        Kind.TEXT,
        Visibility.SAFETY,
        (H, "safety: never apply what the customer reacts to"),
        FieldGroup.HEALTH,
        max_length=1000,
        multiline=True,
    ),
    "contraindications": CustomerField(
        Kind.TEXT,
        Visibility.SAFETY,
        (H, "safety: treatments to avoid"),
        FieldGroup.HEALTH,
        max_length=1000,
        multiline=True,
    ),
    "preferences": CustomerField(
        Kind.TEXT,
        Visibility.FILE,
        (PR, SERVE),
        FieldGroup.PREFERENCES,
        max_length=2000,
        multiline=True,
    ),
    "notes": CustomerField(
        Kind.TEXT, Visibility.FILE, (NO, SERVE), max_length=5000, multiline=True
    ),
    "confidential_notes": CustomerField(
        Kind.TEXT,
        Visibility.CONFIDENTIAL,
        (NO, "what only the responsible person and managers may know"),
        max_length=2000,
        multiline=True,
    ),
    "gender": CustomerField(
        Kind.CHOICE, Visibility.CARD, (ID, SERVE), FieldGroup.IDENTITY, choices=Gender
    ),
    "source": CustomerField(
        Kind.CHOICE,
        Visibility.FILE,
        (RE, "how the customer found the salon (marketing statistics)"),
        choices=Source,
    ),
    "skin_type": CustomerField(
        Kind.CHOICE, Visibility.FILE, (H, SERVE), FieldGroup.HEALTH, choices=SkinType
    ),
    "hair_type": CustomerField(
        Kind.CHOICE, Visibility.FILE, (H, SERVE), FieldGroup.HEALTH, choices=HairType
    ),
    "is_key_account": CustomerField(
        Kind.BOOL,
        Visibility.CARD,
        (RE, "key accounts get a responsible person and restricted access"),
        guard=Cap.CUSTOMER_GRANT_DECIDE,
    ),
    "marketing_consent": CustomerField(
        Kind.BOOL,
        Visibility.FILE,
        (CO, "whether marketing messages may be sent"),
        FieldGroup.CONSENT,
    ),
    "photo_consent": CustomerField(
        Kind.BOOL,
        Visibility.FILE,
        (CO, "whether photos may be taken and kept"),
        FieldGroup.CONSENT,
    ),
    "service_notices": CustomerField(
        Kind.BOOL,
        Visibility.FILE,
        (CO, "whether notices of deductions from cards and packages may be sent"),
        FieldGroup.CONSENT,
    ),
    "mobile": CustomerField(
        Kind.MOBILE, Visibility.CARD, (C, REACH), FieldGroup.CONTACT, max_length=32
    ),
    "birthday": CustomerField(
        Kind.DATE,
        Visibility.FILE,
        (ID, "birthday greetings and age-appropriate treatment"),
        FieldGroup.IDENTITY,
    ),
    "branch_id": CustomerField(
        Kind.REF,
        Visibility.CARD,
        (RE, "which shop serves the customer"),
        model_field="branch",
    ),
    "owner_id": CustomerField(
        Kind.REF,
        Visibility.CARD,
        (RE, "the staff member responsible (专人负责)"),
        guard=CustomerCap.CUSTOMER_HANDOVER,
        model_field="owner",
    ),
    "referrer_id": CustomerField(
        Kind.REF,
        Visibility.FILE,
        (RE, "who referred the customer (referral rewards, word of mouth)"),
        model_field="referrer",
    ),
    "tags": CustomerField(Kind.TAGS, Visibility.FILE, (PR, "labels staff put on the customer")),
}

#: A tag's length limit and how many a customer may carry.
TAG_MAX_LENGTH = 30
MAX_TAGS = 30


def _of(kind: Kind) -> tuple[str, ...]:
    return tuple(name for name, f in FIELDS.items() if f.kind == kind)


def _seen(visibility: Visibility) -> frozenset[str]:
    return frozenset(name for name, f in FIELDS.items() if f.visibility == visibility)


#: Text fields with their (limit, multiline).
TEXT_FIELDS: dict[str, tuple[int, bool]] = {
    name: (FIELDS[name].max_length, FIELDS[name].multiline) for name in _of(Kind.TEXT)
}
CHOICE_FIELDS: dict[str, type[models.TextChoices]] = {
    name: choices for name, f in FIELDS.items() if (choices := f.choices) is not None
}
BOOL_FIELDS = _of(Kind.BOOL)
REF_FIELDS = _of(Kind.REF)
EDITABLE_FIELDS = tuple(FIELDS)
#: Fields whose change on an existing customer needs more than `customer.edit`.
GUARDED_FIELDS: dict[str, Capability] = {
    name: guard for name, f in FIELDS.items() if (guard := f.guard) is not None
}
#: Group → its fields: a change to one renews the group's "verified" stamp.
FIELD_GROUPS: dict[str, tuple[str, ...]] = {
    group: tuple(name for name, f in FIELDS.items() if f.group == group)
    for group in FieldGroup.values
}
#: The visibility classes (`accounts.policy` holds the same sets; a test keeps them equal).
CARD_FIELDS = _seen(Visibility.CARD)
SAFETY_FIELDS = _seen(Visibility.SAFETY)
CONFIDENTIAL_FIELDS = _seen(Visibility.CONFIDENTIAL)


def limit(name: str) -> int:
    """A field's length limit (the model's column, the form's box and the input's check)."""
    return FIELDS[name].max_length


def privacy_rows() -> dict[str, tuple[DataClass, str]]:
    """The fields' rows of the privacy inventory, by model field name (tags are not a column:
    they are the API's `tags` property)."""
    return {f.model_field or name: f.privacy for name, f in FIELDS.items() if f.kind != Kind.TAGS}

"""The classes of personal data, and the inventory collected from the apps' slices.

Each app lists the fields of its models and the properties of its API schemas in its own
`contrib.py` (`privacy_models`, `privacy_api`); `inventory_models()` and `inventory_api()`
collect them (the privacy hub, `liuke.privacy.inventory`, and a customer's erasure read these).

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


#: Fields a customer's erasure clears (class → what remains): identity, contact, health,
#: photo, preference and notes go; financial records stay (bookkeeping), unlinked from a name.
ERASED_CLASSES = frozenset(
    {
        DataClass.IDENTITY,
        DataClass.CONTACT,
        DataClass.HEALTH,
        DataClass.PHOTO,
        DataClass.PREFERENCE,
        DataClass.NOTES,
    }
)

#: Short names the apps' slices use, so that a slice reads as a table.
ID, C, H, F, P = (DataClass.IDENTITY, DataClass.CONTACT, DataClass.HEALTH, DataClass.FINANCIAL,
                  DataClass.PHOTO)  # fmt: skip
PR, NO, CO, RE, X = (DataClass.PREFERENCE, DataClass.NOTES, DataClass.CONSENT,
                     DataClass.RELATIONSHIP, DataClass.NONE)  # fmt: skip

#: Purposes shared by several apps' slices.
SERVE = "to serve the customer safely and as they like"
REACH = "to reach the customer (bookings, follow-ups; marketing only with consent)"
FIND = "to recognise and find the customer"
BOOK = "bookkeeping of sales and prepaid balances (accounting law: kept after erasure)"
KEEP = "to keep the record consistent (ids, times, links)"
AUDIT = "accountability: who changed or read what"
API = "an API field"
#: The bookkeeping columns of a row that belongs to one customer of one branch.
STANDARD_COLUMNS: dict[str, tuple[DataClass, str]] = {
    "id": (X, KEEP),
    "created_at": (X, KEEP),
    "updated_at": (X, KEEP),
    "business": (X, KEEP),
    "branch": (X, KEEP),
    "customer": (X, KEEP),
}


def inventory_models() -> dict[str, dict[str, tuple[DataClass, str]]]:
    """model label → field name → (class, purpose), from every app's slice."""
    from liuke.core.registry import registry

    return {
        model: dict(entries)
        for _label, slice_ in registry.each("privacy_models")
        for model, entries in slice_.items()
    }


def inventory_api() -> dict[str, tuple[DataClass, str]]:
    """API schema property → (class, purpose), from every app's slice (a later app's purpose
    wins where two apps name the same property; the registry refuses two different classes)."""
    from liuke.core.registry import registry

    out: dict[str, tuple[DataClass, str]] = {}
    for _label, slice_ in registry.each("privacy_api"):
        out.update(slice_)
    return out

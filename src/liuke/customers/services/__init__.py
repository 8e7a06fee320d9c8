"""Every write to the customer archive: validation, invariants and history in one transaction.

One module per concept; this package re-exports their public functions so callers keep writing
`services.customer_update(...)`."""

from __future__ import annotations

from liuke.customers.services.archive import (
    COMPLETENESS_WEIGHTS,
    TRACKED_FIELDS,
    completeness_of,
    customer_confirm,
    customer_create,
    customer_update,
)
from liuke.customers.services.erasure import ERASE_CAP, customer_anonymise
from liuke.customers.services.key_accounts import (
    access_decide,
    access_request,
    access_revoke,
    customer_handover,
)
from liuke.customers.services.merge import customer_merge
from liuke.customers.services.photos import customer_photo_add

__all__ = [
    "COMPLETENESS_WEIGHTS",
    "ERASE_CAP",
    "TRACKED_FIELDS",
    "access_decide",
    "access_request",
    "access_revoke",
    "completeness_of",
    "customer_anonymise",
    "customer_confirm",
    "customer_create",
    "customer_handover",
    "customer_merge",
    "customer_photo_add",
    "customer_update",
]

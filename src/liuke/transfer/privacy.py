"""The transfer app's slice of the personal-data inventory (docs/security.md, "Personal data").

No table of this app points at a customer. The stable keys of imported rows are hashed
(`transfer.kinds.stable_key`), so no mobile or card number outlives a customer's erasure there.
A bad row's cells are kept with its batch for the report to correct and import again; they
belong to no customer (the row was not imported) and go when the batch is deleted.
"""

from __future__ import annotations

from liuke.core.registry import PrivacyModels, PrivacyProperties

MODELS: PrivacyModels = {}
#: properties of the import API's schemas that are not model fields
API_PROPERTIES: PrivacyProperties = {}

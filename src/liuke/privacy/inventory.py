"""The inventory of personal data (PIPL art. 51–55: know what you hold, why, and guard it).

Every field of every model that holds or hangs off a customer is listed with its class and
purpose; so is every property of the API's schemas. Each app lists its own in its
`privacy.py` (contributed through its `contrib.py`); this hub collects them.
`tests/privacy/test_inventory.py` fails when a model or an API schema gains a field no app
lists, so nothing personal is added without someone deciding what it is and why it is kept.
docs/security.md shows the table. The classes are described in `liuke.core.privacy`.
"""

from __future__ import annotations

from liuke.core.privacy import ERASED_CLASSES, DataClass, inventory_api, inventory_models

#: model label → field name → (class, purpose), every app's slice
MODELS = inventory_models()
#: API schema properties that are not model fields: their class when they carry data about a
#: customer (`none` otherwise: ids, paging, staff and catalogue data, totals)
API_PROPERTIES = inventory_api()

__all__ = ["API_PROPERTIES", "ERASED_CLASSES", "MODELS", "DataClass", "classify"]


def classify(model_label: str, field: str) -> DataClass | None:
    entry = MODELS.get(model_label, {}).get(field)
    return entry[0] if entry else None

"""The rosters app's slice of the personal-data inventory (liuke.privacy.inventory): its
models hold staff working time, not customer data; its API's own properties."""

from __future__ import annotations

from liuke.core.privacy import API, X
from liuke.core.registry import PrivacyModels, PrivacyProperties

MODELS: PrivacyModels = {}
API_PROPERTIES: PrivacyProperties = dict.fromkeys(
    ("breaks", "ends_at", "every_branch", "exceptions", "starts_at", "weekday", "work"),
    (X, API),
)

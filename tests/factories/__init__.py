"""Test data as plain functions, one module per app (`tests.factories.<app>`); everything is
also importable from here. Rows are made through the real services where one exists
(customers through `customer_create`, a business with `business_provision`), so their derived
fields are the ones production computes."""

from __future__ import annotations

from tests.factories.accounts import (
    PERSONAS,
    branch_make,
    business_make,
    persona_make,
    user_make,
)
from tests.factories.customers import customer_make
from tests.factories.sales import visit_build, visit_make

__all__ = [
    "PERSONAS",
    "branch_make",
    "business_make",
    "customer_make",
    "persona_make",
    "user_make",
    "visit_build",
    "visit_make",
]

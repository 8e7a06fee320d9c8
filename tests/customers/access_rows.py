"""The access-matrix rows of this app (the format: tests/accounts/test_access_matrix.py)."""

from __future__ import annotations

from typing import Any

ROUTES: dict[str, str] = {
    "customers:list": "list",
    "customers:search": "list",
    "customers:referrer_pick": "list",
    "customers:create": "list",
    "customers:stale": "list",
    "customers:duplicates": "list",
    "customers:access": "list",
    "customers:handover": "list",
    "customers:retention": "list",
    "customers:access_decide": "customer",
    "customers:privacy": "customer",
    "customers:privacy_export": "customer",
    "customers:privacy_erase": "customer",
    "customers:access_request": "customer",
    "customers:detail": "customer",
    "customers:edit": "customer",
    "customers:confirm": "customer",
    "customers:merge": "customer",
    "customers:photo_upload": "customer",
    "customers:photo": "customer",
}
API_KINDS: dict[str, str] = {
    "/api/v1/customers": "list",
    "/api/v1/customers/duplicates": "list",
    "/api/v1/access-grants": "list",
    "/api/v1/handovers": "customer",
}
BODIES: dict[str, dict[str, Any]] = {
    "POST /api/v1/handovers": {
        "to_user_id": "{staff_id}",
        "reason": "交接",
        "customer_ids": ["{customer_id}"],
    },
    "POST /api/v1/customers/{customer_id}/merge": {"duplicate_id": "{other_id}"},
    "PATCH /api/v1/customers/{customer_id}": {"notes": "改"},
    "POST /api/v1/customers/{customer_id}/confirm": {},
    "POST /api/v1/customers/{customer_id}/access-requests": {"reason": "看看"},
    "POST /api/v1/customers/{customer_id}/export": {"reason": "导出"},
    "POST /api/v1/customers/{customer_id}/erase": {"reason": "删除"},
    "POST /api/v1/access-grants/{grant_id}/approve": {},
    "POST /api/v1/access-grants/{grant_id}/refuse": {},
}
FORMS: dict[str, dict[str, Any]] = {
    "customers:privacy_export": {"reason": "导出", "format": "json"},
    "customers:privacy_erase": {"reason": "删除", "confirm": "yes"},
    "customers:access_request": {"reason": "看看"},
    "customers:edit": {"name": "改名"},
}

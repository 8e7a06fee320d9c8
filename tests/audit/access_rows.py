"""The access-matrix rows of this app (the format: tests/accounts/test_access_matrix.py)."""

from __future__ import annotations

ROUTES: dict[str, str] = {
    "audit:log": "list",
    "audit:export": "list",
    "audit:flags": "list",
    "audit:flag_ack": "none",
    "audit:thresholds": "none",
    "audit:branch_hours": "none",
}
API_KINDS: dict[str, str] = {
    "/api/v1/audit/events": "list",
    "/api/v1/audit/flags": "list",
    "/api/v1/audit/flags/{flag_id}/acknowledge": "none",
    "/api/v1/audit/exports": "list",
}

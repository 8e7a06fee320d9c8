"""The access-matrix rows of this app (the format: tests/accounts/test_access_matrix.py)."""

from __future__ import annotations

ROUTES: dict[str, str] = {
    "analytics:dashboard": "list",
    "analytics:revenue": "list",
    "analytics:rates": "list",
    "analytics:cohorts": "list",
    "analytics:value": "list",
    "analytics:key_accounts": "list",
    "analytics:referrals": "list",
    "analytics:book": "none",
    "analytics:refresh": "none",
    "analytics:refresh_status": "none",
}
API_KINDS: dict[str, str] = {
    "/api/v1/analytics/figures": "list",
    "/api/v1/analytics/run": "none",
    "/api/v1/analytics/dashboards/revenue": "none",
    "/api/v1/analytics/dashboards/rates": "none",
    "/api/v1/analytics/dashboards/cohorts": "none",
    "/api/v1/analytics/dashboards/value": "none",
    "/api/v1/analytics/dashboards/key-accounts": "list",
    "/api/v1/analytics/dashboards/referrals": "list",
    "/api/v1/analytics/refresh": "none",
}

"""The access-matrix rows of this app (the format: tests/accounts/test_access_matrix.py)."""

from __future__ import annotations

ROUTES: dict[str, str] = {
    "accounts:settings": "none",
    "accounts:two_factor": "none",
    "accounts:tokens": "none",
    "accounts:token_revoke": "none",
}
API_KINDS: dict[str, str] = {
    "/api/v1/me": "none",
    "/api/v1/branches": "none",
    "/api/v1/staff": "none",
}

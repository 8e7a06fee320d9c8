"""The access-matrix rows of this app (the format: tests/accounts/test_access_matrix.py)."""

from __future__ import annotations

ROUTES: dict[str, str] = {
    "set_language": "none",
    "web:home": "none",
    "web:today": "list",
    "web:login": "none",
    "web:logout": "none",
    "web:healthz": "none",
    "web:branches": "list",
    "web:refresh_quality": "none",
    "web:login_verify": "none",
}

"""The access-matrix rows of this app (the format: tests/accounts/test_access_matrix.py)."""

from __future__ import annotations

ROUTES: dict[str, str] = {
    "notices:list": "none",
    "notices:read_all": "none",
    "notices:open": "none",
}

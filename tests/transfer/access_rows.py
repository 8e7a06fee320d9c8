"""The access-matrix rows of this app (the format: tests/accounts/test_access_matrix.py)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

ROUTES: dict[str, str] = {
    "transfer:list": "list",
    "transfer:upload": "none",
    "transfer:template": "none",
    # a batch holds rows of customers (its preview, its bad rows): scoped like a customer
    "transfer:detail": "customer",
    "transfer:progress": "customer",
    "transfer:mapping": "customer",
    "transfer:start": "customer",
    "transfer:undo": "customer",
    "transfer:errors": "customer",
}
FORMS: dict[str, dict[str, Any]] = {
    "transfer:mapping": {"col0": "name", "col1": "mobile"},
}


def world(
    *, customer: Any, visit: Any, owner: Any, front_desk: Any, beautician: Any
) -> dict[str, int]:
    """An uploaded batch of the owner's, its file naming the customer."""
    from liuke.transfer import services

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "c.csv"
        path.write_text(f"姓名,手机\n{customer.name},{customer.mobile}\n", "utf-8")
        batch = services.batch_upload(actor=owner, path=path, name="c.csv", kind="customers")
    return {"batch_id": batch.pk}

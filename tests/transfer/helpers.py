"""Files and batches for the import tests."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from liuke.accounts.models import User
from liuke.transfer import services
from liuke.transfer.models import ImportBatch


def csv_file(path: Path, rows: Sequence[Sequence[Any]], *, encoding: str = "utf-8") -> Path:
    path.write_bytes(
        "".join(",".join("" if c is None else str(c) for c in r) + "\r\n" for r in rows).encode(
            encoding
        )
    )
    return path


def run_import(
    actor: User,
    path: Path,
    *,
    name: str = "customers.csv",
    kind: str = "customers",
    dry_run: bool = False,
    **kw: Any,
) -> ImportBatch:
    """Upload a file of `kind`, keep the suggested mapping, check, and import unless `dry_run`."""
    batch = services.batch_upload(actor=actor, path=path, name=name, kind=kind, **kw)
    services.batch_map(actor=actor, batch_id=batch.pk, mapping=batch.mapping)
    batch = services.batch_check(batch_id=batch.pk)
    if dry_run:
        return batch
    return services.batch_import(batch_id=batch.pk)

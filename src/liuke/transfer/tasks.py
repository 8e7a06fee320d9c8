"""The import's jobs: the check (dry run) and the import of a batch, on the job consumer."""

from __future__ import annotations

from liuke.core.jobs import db_task


@db_task()
def import_job(batch_id: int, dry_run: bool) -> None:
    """Check or import one batch (idempotent: a batch not in the state its step needs is left)."""
    from liuke.transfer import services

    if dry_run:
        services.batch_check(batch_id=batch_id)
    else:
        services.batch_import(batch_id=batch_id)

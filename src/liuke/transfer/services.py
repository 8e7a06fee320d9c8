"""Imports: upload, map, check (the dry run), import, undo.

A batch is one file. `batch_upload` keeps the file and suggests a mapping; `batch_map` sets
the mapping (and saves it by name); `batch_check` is the dry run: every row checked and matched
against the archive, nothing written; `batch_import` writes, chunk by chunk, each chunk in one
transaction under the business's import lock, so a row is never half-written and two imports
at once never create one record twice; `batch_undo` removes what a batch created while nothing
else refers to it. Check and import run as jobs (`transfer.tasks`) or on the command line.
"""

from __future__ import annotations

import hashlib
import shutil
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from itertools import islice
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.models import Branch, Business, User
from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.core.errors import NotFound, ServiceError
from liuke.core.locking import lock_one, retry_on_conflict
from liuke.transfer.capabilities import TransferCap
from liuke.transfer.choices import BatchStatus
from liuke.transfer.errors import TransferErrorCode
from liuke.transfer.kinds import KINDS, Checked, ImportKind, Written, kind_of
from liuke.transfer.mapping import positions, suggest
from liuke.transfer.models import ImportBatch, ImportIssue, SavedMapping
from liuke.transfer.readers import open_table

#: Rows written per transaction: large enough for bulk statements, small enough that other
#: writers wait for one chunk at most (well under a second).
CHUNK = 1000

Progress = Callable[[int, int], None]


def _kind(name: str) -> ImportKind:
    if name not in KINDS:
        raise ServiceError(TransferErrorCode.INVALID_KIND, _("Not one of the kinds of import."))
    return kind_of(name)


def _batch(actor: User, batch_id: int) -> ImportBatch:
    policy.require(actor, TransferCap.DATA_IMPORT)
    batch = ImportBatch.objects.filter(pk=batch_id, business_id=policy.business_of(actor)).first()
    if batch is None:
        raise NotFound(_("No such import."))
    return batch


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1024 * 1024), b""):
            sha.update(block)
    return sha.hexdigest()


def batch_upload(
    *,
    actor: User,
    path: Path | str,
    name: str,
    kind: str,
    branch_ids: Sequence[int] = (),
    encoding: str = "",
    mapping: Mapping[str, str] | None = None,
) -> ImportBatch:
    """Keep the file at `path` (uploaded as `name`) for an import of `kind` into the chosen
    branches (none: all the actor's); the file is read once to refuse it early if unsafe and
    to suggest the mapping of its headers (or take `mapping` where it names them)."""
    policy.require(actor, TransferCap.DATA_IMPORT)
    columns = _kind(kind).columns
    business_id = policy.business_of(actor)
    usable = {
        b.pk
        for b in Branch.objects.filter(business_id=business_id, is_active=True)
        if policy.may_use_branch(actor, b)
    }
    if not set(branch_ids) <= usable:
        raise ServiceError(TransferErrorCode.INVALID_MAPPING, _("Choose from your branches."))
    with open_table(path, name=name, encoding=encoding) as table:
        headers = table.headers
        found_encoding = table.encoding
    suggested = suggest(headers, columns)
    if mapping:
        suggested |= {h: str(k) for h, k in mapping.items() if h in suggested}
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    stored = folder / f"{uuid.uuid4().hex}{Path(name).suffix.lower()[:8]}"
    shutil.copyfile(path, stored)
    batch = ImportBatch.objects.create(
        business_id=business_id,
        kind=kind,
        created_by=actor,
        file_name=Path(name).name[:200],
        file_sha256=_digest(stored),
        stored_path=str(stored),
        encoding=found_encoding,
        headers=headers,
        mapping=suggested,
        branch_ids=sorted(branch_ids),
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    return batch


def batch_map(
    *, actor: User, batch_id: int, mapping: Mapping[str, str], save_as: str = ""
) -> ImportBatch:
    """Set the batch's column mapping (checked against its headers and kind); `save_as` keeps
    it under that name for the next file."""
    batch = _batch(actor, batch_id)
    if batch.status not in (BatchStatus.UPLOADED, BatchStatus.CHECKED):
        raise ServiceError(TransferErrorCode.BATCH_STATE, _("This import has already run."))
    clean = {h: str(mapping.get(h, "") or "") for h in batch.headers}
    positions(batch.headers, clean, _kind(batch.kind).columns)
    batch.mapping = clean
    batch.status = BatchStatus.UPLOADED
    batch.save(update_fields=["mapping", "status", "updated_at"])
    if save_as.strip():
        SavedMapping.objects.update_or_create(
            business_id=batch.business_id,
            kind=batch.kind,
            name=save_as.strip()[:60],
            defaults={"mapping": {h: k for h, k in clean.items() if k}},
        )
    return batch


def _chunks(rows: Iterator[tuple[int, list[Any]]]) -> Iterator[list[tuple[int, list[Any]]]]:
    while chunk := list(islice(rows, CHUNK)):
        yield chunk


def _run(batch: ImportBatch, *, dry_run: bool, progress: Progress | None) -> ImportBatch:
    """Read the batch's file through its kind: check every row; write unless `dry_run`."""
    kind = _kind(batch.kind)
    actor = batch.created_by
    if actor is None or not policy.can(actor, TransferCap.DATA_IMPORT):
        raise ServiceError(
            TransferErrorCode.BATCH_STATE, _("Whoever started this import may no longer import.")
        )
    ctx = kind.context(actor=actor, branch_ids=batch.branch_ids)
    ImportIssue.objects.filter(batch=batch).delete()
    counts = dict.fromkeys(
        (
            "done_rows",
            "new_count",
            "match_count",
            "error_count",
            "created_count",
            "updated_count",
            "unchanged_count",
        ),
        0,
    )
    preview: list[dict[str, str]] = []
    with open_table(batch.stored_path, name=batch.file_name, encoding=batch.encoding) as table:
        where = positions(table.headers, batch.mapping, kind.columns)
        for chunk in _chunks(table.rows):
            checked = [
                kind.check(
                    n,
                    cells,
                    {k: cells[i] if i < len(cells) else None for k, i in where.items()},
                    ctx,
                )
                for n, cells in chunk
            ]
            good = [c for c in checked if not c.problems]
            bad = [c for c in checked if c.problems]
            if dry_run:
                written = kind.write(good, ctx, batch=batch, dry_run=True)
            else:
                written = _write_chunk(kind, good, ctx, batch)
            _issues(batch, bad + written.failed)
            if len(preview) < 20:
                preview.extend(written.preview[: 20 - len(preview)])
            counts["done_rows"] += len(chunk)
            counts["error_count"] += len(bad) + len(written.failed)
            counts["new_count"] += written.created
            counts["match_count"] += written.updated + written.unchanged
            counts["created_count"] += 0 if dry_run else written.created
            counts["updated_count"] += 0 if dry_run else written.updated
            counts["unchanged_count"] += written.unchanged
            ImportBatch.objects.filter(pk=batch.pk).update(done_rows=counts["done_rows"])
            if progress is not None:
                progress(counts["done_rows"], batch.total_rows)
    for name, value in counts.items():
        setattr(batch, name, value)
    if dry_run:
        batch.total_rows = counts["done_rows"]
        batch.preview = preview
    return batch


def _issues(batch: ImportBatch, rows: Sequence[Checked]) -> None:
    columns = {c.key: c.label for c in _kind(batch.kind).columns}
    ImportIssue.objects.bulk_create(
        ImportIssue(
            batch=batch,
            row_no=r.row_no,
            problems=[[columns.get(k, k), m] for k, m in r.problems],
            cells=[_jsonable(c) for c in r.cells],
        )
        for r in rows
    )


def _jsonable(value: Any) -> Any:
    return value if value is None or isinstance(value, str | int | float | bool) else str(value)


@retry_on_conflict()
@transaction.atomic
def _write_chunk(kind: ImportKind, rows: list[Checked], ctx: Any, batch: ImportBatch) -> Written:
    """One chunk in one transaction, under the business's import lock (PostgreSQL: a row lock
    on the business, taken by every import's chunk, so two imports match and write one after
    the other; SQLite's IMMEDIATE transactions already do). A chunk the database refuses as a
    whole (a unique key another writer took meanwhile) is written row by row instead, and the
    row that is refused is reported: never half of it written."""
    lock_one(Business, batch.business_id)
    try:
        with transaction.atomic():
            written = kind.write(rows, ctx, batch=batch, dry_run=False)
    except IntegrityError:
        written = Written()
        for row in rows:
            try:
                with transaction.atomic():
                    one = kind.write([row], ctx, batch=batch, dry_run=False)
            except IntegrityError:
                row.problems.append(("", _("The row conflicts with a record stored meanwhile.")))
                written.failed.append(row)
                continue
            for name in ("created", "updated", "unchanged"):
                setattr(written, name, getattr(written, name) + getattr(one, name))
            written.failed += one.failed
            written.created_ids += one.created_ids
            written.updated_ids += one.updated_ids
    reason = _("import #%(id)d of %(file)s") % {"id": batch.pk, "file": batch.file_name}
    if written.created_ids:
        audit_record(
            actor=ctx.actor, action=Action.CREATE, customer_ids=written.created_ids, reason=reason
        )
    if written.updated_ids:
        audit_record(
            actor=ctx.actor, action=Action.UPDATE, customer_ids=written.updated_ids, reason=reason
        )
    return written


def batch_check(*, batch_id: int, progress: Progress | None = None) -> ImportBatch:
    """The dry run: every row checked and matched, the counts and the first rows as they will
    be stored; nothing written but the batch's figures and its bad rows."""
    batch = ImportBatch.objects.get(pk=batch_id)
    with translation.override(batch.language):
        return _finish(batch, dry_run=True, progress=progress)


def batch_import(*, batch_id: int, progress: Progress | None = None) -> ImportBatch:
    """Write the checked batch; its audit event names the file, its hash and the counts."""
    batch = ImportBatch.objects.get(pk=batch_id)
    with translation.override(batch.language):
        batch = _finish(batch, dry_run=False, progress=progress)
        # the upload holds personal data: once imported, only the bad rows' cells are kept
        Path(batch.stored_path).unlink(missing_ok=True)
        batch.stored_path = ""
        batch.save(update_fields=["stored_path", "updated_at"])
        if batch.status == BatchStatus.DONE:
            audit_record(
                actor=batch.created_by,
                action=Action.CREATE,
                reason=_(
                    "import #%(id)d of %(kind)s from %(file)s (sha256 %(sha)s): %(rows)d rows, "
                    "%(new)d new, %(updated)d updated, %(errors)d with errors"
                )
                % {
                    "id": batch.pk,
                    "kind": batch.kind,
                    "file": batch.file_name,
                    "sha": batch.file_sha256,
                    "rows": batch.done_rows,
                    "new": batch.created_count,
                    "updated": batch.updated_count,
                    "errors": batch.error_count,
                },
            )
        return batch


def _finish(batch: ImportBatch, *, dry_run: bool, progress: Progress | None) -> ImportBatch:
    ready = (
        (BatchStatus.UPLOADED, BatchStatus.CHECKED, BatchStatus.CHECKING)
        if dry_run
        else (BatchStatus.CHECKED, BatchStatus.RUNNING)
    )
    if batch.status not in ready:
        raise ServiceError(
            TransferErrorCode.BATCH_STATE, _("This import is not ready for this step.")
        )
    batch.status = BatchStatus.CHECKING if dry_run else BatchStatus.RUNNING
    batch.save(update_fields=["status", "updated_at"])
    try:
        batch = _run(batch, dry_run=dry_run, progress=progress)
    except ServiceError as exc:
        batch.status, batch.failure = BatchStatus.FAILED, exc.message[:500]
    else:
        batch.status = BatchStatus.CHECKED if dry_run else BatchStatus.DONE
    batch.finished_at = None if dry_run else timezone.now()
    batch.save()
    return batch


def batch_queue(*, actor: User, batch_id: int, dry_run: bool) -> ImportBatch:
    """Hand the check (or, once checked, the import) to the job consumer."""
    from liuke.transfer.tasks import import_job

    batch = _batch(actor, batch_id)
    wanted = BatchStatus.UPLOADED if dry_run else BatchStatus.CHECKED
    if batch.status != wanted and not (dry_run and batch.status == BatchStatus.CHECKED):
        raise ServiceError(
            TransferErrorCode.BATCH_STATE, _("This import is not ready for this step.")
        )
    batch.status = BatchStatus.CHECKING if dry_run else BatchStatus.RUNNING
    batch.done_rows = 0
    batch.save(update_fields=["status", "done_rows", "updated_at"])
    transaction.on_commit(lambda: import_job(batch.pk, dry_run))
    return batch


@transaction.atomic
def batch_undo(*, actor: User, batch_id: int) -> ImportBatch:
    """Remove the records the batch created, while nothing else refers to them; otherwise say
    what does. Updates the batch made to existing records stay (their history shows them)."""
    batch = _batch(actor, batch_id)
    kind = _kind(batch.kind)
    lock_one(Business, batch.business_id)
    if batch.status != BatchStatus.DONE:
        raise ServiceError(
            TransferErrorCode.BATCH_STATE, _("Only a finished import can be undone.")
        )
    found = kind.undo_blockers(batch)
    if found:
        raise ServiceError(
            TransferErrorCode.UNDO_BLOCKED,
            _("The import cannot be undone: its records are used by %(what)s.")
            % {"what": ", ".join(found)},
        )
    n, removed = kind.undo_remove(batch)
    batch.status = BatchStatus.UNDONE
    batch.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        customer_ids=removed,
        reason=_("import #%(id)d of %(file)s undone: %(n)d records removed")
        % {"id": batch.pk, "file": batch.file_name, "n": n},
    )
    return batch

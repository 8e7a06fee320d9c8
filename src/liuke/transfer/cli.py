"""`liuke import KIND FILE`: an import from the command line, with a progress bar.

The same batch as the page's: checked first (the dry run's counts are printed), then, unless
`--dry-run`, imported; bad rows are written to an .xlsx report beside the file.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from liuke.transfer.kinds import KINDS

console = Console()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", choices=sorted(KINDS))
    parser.add_argument("file", metavar="FILE", help=".xlsx or .csv (UTF-8 or GBK)")
    parser.add_argument(
        "--branch", nargs="+", default=[], help="branch names or codes (default: all)"
    )
    parser.add_argument("--mapping", metavar="M.json", help="header → field key, as JSON")
    parser.add_argument("--encoding", choices=("utf-8", "gb18030"), default="")
    parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
    parser.add_argument("--user", help="who imports (an owner or manager; default: the owner)")


def _importer(username: str | None) -> Any:
    from liuke.accounts.capabilities import OWNER
    from liuke.accounts.models import User

    users = User.objects.filter(is_active=True).exclude(business=None)
    if username:
        return users.get(username=username)
    owners = list(users.filter(role=OWNER).order_by("pk")[:2])
    if len({o.business_id for o in owners}) != 1:
        raise SystemExit("more than one business (or none): name the importer with --user")
    return owners[0]


def run(args: argparse.Namespace) -> int:
    from django.utils import translation

    from liuke.accounts.models import Branch
    from liuke.core.errors import ServiceError
    from liuke.transfer import services
    from liuke.transfer.mapping import normalise_header

    actor = _importer(args.user)
    wanted = {normalise_header(b) for b in args.branch}
    branch_ids = [
        b.pk
        for b in Branch.objects.filter(business_id=actor.business_id)
        if wanted & {normalise_header(b.name), normalise_header(b.code)}
    ]
    if len(branch_ids) < len(wanted):
        raise SystemExit("unknown branch: " + ", ".join(args.branch))
    mapping = json.loads(Path(args.mapping).read_text("utf-8")) if args.mapping else None
    try:
        with translation.override("zh-hans"):
            batch = services.batch_upload(
                actor=actor,
                path=args.file,
                name=Path(args.file).name,
                kind=args.kind,
                branch_ids=branch_ids,
                encoding=args.encoding,
                mapping=mapping,
            )
            services.batch_map(actor=actor, batch_id=batch.pk, mapping=batch.mapping)
    except ServiceError as exc:
        console.print(f"[red]{exc.message}[/red]")
        return 2
    mapped = {h: k for h, k in batch.mapping.items() if k}
    console.print("Columns: " + ", ".join(f"{h} → {k}" for h, k in mapped.items()))
    batch = _with_bar("Checking", lambda p: services.batch_check(batch_id=batch.pk, progress=p))
    console.print(
        f"Rows {batch.total_rows}: new {batch.new_count}, matching existing "
        f"{batch.match_count}, with errors {batch.error_count}"
    )
    if batch.failure:
        console.print(f"[red]{batch.failure}[/red]")
        return 2
    if not args.dry_run:
        batch = _with_bar(
            "Importing", lambda p: services.batch_import(batch_id=batch.pk, progress=p)
        )
        console.print(
            f"Imported: {batch.created_count} new, {batch.updated_count} updated, "
            f"{batch.unchanged_count} unchanged, {batch.error_count} with errors "
            f"(import #{batch.pk})"
        )
    if batch.error_count:
        from liuke.transfer.report import issues_workbook

        report = Path(args.file).with_suffix(".errors.xlsx")
        issues_workbook(batch).save(report)
        console.print(f"Bad rows, with the reasons: {report}")
    return 0 if batch.status in ("checked", "done") else 2


def _with_bar(label: str, step: Any) -> Any:
    with Progress(
        TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    ) as bar:
        task = bar.add_task(label, total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total or None)

        return step(progress)

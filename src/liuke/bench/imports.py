"""The import benchmark for `liuke bench` (alone: `liuke bench --only import`): customers from
an .xlsx of 20 columns of realistic Chinese data (the demo generator's people), on SQLite: the
dry run, the import, and the re-run of the same file (nothing changes). Targets at 1,000,000
rows: dry run and import each under 2 minutes, the re-run under 1, peak memory under 1.5 GB
(docs/benchmarks.md).

Each step runs in a fresh process on its own database (var/bench/import-N.sqlite3), which
reports its time and peak memory (RSS).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HEADERS = [
    "会员编号", "姓名", "手机号", "性别", "生日", "会员卡号", "门店", "专属顾问", "推荐人",
    "来源", "标签", "肤质", "发质", "过敏史", "禁忌", "喜好", "备注", "微信号", "同意营销",
    "消费提醒",
]  # fmt: skip


def make_file(path: Path, rows: int, seed: int = 7) -> None:
    """`rows` customers of the demo generator as a salon's export, written streaming."""
    import numpy as np
    from openpyxl import Workbook

    from liuke.demo import data
    from liuke.demo.simulate import people

    rng = np.random.default_rng(seed)
    who = people.identities(rng, rows, int(time.time()))
    health = people.health(rng, who)
    branches = [b[1] for b in data.BRANCHES]
    staff = [s[1] for s in data.STAFF]
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADERS)
    genders = {"F": "女", "M": "男", "O": "其他", "": ""}
    for i in range(rows):
        day = who.birthday[i]
        sheet.append([
            f"K{i:07d}", who.names[i], who.mobile[i], genders[who.gender[i]],
            "" if np.isnat(day) else str(day).replace("-", "/"), f"V{i:07d}",
            branches[int(who.branch[i])], staff[i % len(staff)], "",
            ("转介绍", "到店", "美团", "小红书")[i % 4],
            "、".join(data.TAGS[j] for j in range(i % 3)), health.skin_type[i],
            health.hair_type[i], health.allergies[i], health.contraindications[i],
            health.preferences[i], health.notes[i], f"wx{i:07d}", ("是", "否")[i % 2], "是",
        ])  # fmt: skip
    book.save(path)


def run_import_benchmarks(rows: int = 1_000_000) -> int:
    from django.conf import settings
    from rich.console import Console

    console = Console()
    folder = Path(settings.VAR_DIR) / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    sheet = folder / f"import-{rows}.xlsx"
    if not sheet.exists():
        console.print(f"[bold]Writing {rows:,} customers to {sheet}[/bold] …")
        make_file(sheet, rows)
    database = folder / f"import-{rows}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    results = []
    for step in ("setup", "dry-run", "import", "re-run"):
        result = _child(database, sheet, step)
        if result is None:
            console.print(f"[red]The import benchmark failed at {step}.[/red]")
            return 2
        results.append(result)
        console.print(json.dumps(result, ensure_ascii=False))
    return 0


def _child(database: Path, sheet: Path, step: str) -> dict[str, Any] | None:
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{database}")
    done = subprocess.run(  # noqa: S603 (our own module)
        [sys.executable, "-m", "liuke.bench.imports", step, str(sheet)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-4000:])
        return None
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _step(step: str, sheet: Path) -> dict[str, Any]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liuke.settings")
    django.setup()
    from django.core.management import call_command

    from liuke.accounts import policy
    from liuke.accounts.models import Branch, User
    from liuke.accounts.services import owner_create
    from liuke.demo import data
    from liuke.transfer import services
    from liuke.transfer.models import ImportBatch

    if step == "setup":
        call_command("migrate", interactive=False, verbosity=0)
        owner = owner_create(
            username="bench",
            password="bench-password-1",  # noqa: S106 (a throw-away benchmark database)
            business_name=data.BUSINESS_NAME,
            branch_name=data.BRANCHES[0][1],
        )
        owner.display_name = data.STAFF[0][1]  # the file names the owner as a consultant too
        owner.save(update_fields=["display_name"])
        business_id = policy.business_of(owner)
        for code, name, *_rest in data.BRANCHES[1:]:
            Branch.objects.create(business_id=business_id, name=name, code=code)
        for i, (_login, name, role, _codes) in enumerate(data.STAFF[1:]):
            User.objects.create(
                username=f"bench{i}", display_name=name, role=role, business_id=business_id
            )
        return {"step": step}
    owner = User.objects.get(username="bench")
    started = time.perf_counter()
    if step in ("dry-run", "re-run"):
        batch = services.batch_upload(actor=owner, path=sheet, name=sheet.name, kind="customers")
        services.batch_map(actor=owner, batch_id=batch.pk, mapping=batch.mapping)
        batch = services.batch_check(batch_id=batch.pk)
        if step == "re-run":
            batch = services.batch_import(batch_id=batch.pk)
    else:
        batch = ImportBatch.objects.order_by("-pk").first()  # type: ignore[assignment]
        batch = services.batch_import(batch_id=batch.pk)
    seconds = time.perf_counter() - started
    return {
        "step": step,
        "rows": batch.total_rows,
        "seconds": round(seconds, 1),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "new": batch.new_count,
        "created": batch.created_count,
        "updated": batch.updated_count,
        "unchanged": batch.unchanged_count,
        "errors": batch.error_count,
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("step")
    parser.add_argument("sheet")
    args = parser.parse_args()
    print(json.dumps(_step(args.step, Path(args.sheet)), ensure_ascii=False))

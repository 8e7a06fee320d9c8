"""The delivery benchmark for `liuke bench` (alone: `liuke bench --only delivery`): messages a
second from the dispatcher through two delivery workers to a local fake SMS provider.

A fresh SQLite database under var/bench/ gets a business sending by Tencent Cloud SMS, 20,000
customers and a queued service message for each. The dispatch job hands them over (judged by
the rules, rendered, SENDING) and its delivery jobs are collected; then two worker processes
run those jobs (`delivery.deliver`, what the huey consumer runs), each signing every request
with TC3-HMAC-SHA256 and posting it to the fake provider (`bench.sms_fake`, served by this
process, which checks every signature). Measured: the hand-over, and from the workers' start
until every message is recorded SENT. Target: at least 500 messages a second.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
MESSAGES = 20_000
WORKERS = 2
TARGET_PER_SECOND = 500.0
KEYS = {"bench-tencent": {"secret_id": "AKID-bench", "secret_key": "bench-secret"}}


def run_delivery_benchmarks(messages: int = MESSAGES) -> int:
    from django.conf import settings
    from rich.console import Console

    from liuke.bench.sms_fake import FakeSms, fake_sms_server

    console = Console()
    folder = Path(settings.VAR_DIR) / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    database = folder / "delivery.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    env = dict(
        os.environ,
        DATABASE_URL=f"sqlite:///{database}",
        DJANGO_SETTINGS_MODULE="liuke.settings",
        LIUKE_CHANNEL_CREDENTIALS=json.dumps(KEYS),
    )
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    fake = FakeSms(tencent_keys={"AKID-bench": "bench-secret"})
    console.print(f"[bold]Delivery[/bold]: {messages:,} messages, {WORKERS} workers, fake SMS …")
    with fake_sms_server(fake):
        jobs = str(folder / "delivery-jobs.json")
        setup = _child(env, "setup", "--url", fake.url, "--messages", str(messages), "--jobs", jobs)
        if not setup:
            console.print("[red]The delivery benchmark's setup failed.[/red]")
            return 2
        started = time.perf_counter()
        workers = [
            subprocess.Popen(  # noqa: S603 (our own interpreter and module)
                [
                    sys.executable,
                    "-m",
                    "liuke.bench.delivery",
                    "work",
                    f"--worker={k}",
                    f"--jobs={jobs}",
                ],
                env=env,
                cwd=ROOT,
                stdout=subprocess.PIPE,
                text=True,
            )
            for k in range(WORKERS)
        ]
        outputs = [w.communicate()[0] for w in workers]
        took = time.perf_counter() - started
    if any(w.returncode for w in workers):
        console.print("[red]The delivery benchmark failed.[/red]")
        return 2
    results = [json.loads(out.strip().splitlines()[-1]) for out in outputs]
    sent = sum(r["sent"] for r in results)
    if sent < messages:
        console.print(f"  outcomes per worker: {[r['outcomes'] for r in results]}")
    # from the first worker's first send to the last one's last record (a consumer is started
    # once and stays up); with the processes' start-up beside it
    sending = max(r["ended"] for r in results) - min(r["began"] for r in results)
    rate = sent / sending
    console.print(
        f"  hand-over (rules, render, SENDING): {setup['handed']:,} in {setup['seconds']:.1f} s"
    )
    console.print(
        f"  sent: {sent:,} of {messages:,} in {sending:.1f} s = {rate:,.0f} messages/s "
        f"({took:.1f} s with the workers' start-up; provider saw {len(fake.sent):,}; "
        f"load average {os.getloadavg()[0]:.1f})"
    )
    ok = sent == messages == len(fake.sent) and rate >= TARGET_PER_SECOND
    console.print("  target ≥ 500/s: " + ("[green]met[/green]" if ok else "[red]missed[/red]"))
    return 0 if ok else 1


def _child(env: dict[str, str], *args: str) -> dict[str, Any]:
    proc = subprocess.run(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-m", "liuke.bench.delivery", *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        return {}
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def _setup(url: str, messages: int, jobs_file: str) -> dict[str, Any]:
    import datetime as dt

    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from liuke.accounts.models import Branch, Business
    from liuke.customers.models import Customer
    from liuke.engagement import dispatch
    from liuke.engagement.choices import MessageKind
    from liuke.engagement.models import (
        ChannelAccount,
        DeliverySettings,
        Message,
        MessageTemplate,
    )

    business = Business.objects.create(name="bench salon")
    branch = Branch.objects.create(business=business, name="bench", code="B1")
    Customer.objects.bulk_create(
        (
            Customer(business=business, branch=branch, name=f"客户{n}", mobile=f"139{n:08d}")
            for n in range(messages)
        ),
        batch_size=2000,
    )
    MessageTemplate.objects.create(
        business=business, kind=MessageKind.REBOOKING, body_zh="{salutation}您好，{date}见"
    )
    Message.objects.bulk_create(
        (
            Message(
                business=business,
                branch=branch,
                customer_id=pk,
                kind=MessageKind.REBOOKING,
                key="bench",
                is_marketing=False,
                occasion_on=dt.date(2030, 5, 6),
            )
            for pk in Customer.objects.values_list("pk", flat=True).iterator()
        ),
        batch_size=2000,
    )
    ChannelAccount.objects.create(
        business=business,
        channel="sms",
        provider="tencent",
        options={
            "endpoint": url,
            "sign_name": "bench",
            "sdk_app_id": "1400000001",
            "rate_per_second": 100_000,
            "templates": {MessageKind.REBOOKING: {"id": "100", "params": ["salutation", "date"]}},
        },
        credentials_key="bench-tencent",
    )
    DeliverySettings.objects.create(business=business, channel="sms")
    jobs: list[list[int]] = []
    started = time.perf_counter()
    # no time budget: every message is handed over in this one run
    result = dispatch.dispatch(enqueue=lambda ids: jobs.append(list(ids)), budget_seconds=1e9)
    seconds = time.perf_counter() - started
    Path(jobs_file).write_text(json.dumps(jobs))
    return {"handed": result["handed"], "seconds": seconds, "jobs": len(jobs)}


def _work(worker: int, jobs_file: str) -> dict[str, Any]:
    """Run this worker's share of the delivery jobs the dispatch queued (as two huey workers
    take jobs from one queue), timed from its first send to its last record."""
    from liuke.engagement import delivery

    jobs = json.loads(Path(jobs_file).read_text())
    outcomes: dict[str, int] = {}
    began = time.time()
    for job in jobs[worker::WORKERS]:
        for outcome, n in delivery.deliver(job).items():
            outcomes[str(outcome)] = outcomes.get(str(outcome), 0) + n
    return {
        "sent": outcomes.get("sent", 0),
        "outcomes": outcomes,
        "began": began,
        "ended": time.time(),
    }


def _main() -> int:
    parser = argparse.ArgumentParser(prog="python -m liuke.bench.delivery")
    parser.add_argument("step", choices=["setup", "work"])
    parser.add_argument("--url", default="")
    parser.add_argument("--messages", type=int, default=MESSAGES)
    parser.add_argument("--worker", type=int, default=0)
    parser.add_argument("--jobs", default="")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liuke.settings")
    import django

    django.setup()
    if args.step == "setup":
        out = _setup(args.url, args.messages, args.jobs)
    else:
        out = _work(args.worker, args.jobs)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(_main())

"""The `liuke` command: what an operator does, one subcommand each.

liuke serve        migrate, load the demo salon once, run gunicorn + the job consumer
liuke demo         build a realistic demo salon (any size, deterministic for a seed)
liuke createowner  create a business, its first branch and its owner login
liuke audit verify check the audit log's hash chain; names the first damaged event
liuke bench        print the benchmark figures recorded in docs/benchmarks.md
liuke analytics clv      BG/NBD + Gamma-Gamma lifetime value of any transaction file (CSV)
liuke analytics refresh  recompute the stored per-customer figures now, with a progress bar
liuke manage ...   any Django management command
"""

from __future__ import annotations

import argparse
import getpass
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from typing import Any

from rich.console import Console

console = Console()

DEMO_USERNAME = "owner"
DEMO_PASSWORD = "liuke-demo-2026"  # noqa: S105  (the published demo login, printed by serve)


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liuke.settings")
    import django
    from django.apps import apps

    # Once per process: a second setup would configure logging again, onto whatever
    # sys.stderr is at that moment (a test's captured stream, closed after the test).
    if not apps.ready:
        django.setup()


def cmd_serve(args: argparse.Namespace) -> int:
    _setup_django()
    from django.conf import settings
    from django.core.management import call_command

    console.print("[bold]Liuke 留客[/bold] — preparing the database …")
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    if not args.no_demo:
        from liuke.demo.builder import ensure_demo

        created = ensure_demo(
            customers=args.demo_customers, seed=42, username=DEMO_USERNAME, password=DEMO_PASSWORD
        )
        console.print(
            "Demo salon loaded." if created else "Demo salon already present (not loaded again)."
        )
    from liuke.core.logging import ACCESS_LOG_FORMAT
    from liuke.core.maintenance import optimize_database

    optimize_database()  # planner statistics for an archive imported or grown since last start

    port = int(args.port or os.environ.get("PORT") or 8000)
    url = f"http://{args.host}:{port}/"
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="liuke.settings")
    consumer = subprocess.Popen(
        [sys.executable, "-m", "django", "run_huey", "--workers", "2", "--worker-type", "thread"],
        env=env,
    )
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "liuke.wsgi:application",
            "--bind",
            f"{args.host}:{port}",
            "--workers",
            str(args.workers),
            "--threads",
            "2",
            "--timeout",
            "60",
            "--limit-request-line",
            "8190",
            "--access-logfile",
            "-",
            "--access-logformat",
            ACCESS_LOG_FORMAT,
            # Masked and escaped like every other log (mobiles, public link tokens, newlines).
            "--logger-class",
            "liuke.core.logging.GunicornLogger",
        ],
        env=env,
    )
    children = [server, consumer]

    def stop(*_: object) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if _wait_until_up(url + "healthz", server):
        console.print(f"\n[green]Liuke is running:[/green] [bold]{url}[/bold]")
        if not args.no_demo:
            console.print(
                f"Demo owner login: [bold]{DEMO_USERNAME}[/bold] / [bold]{DEMO_PASSWORD}[/bold]"
                f"   (database: {settings.DATABASES['default']['NAME']})"
            )
        console.print("Press Ctrl+C to stop.\n")
    code = server.wait()
    stop()
    consumer.wait(timeout=15)
    return code if code > 0 else 0


def _wait_until_up(url: str, server: subprocess.Popen[bytes], timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.3)
    return False


def cmd_demo(args: argparse.Namespace) -> int:
    _setup_django()
    from django.core.management import call_command

    from liuke.demo.builder import demo_build

    call_command("migrate", interactive=False, verbosity=0)
    result = demo_build(
        customers=args.customers,
        seed=args.seed,
        username=DEMO_USERNAME,
        password=DEMO_PASSWORD,
        reset=args.reset,
        progress=not args.quiet,
    )
    console.print(result.summary())
    return 0


def cmd_createowner(args: argparse.Namespace) -> int:
    _setup_django()
    from django.core.exceptions import ValidationError

    from liuke.accounts.services import owner_create

    password = args.password or os.environ.get("LIUKE_OWNER_PASSWORD")
    if not password:
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            console.print("[red]The passwords differ.[/red]")
            return 2
    try:
        user = owner_create(
            username=args.username,
            password=password,
            business_name=args.business,
            branch_name=args.branch,
        )
    except ValidationError as exc:
        for message in exc.messages:
            console.print(f"[red]{message}[/red]")
        return 2
    console.print(f"Owner [bold]{user.username}[/bold] created for {user.business}.")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    _setup_django()
    from liuke.audit.verify import verify_chain

    result = verify_chain()
    if result.ok:
        console.print(
            f"[green]Audit log intact:[/green] {result.checked:,} events, chain and head match."
        )
        return 0
    console.print(f"[red]Audit log damaged[/red] ({result.checked:,} events checked):")
    for problem in result.problems:
        console.print(f"  - {problem}")
    return 1


def cmd_bench(args: argparse.Namespace) -> int:
    _setup_django()
    from liuke.bench.command import run_parts

    return run_parts(args)


def cmd_reminders(args: argparse.Namespace) -> int:
    """Run the daily follow-up and reminder job now (the huey consumer runs it at 06:00)."""
    _setup_django()
    from liuke.engagement.dispatch import dispatch
    from liuke.engagement.jobs import daily_run

    report = daily_run()
    handed = dispatch(batch=args.batch)
    console.print({k: v for k, v in report.items() if not k.endswith("_s")})
    console.print(f"Messages handed to their channels: {handed['handed']:,}.")
    return 0


def cmd_analytics_clv(args: argparse.Namespace) -> int:
    """The models on any CSV of transactions; needs no database."""
    import json
    from pathlib import Path

    from liuke.analytics.clv import Options
    from liuke.analytics.clv.transactions import (
        TransactionFileError,
        analyse_file,
        parse_day,
        read_transactions,
        write_predictions,
    )

    err = Console(stderr=True)
    try:
        transactions = read_transactions(
            Path(args.transactions),
            customer_col=args.customer_col,
            date_col=args.date_col,
            amount_col=args.amount_col,
        )
        end = parse_day(args.observation_end) if args.observation_end else None
        options = Options(
            horizon_months=args.months,
            monthly_discount=args.discount,
            margin=args.margin,
            visits_days=args.visits_days,
            unit_days=7.0 if args.unit == "weeks" else 1.0,
        )
        analysis = analyse_file(transactions, observation_end=end, options=options)
    except (OSError, TransactionFileError) as exc:
        err.print(f"[red]{exc}[/red]")
        return 2
    if args.predictions:
        write_predictions(Path(args.predictions), transactions.ids, analysis)
    result = analysis.as_json()
    result["skipped_rows"] = transactions.skipped
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        _print_clv(result, args.predictions)
    return 0


def _print_clv(result: dict[str, Any], predictions: str | None) -> None:
    from rich.table import Table

    table = Table(title=f"{result['customers']:,} customers, {result['repeat_customers']:,} repeat")
    table.add_column("model")
    table.add_column("parameters")
    table.add_column("log-likelihood", justify="right")
    table.add_column("status")

    def fmt(*names: str) -> str:
        return ", ".join(
            f"{n}={result[n]:.6g}" if result[n] is not None else f"{n}=–" for n in names
        )

    def ll(key: str) -> str:
        return f"{result[key]:.4f}" if result[key] is not None else "–"

    table.add_row(
        "BG/NBD", fmt("r", "alpha", "a", "b"), ll("bgnbd_log_likelihood"), result["bgnbd_message"]
    )
    table.add_row(
        "Gamma-Gamma",
        fmt("p", "q", "gamma"),
        ll("gamma_gamma_log_likelihood"),
        result["spend_message"],
    )
    console.print(table)
    if result["total_value"] is not None:
        console.print(
            f"Value of all customers over {result['horizon_months']} months "
            f"(discount {result['monthly_discount']:.2%} a month, margin {result['margin']:.0%}): "
            f"{result['total_value']:,.2f}"
        )
    if predictions:
        console.print(f"Per-customer predictions written to {predictions}.")


def _bar_progress(bar: Any, labels: dict[str, str]) -> Any:
    """A refresh's (step, done, total) reports as one rich task per step."""
    tasks: dict[str, Any] = {}

    def progress(step: str, done: int, total: int) -> None:
        if step not in tasks:
            tasks[step] = bar.add_task(labels.get(step, step), total=total or None)
        bar.update(tasks[step], completed=done, total=total or None)

    return progress


def cmd_analytics_refresh(args: argparse.Namespace) -> int:
    """Recompute the stored figures now, with a progress bar per business."""
    _setup_django()
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from liuke.accounts.models import Business
    from liuke.analytics.services import figures_refresh

    businesses = Business.objects.order_by("pk")
    if args.business:
        businesses = businesses.filter(pk__in=args.business)
    labels = {"summary": "visits → summary (SQL)", "models": "fitting the models",
              "dashboards": "dashboard tables", "writing": "storing the figures"}  # fmt: skip
    for business in businesses:
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as bar:
            result = figures_refresh(business=business, progress=_bar_progress(bar, labels))
        run = result.run
        console.print(
            f"[green]{business.name}[/green]: {result.customers:,} customers, "
            f"{result.visits:,} visits; repeat buying: {run.get_bgnbd_status_display()} "
            f"({run.bgnbd_message}); spend: {run.get_spend_status_display()}; "
            f"{sum(result.seconds.values()):.1f} s"
        )
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liuke.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["liuke manage", *args.rest])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="liuke", description="Liuke 留客 — salon customer management"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    _add_setup_commands(sub)
    _add_bench(sub)
    _add_jobs_and_analytics(sub)
    manage = sub.add_parser("manage", help="a Django management command")
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)
    _add_app_commands(sub)
    return parser


def _add_app_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The subcommands apps contribute (`Contribution.commands`): none is listed in this file."""
    _setup_django()
    from liuke.core.registry import import_dotted, registry

    for command in registry.items("commands"):
        parser = sub.add_parser(command.name, help=command.help)
        import_dotted(command.add_arguments)(parser)
        parser.set_defaults(func=import_dotted(command.run))


def _add_setup_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """serve, demo, createowner, and the audit chain's check."""
    serve = sub.add_parser("serve", help="run the app (gunicorn + background jobs)")
    serve.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=None, help="default: $PORT or 8000")
    serve.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))
    serve.add_argument("--no-demo", action="store_true", help="do not load the demo salon")
    serve.add_argument(
        "--demo-customers", type=int, default=int(os.environ.get("LIUKE_DEMO_CUSTOMERS", "2000"))
    )
    serve.set_defaults(func=cmd_serve)

    demo = sub.add_parser("demo", help="build the demo salon")
    demo.add_argument("--customers", type=int, default=2000)
    demo.add_argument("--seed", type=int, default=42)
    demo.add_argument("--reset", action="store_true", help="delete the demo business first")
    demo.add_argument("--quiet", action="store_true")
    demo.set_defaults(func=cmd_demo)

    owner = sub.add_parser("createowner", help="create a business with its owner login")
    owner.add_argument("--username", required=True)
    owner.add_argument("--password", help="default: $LIUKE_OWNER_PASSWORD or a prompt")
    owner.add_argument("--business", required=True, help="the business name, e.g. 丽颜美容")
    owner.add_argument("--branch", required=True, help="the first branch, e.g. 静安店")
    owner.set_defaults(func=cmd_createowner)

    audit = sub.add_parser("audit", help="the audit log")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    verify = audit_sub.add_parser("verify", help="check the whole hash chain")
    verify.set_defaults(func=cmd_audit)


def _add_bench(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from liuke.bench.command import add_arguments

    bench = sub.add_parser("bench", help="run the benchmarks")
    add_arguments(bench)
    bench.set_defaults(func=cmd_bench)


def _add_jobs_and_analytics(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The daily reminders now, and the customer value models and stored figures."""
    reminders = sub.add_parser(
        "reminders", help="run the daily follow-up and reminder job now (idempotent)"
    )
    reminders.add_argument("--batch", type=int, default=2000, help="messages to hand over")
    reminders.set_defaults(func=cmd_reminders)

    analytics = sub.add_parser("analytics", help="customer value models and stored figures")
    analytics_sub = analytics.add_subparsers(dest="analytics_command", required=True)
    clv = analytics_sub.add_parser(
        "clv",
        help="BG/NBD + Gamma-Gamma on a transaction file (CSV)",
        description="Fit BG/NBD and Gamma-Gamma to a CSV of transactions and predict each "
        "customer's probability of being active, visits and value. Same-day purchases are one "
        "occasion; transactions after --observation-end are ignored (docs/analytics.md).",
    )
    clv.add_argument("--transactions", required=True, metavar="FILE.csv")
    clv.add_argument("--customer-col", required=True, metavar="C")
    clv.add_argument("--date-col", required=True, metavar="D")
    clv.add_argument("--amount-col", required=True, metavar="A")
    clv.add_argument("--unit", choices=("days", "weeks"), default="days")
    clv.add_argument("--observation-end", metavar="DATE", help="default: the last date in the file")
    clv.add_argument("--predictions", metavar="OUT.csv", help="write per-customer figures")
    clv.add_argument("--json", action="store_true", help="print one JSON object")
    clv.add_argument("--months", type=int, default=12, help="value horizon (default 12)")
    clv.add_argument(
        "--discount", type=float, default=0.01, help="monthly discount rate (default 0.01)"
    )
    clv.add_argument("--margin", type=float, default=1.0, help="profit margin (default 1.0)")
    clv.add_argument(
        "--visits-days", type=float, default=90.0, help="expected visits in the next N days"
    )
    clv.set_defaults(func=cmd_analytics_clv)
    refresh = analytics_sub.add_parser(
        "refresh", help="recompute the stored per-customer figures now (progress bar)"
    )
    refresh.add_argument("--business", type=int, nargs="+", help="only these business ids")
    refresh.set_defaults(func=cmd_analytics_refresh)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())

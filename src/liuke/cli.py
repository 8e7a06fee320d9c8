"""The `liuke` command: what an operator does, one subcommand each.

liuke serve        migrate, load the demo salon once, run gunicorn + the job consumer
liuke demo         build a realistic demo salon (any size, deterministic for a seed)
liuke createowner  create a business, its first branch and its owner login
liuke audit verify check the audit log's hash chain; names the first damaged event
liuke bench        print the benchmark figures recorded in docs/benchmarks.md
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

from rich.console import Console

console = Console()

DEMO_USERNAME = "owner"
DEMO_PASSWORD = "liuke-demo-2026"  # noqa: S105  (the published demo login, printed by serve)


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liuke.settings")
    import django

    django.setup()


def cmd_serve(args: argparse.Namespace) -> int:
    _setup_django()
    from django.conf import settings
    from django.core.management import call_command

    console.print("[bold]Liuke 留客[/bold] — preparing the database …")
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    if not args.no_demo:
        from liuke.demo.generator import ensure_demo

        created = ensure_demo(
            customers=args.demo_customers, seed=42, username=DEMO_USERNAME, password=DEMO_PASSWORD
        )
        console.print(
            "Demo salon loaded." if created else "Demo salon already present (not loaded again)."
        )

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
            # The path only, never the query string: a search for a phone number stays out of logs.
            "--access-logformat",
            '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms',
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

    from liuke.demo.generator import generate_demo

    call_command("migrate", interactive=False, verbosity=0)
    result = generate_demo(
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
    from liuke.bench import run_benchmarks
    from liuke.bench_audit import run_audit_benchmarks
    from liuke.bench_sales import run_sales_benchmarks

    only = set(args.only or ("search", "sales", "audit"))
    if args.skip_sales:
        only.discard("sales")
    search = run_benchmarks(sizes=args.sizes, queries=args.queries) if "search" in only else 0
    sales = run_sales_benchmarks() if "sales" in only else 0
    audit = (
        run_audit_benchmarks(
            requests_each=args.audit_requests, workers=args.audit_workers, rounds=args.audit_rounds
        )
        if "audit" in only
        else 0
    )
    return 0 if search == 0 and sales == 0 and audit == 0 else 1


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

    bench = sub.add_parser("bench", help="run the benchmarks")
    bench.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    bench.add_argument("--queries", type=int, default=1000)
    bench.add_argument("--skip-sales", action="store_true", help="leave the sales benchmark out")
    bench.add_argument(
        "--only", nargs="+", choices=("search", "sales", "audit"), help="run only these"
    )
    bench.add_argument("--audit-requests", type=int, default=100, help="per client, audit bench")
    bench.add_argument(
        "--audit-rounds", type=int, default=3, help="interleaved rounds, audit bench"
    )
    bench.add_argument("--audit-workers", type=int, default=4, help="gunicorn workers, audit bench")
    bench.set_defaults(func=cmd_bench)

    manage = sub.add_parser("manage", help="a Django management command")
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())

"""`liuke bench`: its parts and options (the `liuke` command line adds them as its subcommand).

A new benchmark part is a module of this package, its name in `BENCH_PARTS`, its options in
`add_arguments` and its call in `run_parts`; its figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse

#: The parts of `liuke bench`, in the order they run.
BENCH_PARTS = (
    "search",
    "sales",
    "engagement",
    "analytics",
    "audit",
    "rosters",
    "book",
    "commissions",
    "import",
    "delivery",
    "booking",
)


def add_arguments(bench: argparse.ArgumentParser) -> None:
    bench.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    bench.add_argument("--queries", type=int, default=1000)
    bench.add_argument("--skip-sales", action="store_true", help="leave out the sales part")
    bench.add_argument(
        "--only",
        nargs="+",
        choices=BENCH_PARTS,
        help="run only these parts (e.g. --only analytics engagement)",
    )
    bench.add_argument("--audit-requests", type=int, default=100, help="per client, audit bench")
    bench.add_argument(
        "--audit-rounds", type=int, default=3, help="interleaved rounds, audit bench"
    )
    bench.add_argument("--audit-workers", type=int, default=4, help="gunicorn workers, audit bench")
    bench.add_argument(
        "--commission-lines", type=int, default=2_000_000, help="visit lines, commission bench"
    )
    bench.add_argument("--import-rows", type=int, default=1_000_000, help="rows, import bench")
    bench.add_argument(
        "--delivery-messages", type=int, default=20_000, help="messages, delivery bench"
    )


def run_parts(args: argparse.Namespace) -> int:
    """Run the chosen parts (Django is set up); 0 when every part met its targets."""
    from liuke.bench.analytics import run_analytics_benchmarks
    from liuke.bench.audit import run_audit_benchmarks
    from liuke.bench.book import run_book_benchmarks
    from liuke.bench.booking import run_booking_benchmarks
    from liuke.bench.commission import run_commission_benchmarks
    from liuke.bench.delivery import run_delivery_benchmarks
    from liuke.bench.engagement import run_engagement_benchmarks
    from liuke.bench.imports import run_import_benchmarks
    from liuke.bench.rosters import run_roster_benchmarks
    from liuke.bench.sales import run_sales_benchmarks
    from liuke.bench.search import run_benchmarks

    parts = set(args.only or BENCH_PARTS)
    if args.skip_sales:
        parts.discard("sales")
    results = [
        run_benchmarks(sizes=args.sizes, queries=args.queries) if "search" in parts else 0,
        run_sales_benchmarks() if "sales" in parts else 0,
        run_engagement_benchmarks() if "engagement" in parts else 0,
        run_analytics_benchmarks() if "analytics" in parts else 0,
        run_audit_benchmarks(
            requests_each=args.audit_requests, workers=args.audit_workers, rounds=args.audit_rounds
        )
        if "audit" in parts
        else 0,
        run_roster_benchmarks() if "rosters" in parts else 0,
        run_book_benchmarks() if "book" in parts else 0,
        run_commission_benchmarks(lines=args.commission_lines) if "commissions" in parts else 0,
        run_import_benchmarks(rows=args.import_rows) if "import" in parts else 0,
        run_delivery_benchmarks(messages=args.delivery_messages) if "delivery" in parts else 0,
        run_booking_benchmarks() if "booking" in parts else 0,
    ]
    return 0 if all(r == 0 for r in results) else 1

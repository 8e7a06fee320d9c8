"""Analytics benchmarks for `liuke bench` (`liuke bench --only analytics` runs these alone).

Side by side with `lifetimes` 0.11.3 in the same run, each step in a fresh child process:

1. models — 1,000,000 customers drawn from known BG/NBD and Gamma-Gamma parameters, times in
   whole days over two years (`analytics.simulate`, no database). The BG/NBD fit alone (ours:
   grouping + fit; lifetimes: `BetaGeoFitter.fit`), then the whole pipeline from the summary:
   both fits, probability alive, expected visits in 90 days and the 12-month value (1 % a month)
   of every customer (lifetimes: `BetaGeoFitter.fit`, `GammaGammaFitter.fit`,
   `conditional_probability_alive`, `conditional_expected_number_of_purchases_up_to_time`,
   `customer_lifetime_value`). Parameters compared (relative) and log-likelihoods (absolute).
2. summary — a SQLite database with 1,000,000 customers and about 10,000,000 visits (simulated
   BG/NBD customers, written set-based into the real schema; built once, cached as
   var/bench/analytics-10m.sqlite3): the per-customer summary by SQL
   (`analytics.queries.customer_summary`) against lifetimes'
   `utils.summary_data_from_transaction_data` on the same rows (a pandas DataFrame of customer,
   date, amount).
3. refresh — the nightly refresh (`analytics.services.figures_refresh`) of that database: wall
   time and the child's peak memory (ru_maxrss). Before it, once per cached database ("extras"),
   the database is migrated and given what the dashboards read beyond visits: one service line
   per visit (20 services, 12 staff members), 1 % key accounts (half of them without a
   responsible staff member) and 10 % of customers referred by another.
4. dashboards — each dashboard page requested through Django's full stack (middleware,
   session, template) in-process by an owner (all four branches: 1,000,000 customers) and a
   manager of one branch (about 250,000): median and p95 server time per page.

Targets (docs/benchmarks.md): fit ≥ 10 ×, pipeline ≥ 20 × faster than lifetimes; summary
< 10 s and faster than lifetimes; refresh < 2 min and < 2 GB; every dashboard page p95 < 200 ms.
Exit code 1 when one is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from liuke.bench.analytics_build import add_extras, build_database
from liuke.bench.analytics_models import END, bench_models, load

CUSTOMERS = 1_000_000
#: Bump when what the cached database holds changes.
FORMAT = 1
TARGETS = {"fit": 10.0, "pipeline": 20.0, "summary_s": 10.0, "refresh_s": 120.0, "refresh_mb": 2048}
#: Dashboard pages (url, label) and the p95 target in milliseconds; requests per page and user.
DASHBOARDS = (
    ("/analytics/", "at_risk_rfm"),
    ("/analytics/revenue/", "revenue"),
    ("/analytics/rates/", "rates"),
    ("/analytics/cohorts/", "cohorts"),
    ("/analytics/value/", "value"),
    ("/analytics/key-accounts/", "key_accounts"),
    ("/analytics/referrals/", "referrals"),
)
DASHBOARD_P95_MS = 200.0
DASHBOARD_REQUESTS = 40
#: Bump when what `add_extras` writes changes.
EXTRAS = 1


# --- the parent ---------------------------------------------------------------------------------


def run_analytics_benchmarks(*, customers: int = CUSTOMERS) -> int:
    from django.conf import settings
    from rich.console import Console

    console = Console()
    folder = Path(settings.VAR_DIR) / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    ok = True
    console.print(f"[bold]Analytics: models at {customers:,} customers, ours and lifetimes[/bold]")
    models = _child(["models", "--customers", str(customers)])
    if models is None:
        console.print("[red]The model benchmark failed.[/red]")
        ok = False
    else:
        ok &= _report_models(console, models)
    database = folder / "analytics-10m.sqlite3"
    build = _ensure_database(console, database, customers)
    if build is None:
        return 1
    console.print("[bold]Analytics: the per-customer summary by SQL, and lifetimes'[/bold]")
    summary = _child(["summary"], database)
    if summary is None:
        console.print("[red]The summary benchmark failed.[/red]")
        ok = False
    else:
        ok &= _report_summary(console, summary, build)
    if not _ensure_extras(console, database):
        return 1
    console.print("[bold]Analytics: the nightly refresh[/bold]")
    refresh = _child(["refresh"], database)
    if refresh is None:
        console.print("[red]The refresh benchmark failed.[/red]")
        ok = False
    else:
        ok &= _report_refresh(console, refresh)
    console.print("[bold]Analytics: the dashboard pages (server time)[/bold]")
    pages = _child(["dashboards"], database)
    if pages is None:
        console.print("[red]The dashboard benchmark failed.[/red]")
        ok = False
    else:
        ok &= _report_dashboards(console, pages)
    return 0 if ok else 1


def _ensure_extras(console: Any, database: Path) -> bool:
    stamp = database.with_suffix(".json")
    meta = json.loads(stamp.read_text(encoding="utf-8"))
    if meta.get("extras") == EXTRAS:
        return True
    console.print("Adding service lines, key accounts and referrals to the database …")
    extras = _child(["extras"], database)
    if extras is None:
        console.print("[red]Adding the dashboard data failed.[/red]")
        return False
    meta.update(extras=EXTRAS, extras_info=extras)
    stamp.write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return True


def _report_dashboards(console: Any, r: dict[str, Any]) -> bool:
    from rich.table import Table

    table = Table(title="Dashboard pages, server time in ms (in-process, full Django stack)")
    for column in ("page", "who", "customers", "median", "p95", "max"):
        table.add_column(column, justify="left" if column in ("page", "who") else "right")
    ok = True
    for row in r["pages"]:
        table.add_row(
            row["page"],
            row["who"],
            f"{row['customers']:,}",
            f"{row['median_ms']:.1f}",
            f"{row['p95_ms']:.1f}",
            f"{row['max_ms']:.1f}",
        )
        ok &= row["p95_ms"] < DASHBOARD_P95_MS
    console.print(table)
    for row in r["pages"]:
        print(
            f"bench analytics dashboard page={row['page']} who={row['who']} "
            f"customers={row['customers']} requests={row['requests']} "
            f"median_ms={row['median_ms']:.1f} p95_ms={row['p95_ms']:.1f} "
            f"max_ms={row['max_ms']:.1f}"
        )
    print(
        f"target every dashboard page p95 < {DASHBOARD_P95_MS:.0f} ms: {_verdict(ok)} "
        f"load={r['load']}"
    )
    return ok


def _env(database: Path | None) -> dict[str, str]:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="liuke.settings")
    if database is not None:
        env["DATABASE_URL"] = f"sqlite:///{database.resolve()}"
    return env


def _child(args: list[str], database: Path | None = None) -> dict[str, Any] | None:
    proc = subprocess.run(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-m", "liuke.bench.analytics", *args],
        env=_env(database),
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        return None
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def _ensure_database(console: Any, database: Path, customers: int) -> dict[str, Any] | None:
    stamp = database.with_suffix(".json")
    if database.exists() and stamp.exists():
        meta = json.loads(stamp.read_text(encoding="utf-8"))
        if meta.get("format") == FORMAT and meta.get("customers") == customers:
            console.print(f"Reusing {database} (built {meta['built']}).")
            return dict(meta, reused=True)
    for suffix in ("", "-wal", "-shm", ".npz"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    console.print(f"[bold]Building {database}[/bold] ({customers:,} customers, ~10M visits) …")
    meta = _child(["build", "--customers", str(customers)], database)
    if meta is None:
        console.print("[red]Building the analytics database failed.[/red]")
        return None
    meta.update(format=FORMAT, customers=customers)
    meta["built"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    stamp.write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return dict(meta, reused=False)


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def _report_models(console: Any, r: dict[str, Any]) -> bool:
    from rich.table import Table

    table = Table(title=f"BG/NBD and Gamma-Gamma at {r['customers']:,} customers (seconds)")
    for column in ("step", "ours", "lifetimes", "speed-up"):
        table.add_column(column, justify="left" if column == "step" else "right")
    fit_x = r["lifetimes"]["bgnbd_fit"] / r["ours"]["bgnbd_fit"]
    pipe_x = r["lifetimes"]["pipeline"] / r["ours"]["pipeline"]
    for step in ("bgnbd_fit", "gamma_gamma_fit", "predictions", "pipeline"):
        ours, theirs = r["ours"][step], r["lifetimes"][step]
        table.add_row(step, f"{ours:.3f}", f"{theirs:.3f}", f"{theirs / ours:.1f} ×")
    console.print(table)
    fit_ok = fit_x >= TARGETS["fit"] and r["max_param_rel_diff"] < 1e-3
    pipe_ok = pipe_x >= TARGETS["pipeline"]
    print(
        f"bench analytics customers={r['customers']} rows={r['grouped_rows']} "
        f"bgnbd_fit_ours_s={r['ours']['bgnbd_fit']:.3f} "
        f"bgnbd_fit_lifetimes_s={r['lifetimes']['bgnbd_fit']:.3f} speedup={fit_x:.1f} "
        f"pipeline_ours_s={r['ours']['pipeline']:.3f} "
        f"pipeline_lifetimes_s={r['lifetimes']['pipeline']:.3f} speedup={pipe_x:.1f}"
    )
    print(
        f"bench analytics params ours={r['params_ours']} lifetimes={r['params_lifetimes']} "
        f"max_rel_diff={r['max_param_rel_diff']:.2e} "
        f"ll_ours={r['ll_ours']:.4f} ll_lifetimes={r['ll_lifetimes']:.4f} "
        f"ll_diff={r['ll_ours'] - r['ll_lifetimes']:.4f} "
        f"gg_max_rel_diff={r['gg_max_rel_diff']:.2e} value_max_rel_diff={r['value_rel_diff']:.2e}"
    )
    print(
        f"target BG/NBD fit >= {TARGETS['fit']:.0f}x faster, params within 0.1 %: "
        f"{_verdict(fit_ok)}; pipeline >= {TARGETS['pipeline']:.0f}x: {_verdict(pipe_ok)}"
    )
    print(
        f"bench analytics cpu_s pipeline ours={r['cpu']['ours_pipeline']:.3f} "
        f"lifetimes={r['cpu']['lifetimes_pipeline']:.3f} load={r['load']} cpus={os.cpu_count()}"
    )
    return bool(fit_ok and pipe_ok)


def _report_summary(console: Any, r: dict[str, Any], build: dict[str, Any]) -> bool:
    ok = r["sql_s"] < TARGETS["summary_s"] and r["sql_s"] < r["lifetimes_s"]
    print(
        f"bench analytics summary visits={build.get('visits')} visit_days={r['visits']} "
        f"customers={r['customers']} "
        f"sql_s={r['sql_s']:.2f} (runs {', '.join(f'{s:.2f}' for s in r['sql_runs'])}) "
        f"sql_cpu_s={r['sql_cpu_s']:.2f} lifetimes_s={r['lifetimes_s']:.2f} "
        f"lifetimes_cpu_s={r['lifetimes_cpu_s']:.2f} same={r['same']} load={r['load']} "
        f"db_bytes={build.get('bytes')} build_s={build.get('seconds')}"
    )
    print(
        f"target summary of {build.get('visits') or 0:,} visits < {TARGETS['summary_s']:.0f} s "
        f"on SQLite and faster than lifetimes: {_verdict(ok)}"
    )
    return ok and bool(r["same"])


def _report_refresh(console: Any, r: dict[str, Any]) -> bool:
    ok = bool(r["seconds"] < TARGETS["refresh_s"] and r["max_rss_mb"] < TARGETS["refresh_mb"])
    steps = " ".join(f"{k}={v:.2f}" for k, v in r["steps"].items())
    print(
        f"bench analytics refresh customers={r['customers']} visit_days={r['visits']} "
        f"seconds={r['seconds']:.1f} cpu_s={r['cpu_s']:.1f} max_rss_mb={r['max_rss_mb']:.0f} "
        f"{steps} "
        f"bgnbd={r['bgnbd_status']} spend={r['spend_status']} load={r['load']}"
    )
    print(
        f"target refresh < {TARGETS['refresh_s']:.0f} s and < {TARGETS['refresh_mb']} MB: "
        f"{_verdict(ok)}"
    )
    return ok


# --- the children -------------------------------------------------------------------------------


def bench_summary() -> dict[str, Any]:
    """The SQL summary (a warm-up run, then the median of three) and lifetimes' on the same rows."""
    import warnings

    import pandas as pd
    from django.conf import settings
    from lifetimes.utils import summary_data_from_transaction_data

    from liuke.accounts.models import Business
    from liuke.analytics import queries

    warnings.simplefilter("ignore")
    business = Business.objects.get(name="基准美容")
    runs = []
    cpu = []
    result = None
    for _ in range(4):
        started, cpu_started = time.perf_counter(), time.process_time()
        result = queries.customer_summary(business_id=business.pk, observation_end=END)
        runs.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    assert result is not None
    sql_runs = runs[1:]
    data = np.load(f"{settings.DATABASES['default']['NAME']}.npz")
    frame = pd.DataFrame(
        {
            "customer": data["customer"],
            "date": data["day"].astype("datetime64[D]").astype("datetime64[ns]"),
            "amount": data["amount"],
        }
    )
    started, cpu_started = time.perf_counter(), time.process_time()
    theirs = summary_data_from_transaction_data(
        frame, "customer", "date", monetary_value_col="amount", observation_period_end=str(END)
    )
    lifetimes_s = time.perf_counter() - started
    lifetimes_cpu = time.process_time() - cpu_started
    theirs = theirs.sort_index()
    same = (
        result.customer_id.tolist() == theirs.index.tolist()
        and np.array_equal(result.summary.x, theirs.frequency.to_numpy())
        and np.array_equal(result.summary.t_x, theirs.recency.to_numpy())
        and np.array_equal(result.summary.T, theirs["T"].to_numpy())
    )
    return {
        "visits": int(result.visits),
        "customers": len(result.customer_id),
        "sql_s": float(np.median(sql_runs)),
        "sql_runs": sql_runs,
        "sql_cpu_s": float(np.median(cpu[1:])),
        "lifetimes_s": lifetimes_s,
        "lifetimes_cpu_s": lifetimes_cpu,
        "same": bool(same),
        "load": load(),
    }


def bench_dashboards() -> dict[str, Any]:
    """Each dashboard page through the test client (server time, nothing over the network)."""
    import gc

    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_test_environment

    from liuke.accounts.choices import Role
    from liuke.accounts.models import Branch, Business, User
    from liuke.analytics.models import CustomerFigures

    setup_test_environment()
    # Static files from the apps (no collectstatic manifest in the benchmark's var/).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    business = Business.objects.get(name="基准美容")
    branch = Branch.objects.filter(business=business).order_by("pk").first()
    assert branch is not None
    owner, _ = User.objects.get_or_create(
        username="bench-owner", defaults={"business": business, "role": Role.OWNER}
    )
    manager, created = User.objects.get_or_create(
        username="bench-manager", defaults={"business": business, "role": Role.MANAGER}
    )
    if created:
        manager.branches.set([branch])
    results = []
    for who, user, customers in (
        ("owner", owner, CustomerFigures.objects.filter(business=business).count()),
        ("manager", manager, CustomerFigures.objects.filter(branch=branch).count()),
    ):
        client = Client()
        client.force_login(user)
        for url, label in DASHBOARDS:
            assert client.get(url).status_code == 200  # warm-up (and a check)
            times = []
            gc.collect()
            for _ in range(DASHBOARD_REQUESTS):
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
            results.append(
                {
                    "page": label,
                    "who": who,
                    "customers": customers,
                    "requests": len(times),
                    "median_ms": float(np.median(times)),
                    "p95_ms": float(np.percentile(times, 95)),
                    "max_ms": float(np.max(times)),
                }
            )
    return {"pages": results, "load": load()}


def bench_refresh() -> dict[str, Any]:
    from liuke.accounts.models import Business
    from liuke.analytics.services import figures_refresh

    business = Business.objects.get(name="基准美容")
    started, cpu_started = time.perf_counter(), time.process_time()
    result = figures_refresh(business=business, today=END)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "customers": result.customers,
        "visits": result.visits,
        "seconds": seconds,
        "cpu_s": cpu,
        "max_rss_mb": rss,
        "steps": {k: round(v, 2) for k, v in result.seconds.items()},
        "bgnbd_status": result.run.bgnbd_status,
        "spend_status": result.run.spend_status,
        "load": load(),
    }


def _main() -> int:
    parser = argparse.ArgumentParser(prog="python -m liuke.bench.analytics")
    parser.add_argument(
        "step", choices=("models", "build", "summary", "refresh", "extras", "dashboards")
    )
    parser.add_argument("--customers", type=int, default=CUSTOMERS)
    args = parser.parse_args()
    if args.step == "models":
        print(json.dumps(bench_models(args.customers)))
        return 0
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liuke.settings")
    import django

    django.setup()
    if args.step == "build":
        print(json.dumps(build_database(args.customers)))
    elif args.step == "summary":
        print(json.dumps(bench_summary()))
    elif args.step == "extras":
        print(json.dumps(add_extras()))
    elif args.step == "dashboards":
        print(json.dumps(bench_dashboards()))
    else:
        print(json.dumps(bench_refresh()))
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())

"""Refreshing the stored figures: the nightly job and `liuke analytics refresh` call this.

One refresh per business: the summary by SQL (`queries.py`), both models (the `clv` package),
RFM and loyalty (`rfm.py`), then the business's `CustomerFigures` rows are replaced in one
transaction (bulk: executemany on SQLite, COPY on PostgreSQL) with a new `ModelRun`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from liuke.accounts import policy
from liuke.accounts.models import Business, User
from liuke.analytics import aggregates, clv, queries, rfm
from liuke.analytics.aggregates.worth import value_lost
from liuke.analytics.capabilities import AnalyticsCap
from liuke.analytics.clv.optimise import FitResult
from liuke.analytics.models import (
    BranchTotals,
    CohortCell,
    CustomerFigures,
    ModelRun,
    RefreshJob,
    RepeatRate,
    RevenueMonth,
    RfmCell,
    ValueBucket,
)
from liuke.analytics.selectors import AT_RISK_SEGMENTS
from liuke.feedback import selectors as feedback_selectors

Array = np.ndarray

#: Statuses of a refresh job that block another.
ACTIVE = (RefreshJob.Status.QUEUED, RefreshJob.Status.RUNNING)

#: Steps a refresh reports to its progress callback: (step, done, total).
Progress = Callable[[str, int, int], None]

COLUMNS = (
    "customer_id",
    "business_id",
    "branch_id",
    "run_id",
    "visits",
    "first_visit_on",
    "last_visit_on",
    "age_days",
    "spend_mean_fen",
    "total_spend_fen",
    "year_spend_fen",
    "probability_alive",
    "expected_visits_90",
    "expected_spend_fen",
    "value_fen",
    "rule_value_fen",
    "recency_score",
    "frequency_score",
    "monetary_score",
    "segment",
    "loyalty",
    "satisfaction",
    "recommend",
    "worth_fen",
    "key_account",
    "potential_key_account",
    "referred_count",
    "referred_worth_fen",
    "value_lost_fen",
)

#: The dashboards' tables, replaced with the figures (`aggregates/`).
AGGREGATE_MODELS: dict[str, type[Any]] = {
    "revenue": RevenueMonth,
    "rates": RepeatRate,
    "cohorts": CohortCell,
    "buckets": ValueBucket,
    "rfm": RfmCell,
    "totals": BranchTotals,
}


@dataclasses.dataclass(frozen=True)
class RefreshResult:
    run: ModelRun
    customers: int
    visits: int
    seconds: dict[str, float]


def figures_refresh(
    *,
    business: Business,
    today: dt.date | None = None,
    options: clv.Options | None = None,
    progress: Progress | None = None,
    chunk: int = 50_000,
) -> RefreshResult:
    """Recompute and store every customer's figures for `business` (observation ends `today`,
    the business's local day, visits of that day included)."""
    today = today or timezone.localdate()
    options = options or clv.Options()
    seconds: dict[str, float] = {}
    report = progress or (lambda step, done, total: None)

    started = time.perf_counter()
    fetched = [0]

    def fetching(rows: int) -> None:
        fetched[0] += rows
        report("summary", fetched[0], 0)  # 0: the total is not known before the end

    report("summary", 0, 0)
    data = queries.customer_summary(
        business_id=business.pk, observation_end=today, progress=fetching
    )
    seconds["summary_sql"] = time.perf_counter() - started
    n = len(data.customer_id)
    report("summary", n, n)

    started = time.perf_counter()
    report("models", 0, 1)
    analysis = clv.analyse(data.summary, options)
    seconds["models"] = time.perf_counter() - started
    report("models", 1, 1)

    started = time.perf_counter()
    scores = _scores(business.pk, today, data, analysis)
    seconds["scores"] = time.perf_counter() - started

    started = time.perf_counter()
    report("dashboards", 0, 1)
    tables, tables_lost = _dashboards(business.pk, today, data, analysis, scores)
    seconds["dashboards"] = time.perf_counter() - started
    report("dashboards", 1, 1)

    started = time.perf_counter()
    run = _store(
        business,
        today,
        data,
        analysis,
        scores,
        tables,
        tables_lost,
        chunk,
        report,
        seconds,
        started,
    )
    report("writing", n, n)
    return RefreshResult(run=run, customers=n, visits=data.visits, seconds=seconds)


def _scores(
    business_id: int, today: dt.date, data: queries.DatabaseSummary, analysis: clv.Analysis
) -> tuple[Array, Array, Array, list[str], Array, Array, Array]:
    """(R, F, M scores, RFM segment, loyalty, satisfaction, latest "would recommend")."""
    s = data.summary
    recency_days = s.T - s.t_x
    r_score = rfm.scores(recency_days, higher_is_better=False)
    f_score = rfm.scores(s.x)
    m_score = rfm.scores(s.total_spend)
    segment = rfm.segments(r_score, f_score)
    held = queries.prepaid_holders(business_id, today)
    referred = queries.referral_counts(business_id)
    ids = data.customer_id.tolist()
    said = feedback_selectors.customer_scores(business_id)
    recommend = np.array(
        [_nan(said[c].latest_recommend) if c in said else np.nan for c in ids], dtype=float
    )
    satisfied = rfm.satisfaction(
        np.array([_nan(said[c].mean_satisfaction) if c in said else np.nan for c in ids])
    )
    loyalty = rfm.loyalty(
        repeat_visits=s.x,
        tenure_days=s.t_x,
        recency_days=recency_days,
        probability_alive=analysis.probability_alive,
        prepaid=np.array([1.0 if c in held else 0.0 for c in ids]),
        referrals=np.array([referred.get(c, 0) for c in ids], dtype=float),
        recommend=recommend,
    )
    return r_score, f_score, m_score, segment, loyalty, satisfied, recommend


def _dashboards(
    business_id: int,
    today: dt.date,
    data: queries.DatabaseSummary,
    analysis: clv.Analysis,
    scores: tuple[Array, Array, Array, list[str], Array, Array, Array],
) -> tuple[aggregates.Tables, Array]:
    """The dashboards' tables, and each customer's value lost for the call list."""
    s = data.summary
    recency_days = s.T - s.t_x
    r_score, f_score, _m_score, segment = scores[:4]
    tables = aggregates.compute(
        business_id=business_id,
        observation_end=today,
        customer_id=data.customer_id,
        branch_id=data.branch_id,
        value_fen=analysis.value,
        rule_value_fen=analysis.rule_value,
        visit_days=data.visits,
        rfm_scores=(r_score, f_score),
    )
    alive_stored = np.round(analysis.probability_alive, 6)
    tables_lost = value_lost(
        segment=segment,
        visits=s.x + 1,
        age_days=s.T,
        total_spend_fen=np.rint(s.total_spend),
        recency_days=recency_days,
        probability_alive=alive_stored,
        slipping=AT_RISK_SEGMENTS,
        model_value_fen=analysis.value,
    )
    return tables, tables_lost


def _store(
    business: Business,
    today: dt.date,
    data: queries.DatabaseSummary,
    analysis: clv.Analysis,
    scores: tuple[Array, Array, Array, list[str], Array, Array, Array],
    tables: aggregates.Tables,
    tables_lost: Array,
    chunk: int,
    report: Progress,
    seconds: dict[str, float],
    started: float,
) -> ModelRun:
    """The run, every customer's figures and the dashboards' tables, replaced in one
    transaction, with the time each step took (writing counted from `started`)."""
    n = len(data.customer_id)
    result = analysis.as_json()
    params = {k: result[k] for k in ("r", "alpha", "a", "b", "p", "q", "gamma")}
    with transaction.atomic():
        run = ModelRun.objects.create(
            business=business,
            computed_at=timezone.now(),
            observation_end=today,
            customers=n,
            repeat_customers=analysis.repeat_customers,
            visits=data.visits,
            bgnbd_status=analysis.bgnbd_status,
            bgnbd_message=analysis.bgnbd_message[:300],
            spend_status=analysis.spend_status,
            spend_message=analysis.spend_message[:300],
            params=params,
            bgnbd_log_likelihood=_float(analysis.bgnbd),
            gamma_gamma_log_likelihood=_float(analysis.gamma_gamma),
            total_value_fen=_round_total(analysis.value) if analysis.bgnbd_status == "ok" else None,
            seconds={},
        )
        CustomerFigures.objects.filter(business=business).delete()
        rows = _rows(
            business.pk,
            run.pk,
            data,
            analysis,
            scores,
            tables,
            tables_lost,
            chunk,
        )
        written = 0
        for batch in rows:
            _write(batch)
            written += len(batch)
            report("writing", written, n)
        for name, model in AGGREGATE_MODELS.items():
            model.objects.filter(business=business).delete()
            model.objects.bulk_create(
                [model(business=business, **row) for row in getattr(tables, name)],
                batch_size=2_000,
            )
        seconds["write"] = time.perf_counter() - started
        seconds.update({f"model_{k}": v for k, v in analysis.seconds.items()})
        run.seconds = {k: round(v, 3) for k, v in seconds.items()}
        run.save(update_fields=["seconds"])
    return run


def _nan(value: float | None) -> float:
    return np.nan if value is None else float(value)


def _float(fit: FitResult | None) -> float | None:
    value = fit.log_likelihood if fit else None
    return float(value) if value is not None and np.isfinite(value) else None


def _round_total(values: Array) -> int | None:
    total = float(np.nansum(values))
    return round(total) if np.isfinite(total) else None


def _rows(
    business_id: int,
    run_id: int,
    data: queries.DatabaseSummary,
    analysis: clv.Analysis,
    scores: tuple[Array, Array, Array, list[str], Array, Array, Array],
    tables: aggregates.Tables,
    lost: Array,
    chunk: int,
) -> Iterator[list[tuple[Any, ...]]]:
    s = data.summary
    r_score, f_score, m_score, segment, loyalty, satisfied, recommend = scores

    def money(values: Array) -> list[int | None]:
        out = np.rint(values)
        return [None if not np.isfinite(v) else int(v) for v in out.tolist()]

    def small(values: Array) -> list[int | None]:
        return [None if not np.isfinite(v) else int(v) for v in values.tolist()]

    def floats(values: Array) -> list[float | None]:
        return [None if not np.isfinite(v) else round(v, 6) for v in values.tolist()]

    vendor_dates = connection.vendor != "sqlite"
    for start in range(0, len(data.customer_id), chunk):
        part = slice(start, start + chunk)
        first = _date_values(data.first_on[part], vendor_dates)
        last = _date_values(data.last_on[part], vendor_dates)
        yield list(
            zip(
                data.customer_id[part].tolist(),
                [business_id] * len(first),
                data.branch_id[part].tolist(),
                [run_id] * len(first),
                (s.x[part] + 1).astype(np.int64).tolist(),
                first,
                last,
                s.T[part].astype(np.int64).tolist(),
                money(s.spend_mean[part]),
                money(s.total_spend[part]),
                money(s.year_spend[part]),
                floats(analysis.probability_alive[part]),
                floats(analysis.expected_visits[part]),
                money(analysis.expected_spend[part]),
                money(analysis.value[part]),
                money(analysis.rule_value[part]),
                r_score[part].tolist(),
                f_score[part].tolist(),
                m_score[part].tolist(),
                segment[part],
                loyalty[part].tolist(),
                small(satisfied[part]),
                small(recommend[part]),
                tables.worth[part].tolist(),
                tables.key_account[part].tolist(),
                tables.potential[part].tolist(),
                tables.referred_count[part].tolist(),
                tables.referred_worth[part].tolist(),
                lost[part].tolist(),
                strict=True,
            )
        )


def _date_values(days: Array, as_dates: bool) -> list[dt.date] | list[str]:
    values: list[dt.date] | list[str]
    if as_dates:
        values = days.astype(dt.date).tolist()
    else:
        values = np.datetime_as_string(days, unit="D").tolist()
    return values


def _write(rows: list[tuple[Any, ...]]) -> None:
    table = CustomerFigures._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor
            with raw.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(COLUMNS))
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({marks})",  # noqa: S608
                rows,
            )


def refresh_all(*, progress: Progress | None = None) -> list[RefreshResult]:
    """Every business, one after the other (the nightly job)."""
    return [
        figures_refresh(business=business, progress=progress)
        for business in Business.objects.order_by("pk")
    ]


# --- A refresh asked for from the dashboard (a huey job with its progress in a row) ------------

#: A queued or running job older than this is taken as abandoned (its consumer died).
JOB_STALE = dt.timedelta(minutes=30)
#: Where each step of a refresh starts and ends on the progress bar (percent).
STEP_SPAN = {
    "summary": (2, 40),
    "models": (40, 55),
    "dashboards": (55, 70),
    "writing": (70, 99),
}


def refresh_request(*, actor: User) -> tuple[RefreshJob, bool]:
    """Queue a refresh of the actor's business; (job, started). While one is queued or running,
    that one is returned and nothing new is started (a unique constraint decides, so two
    clicks on two app servers cannot start two)."""
    policy.require(actor, AnalyticsCap.ANALYTICS_REFRESH)
    business_id = policy.business_of(actor)
    now = timezone.now()
    active = RefreshJob.objects.filter(business_id=business_id, status__in=ACTIVE)
    active.filter(requested_at__lt=now - JOB_STALE).update(
        status=RefreshJob.Status.FAILED, finished_at=now, error="abandoned"
    )
    try:
        with transaction.atomic():
            job = RefreshJob.objects.create(
                business_id=business_id, requested_by=actor, requested_at=now
            )
    except IntegrityError:
        running = active.order_by("-requested_at").first()
        if running is None:  # finished between the insert and this read: ask again
            return refresh_request(actor=actor)
        return running, False
    from liuke.analytics.tasks import figures_refresh_job

    transaction.on_commit(lambda: figures_refresh_job(job.pk))
    return job, True


def refresh_job_run(job_id: int) -> str:
    """What the job consumer runs: the refresh, with its progress written to the job row."""
    started = RefreshJob.objects.filter(pk=job_id, status=RefreshJob.Status.QUEUED).update(
        status=RefreshJob.Status.RUNNING, started_at=timezone.now(), step="summary", percent=1
    )
    if not started:
        return "skipped"
    job = RefreshJob.objects.select_related("business").get(pk=job_id)
    previous = ModelRun.objects.filter(business=job.business).order_by("-computed_at").first()
    expected = max(previous.customers if previous else 0, 1)
    shown = [1]

    def progress(step: str, done: int, total: int) -> None:
        lo, hi = STEP_SPAN.get(step, (shown[0], shown[0]))
        share = min(done / (total or expected), 1.0) if (total or step == "summary") else 0.0
        percent = max(shown[0], int(lo + (hi - lo) * share))
        if percent != shown[0]:
            shown[0] = percent
            RefreshJob.objects.filter(pk=job_id).update(step=step, percent=percent)

    try:
        figures_refresh(business=job.business, progress=progress)
    except Exception as error:  # reported on the page; the old figures stay
        RefreshJob.objects.filter(pk=job_id).update(
            status=RefreshJob.Status.FAILED,
            finished_at=timezone.now(),
            error=type(error).__name__[:300],
        )
        raise
    RefreshJob.objects.filter(pk=job_id).update(
        status=RefreshJob.Status.DONE, finished_at=timezone.now(), step="", percent=100
    )
    return "done"


def refresh_status(*, actor: User) -> RefreshJob | None:
    """The business's latest requested refresh (for the progress bar)."""
    policy.require(actor, AnalyticsCap.ANALYTICS_VIEW)
    return (
        RefreshJob.objects.filter(business_id=policy.business_of(actor))
        .order_by("-requested_at", "-pk")
        .first()
    )

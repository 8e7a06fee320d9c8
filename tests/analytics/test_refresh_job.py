"""The refresh from the dashboard: a real huey job (enqueued when the request's transaction
commits, taken from the queue and executed as the consumer does), its progress in a row, one at
a time per business.

The test database wraps each test in a transaction, so the on-commit callbacks (the enqueue) are
captured and run by pytest-django's `django_capture_on_commit_callbacks` — the same callbacks
Django runs after a real commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from django.test import Client
from django.utils import timezone
from huey.contrib import djhuey
from huey.contrib.djhuey import HUEY
from huey.storage import MemoryStorage
from pytest_django import DjangoCaptureOnCommitCallbacks
from tests.analytics.test_refresh import visits_make
from tests.factories import customer_make

from liuke.accounts.models import Branch, Business, User
from liuke.analytics.models import ModelRun, RefreshJob, RepeatRate

pytestmark = pytest.mark.django_db


#: POST as a browser does (the `post` fixture).
Post = Callable[..., Any]


@pytest.fixture
def queue(monkeypatch: pytest.MonkeyPatch) -> MemoryStorage:
    """The project's huey instance with an in-memory queue of its own (not var/huey.sqlite3)."""
    storage = MemoryStorage(HUEY.name)
    monkeypatch.setattr(HUEY, "storage", storage)
    # The consumer recycles database connections around a task (djhuey's close_db). Here the
    # task runs on the test's own connection, inside the test's transaction: closing it would
    # end the test (PostgreSQL), so that step alone is left out.
    monkeypatch.setattr(djhuey, "close_old_connections", lambda: None)
    return storage


@pytest.fixture
def post(django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> Post:
    """POST as a browser does; what the view queued on commit is enqueued."""

    def send(client: Client, url: str, data: dict[str, Any] | None = None) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {})

    return send


@pytest.fixture
def archive(owner: User, branch_a: Branch) -> list[Any]:
    customers = [customer_make(actor=owner, branch=branch_a, name=f"客{i}") for i in range(40)]
    visits_make(customers, np.random.default_rng(3), per_customer=5)
    return customers


def _run_consumer_once() -> object:
    task = HUEY.dequeue()
    assert task is not None
    return HUEY.execute(task)


def test_refresh_is_queued_once_and_run_by_the_consumer(
    queue: MemoryStorage,
    post: Post,
    archive: list[Any],
    owner_client: Client,
    manager_a_client: Client,
    business: Business,
) -> None:
    response = post(owner_client, "/analytics/refresh/", {"next": "/analytics/revenue/"})
    assert response.status_code == 302
    assert response["Location"] == "/analytics/revenue/"
    job = RefreshJob.objects.get()
    assert job.status == "queued"
    assert HUEY.pending_count() == 1
    # a second click (by someone else, too) while it is queued starts nothing new
    post(manager_a_client, "/analytics/refresh/")
    post(owner_client, "/analytics/refresh/")
    assert RefreshJob.objects.count() == 1
    assert HUEY.pending_count() == 1
    page = owner_client.get("/analytics/").content.decode()
    assert 'data-active="1"' in page
    assert 'id="refresh-button" disabled' in page
    assert owner_client.get("/analytics/refresh/status/").json()["status"] == "queued"

    assert _run_consumer_once() == "done"
    job.refresh_from_db()
    assert (job.status, job.percent) == ("done", 100)
    assert job.started_at is not None
    assert job.finished_at is not None
    assert ModelRun.objects.filter(business=business).count() == 1
    assert RepeatRate.objects.filter(business=business).exists()
    status = owner_client.get("/analytics/refresh/status/").json()
    assert (status["status"], status["percent"]) == ("done", 100)
    # and now a new one may start
    post(owner_client, "/analytics/refresh/")
    assert RefreshJob.objects.filter(status="queued").count() == 1
    assert HUEY.pending_count() == 1


def test_progress_is_written_while_it_runs(
    queue: MemoryStorage, post: Post, archive: list[Any], owner_client: Client
) -> None:
    seen: list[tuple[str, int]] = []
    from liuke.analytics import services

    real = services.figures_refresh

    def watching(**kwargs: Any) -> Any:
        report = kwargs["progress"]

        def progress(step: str, done: int, total: int) -> None:
            report(step, done, total)
            job = RefreshJob.objects.get()
            seen.append((job.step, job.percent))

        return real(**{**kwargs, "progress": progress})

    services.figures_refresh = watching
    try:
        post(owner_client, "/analytics/refresh/")
        _run_consumer_once()
    finally:
        services.figures_refresh = real
    percents = [p for _s, p in seen]
    assert percents == sorted(percents)  # never backwards
    assert {"summary", "models", "dashboards", "writing"} <= {s for s, _p in seen}
    assert 1 < percents[0] < percents[-1] < 100
    assert RefreshJob.objects.get().percent == 100


def test_who_may_refresh(
    queue: MemoryStorage,
    post: Post,
    archive: list[Any],
    auditor_client: Client,
    front_a_client: Client,
) -> None:
    assert post(auditor_client, "/analytics/refresh/").status_code == 404
    assert post(front_a_client, "/analytics/refresh/").status_code == 404
    assert front_a_client.get("/analytics/refresh/status/").status_code == 404
    assert auditor_client.get("/analytics/refresh/status/").json()["status"] == "none"
    assert not RefreshJob.objects.exists()
    assert HUEY.pending_count() == 0
    assert 'id="refresh-button"' not in auditor_client.get("/analytics/").content.decode()


def test_an_abandoned_job_does_not_block_for_ever(
    queue: MemoryStorage, post: Post, archive: list[Any], owner_client: Client
) -> None:
    post(owner_client, "/analytics/refresh/")
    HUEY.dequeue()  # the consumer died with it
    # half an hour later (the job's clock moved back: the login session would time out)
    RefreshJob.objects.update(requested_at=timezone.now() - dt.timedelta(minutes=31))
    post(owner_client, "/analytics/refresh/")
    assert list(RefreshJob.objects.order_by("pk").values_list("status", "error")) == [
        ("failed", "abandoned"),
        ("queued", ""),
    ]
    assert _run_consumer_once() == "done"


def test_a_job_run_twice_runs_once(
    queue: MemoryStorage, post: Post, archive: list[Any], owner_client: Client
) -> None:
    from liuke.analytics.tasks import figures_refresh_job

    post(owner_client, "/analytics/refresh/")
    job = RefreshJob.objects.get()
    assert _run_consumer_once() == "done"
    assert figures_refresh_job.call_local(job.pk) == "skipped"
    assert ModelRun.objects.count() == 1

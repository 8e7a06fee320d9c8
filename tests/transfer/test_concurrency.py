"""Two imports of overlapping files at the same instant, each in its own thread and
transaction: every person is in the archive once.

On PostgreSQL (the chunks take the business's row lock in turn). SQLite's writers queue on the
database's write lock at BEGIN (IMMEDIATE transactions), so the same interleaving cannot happen
there; its test database is one in-memory file shared by the threads, which cannot hold two
writers at all (tests/concurrency.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db.models import Count
from tests.concurrency import run_at_once
from tests.transfer.helpers import csv_file

from liuke.accounts.models import Branch, User
from liuke.customers.models import Customer
from liuke.transfer import services
from liuke.transfer.models import ImportBatch

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.postgres_only,
]


def _checked(actor: User, path: Path) -> ImportBatch:
    batch = services.batch_upload(actor=actor, path=path, name=path.name, kind="customers")
    services.batch_map(actor=actor, batch_id=batch.pk, mapping=batch.mapping)
    return services.batch_check(batch_id=batch.pk)


def test_two_imports_of_overlapping_files_create_no_duplicates(
    tmp_path: Path, owner: User, manager_a: User, branch_a: Branch, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given two files that share 150 of their 300 people, checked (neither person exists yet)
    monkeypatch.setattr(services, "CHUNK", 25)  # many chunks, so the two interleave
    people = [[f"客户{i}", f"1380000{i:04d}"] for i in range(450)]
    first = _checked(owner, csv_file(tmp_path / "a.csv", [["姓名", "手机"], *people[:300]]))
    second = _checked(manager_a, csv_file(tmp_path / "b.csv", [["姓名", "手机"], *people[150:]]))
    assert (first.new_count, second.new_count) == (300, 300)

    # when both are imported at once
    outcomes = run_at_once(
        [
            lambda: services.batch_import(batch_id=first.pk),
            lambda: services.batch_import(batch_id=second.pk),
        ]
    )

    # then both finish, and each of the 450 people is one customer
    assert [o.status for o in outcomes] == ["done", "done"], outcomes
    assert Customer.objects.count() == 450
    repeated = Customer.objects.values("mobile").annotate(n=Count("id")).filter(n__gt=1)
    assert list(repeated) == []
    assert sum(o.created_count for o in outcomes) == 450

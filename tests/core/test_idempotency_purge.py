"""Old idempotency keys are forgotten by the nightly purge; recent ones still replay."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from liuke.core import idempotency
from liuke.core.models import IdempotencyRecord
from liuke.core.tasks import nightly_idempotency_purge


def _record(key: str, age: timedelta) -> None:
    record = IdempotencyRecord.objects.create(
        user_id=1, key=key, fingerprint="f" * 64, status_code=201, response={"id": 1}
    )
    # auto_now_add ignores a given value: age the row afterwards.
    IdempotencyRecord.objects.filter(pk=record.pk).update(created_at=timezone.now() - age)


@pytest.mark.django_db
@override_settings(LIUKE_IDEMPOTENCY_DAYS=7)
def test_the_purge_forgets_only_the_keys_older_than_the_window(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(idempotency, "PURGE_BATCH", 2)  # several batches
    for i in range(5):
        _record(f"old-key-{i:04}", timedelta(days=8))
    _record("recent-key-1", timedelta(days=6, hours=23))
    _record("fresh-key-01", timedelta(minutes=1))
    assert nightly_idempotency_purge.call_local() == 5
    assert sorted(IdempotencyRecord.objects.values_list("key", flat=True)) == [
        "fresh-key-01",
        "recent-key-1",
    ]
    assert idempotency.purge_expired() == 0

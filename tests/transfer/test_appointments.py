"""Future appointments imported through the appointment book's own service: conflicts and
the book's other refusals are row errors; re-runs; undo."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from tests.appointments.helpers import Salon, at, salon_make
from tests.transfer.helpers import csv_file, run_import

from liuke.accounts.models import Branch, User
from liuke.appointments.models import Appointment
from liuke.core.errors import ServiceError
from liuke.transfer import services
from liuke.transfer.errors import TransferErrorCode
from liuke.transfer.models import ImportIssue

HEAD = ["预约单号", "手机", "预约时间", "预约项目", "服务员工", "备注"]


def _file(tmp_path: Path, rows: Sequence[Sequence[object]], name: str = "a.csv") -> Path:
    return csv_file(tmp_path / name, [HEAD, *rows])


@pytest.fixture
def salon(owner: User, branch_a: Branch, branch_b: Branch, beautician_a: User) -> Salon:
    made = salon_make(owner=owner, branch=branch_a, other_branch=branch_b, beautician=beautician_a)
    made.customer.mobile = "13800138000"
    made.customer.save(update_fields=["mobile"])
    return made


def _when(salon: Salon, days: int, hour: int) -> str:
    return f"{at(salon.branch, days, hour):%Y-%m-%d %H:%M}"


def test_appointments_are_booked_and_a_conflict_is_the_rows_error(
    tmp_path: Path, owner: User, salon: Salon
) -> None:
    lin, facial = salon.lin.display_name, salon.facial.name
    path = _file(
        tmp_path,
        [
            ["Y1", "13800138000", _when(salon, 2, 10), facial, lin, "指定小林"],
            ["Y2", "13800138000", _when(salon, 2, 10), facial, lin, ""],  # the same slot
            ["Y3", "13800138000", _when(salon, -2, 10), facial, lin, ""],  # already past
            ["Y4", "13800138000", _when(salon, 3, 10), "热石", lin, ""],  # no such service
            ["Y5", "13800138000", _when(salon, 3, 10), facial, "无名", ""],  # no such staff
        ],
    )
    batch = run_import(owner, path, kind="appointments")

    assert (batch.created_count, batch.error_count) == (1, 4), batch.failure
    booked = Appointment.objects.get()
    assert (booked.customer_id, booked.starts_at, booked.notes) == (
        salon.customer.pk,
        at(salon.branch, 2, 10),
        "指定小林",
    )
    assert booked.items.get().staff_id == salon.lin.pk
    issues = {i.row_no for i in ImportIssue.objects.filter(batch=batch)}
    assert issues == {3, 4, 5, 6}


def test_a_rerun_finds_the_appointment_and_refuses_another_time(
    tmp_path: Path, owner: User, salon: Salon
) -> None:
    row = ["Y1", "13800138000", _when(salon, 2, 10), salon.facial.name, salon.lin.display_name, ""]
    run_import(owner, _file(tmp_path, [row]), kind="appointments")
    same = run_import(owner, _file(tmp_path, [row], "same.csv"), kind="appointments")
    assert (same.created_count, same.unchanged_count, same.error_count) == (0, 1, 0)
    moved = [*row[:2], _when(salon, 2, 11), *row[3:]]
    other = run_import(owner, _file(tmp_path, [moved], "other.csv"), kind="appointments")
    assert (other.created_count, other.error_count) == (0, 1)
    assert Appointment.objects.get().starts_at == at(salon.branch, 2, 10)


def test_undo_removes_booked_appointments_but_not_history(
    tmp_path: Path, owner: User, salon: Salon
) -> None:
    row = ["Y1", "13800138000", _when(salon, 2, 10), salon.facial.name, salon.lin.display_name, ""]
    batch = run_import(owner, _file(tmp_path, [row]), kind="appointments")
    services.batch_undo(actor=owner, batch_id=batch.pk)
    assert Appointment.objects.count() == 0

    batch = run_import(owner, _file(tmp_path, [row], "again.csv"), kind="appointments")
    Appointment.objects.update(status="cancelled")
    with pytest.raises(ServiceError) as caught:
        services.batch_undo(actor=owner, batch_id=batch.pk)
    assert caught.value.code == TransferErrorCode.UNDO_BLOCKED

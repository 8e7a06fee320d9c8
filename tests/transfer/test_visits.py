"""Visit history imported: marked imported, paid on its own day (not a sale of today), seen by
the value analytics, services and staff by name, re-runs, bad rows, undo."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pytest
from django.utils import timezone
from tests.factories import customer_make
from tests.transfer.helpers import csv_file, run_import

from liuke.accounts.models import Branch, Business, User
from liuke.analytics.queries import customer_summary
from liuke.core.errors import ServiceError
from liuke.customers.models import Customer
from liuke.sales.choices import PaymentMethod, ServiceCategory
from liuke.sales.models import Payment, Refund, Service, Visit, VisitLine
from liuke.transfer import services
from liuke.transfer.errors import TransferErrorCode
from liuke.transfer.models import ImportIssue

HEAD = ["单号", "手机", "消费时间", "服务项目", "服务员工", "消费金额", "支付方式", "门店"]


def _file(tmp_path: Path, rows: Sequence[Sequence[object]], name: str = "v.csv") -> Path:
    return csv_file(tmp_path / name, [HEAD, *rows])


def _service(business: Business, name: str, price: int) -> Service:
    return Service.objects.create(
        business=business,
        category=ServiceCategory.FACIAL,
        name=name,
        duration_min=60,
        price_fen=price,
    )


@pytest.fixture
def zhang(owner: User, branch_a: Branch, business: Business) -> Customer:
    _service(business, "补水护理", 20000)
    _service(business, "肩颈按摩", 10000)
    return customer_make(actor=owner, name="张丽", mobile="13800138000")


def test_a_past_visit_comes_in_marked_imported_and_paid_on_its_own_day(
    tmp_path: Path, owner: User, zhang: Customer, branch_b: Branch, beautician_a: User
) -> None:
    staff = beautician_a.display_name
    path = _file(
        tmp_path,
        [
            ["S1", "13800138000", "2024-01-05 14:30", "补水护理、肩颈按摩", staff, "¥300.01",
             "微信", branch_b.name],
            ["S2", "13800138000", "2024/3/1", "补水护理", "", "0", "", ""],
        ],
    )  # fmt: skip
    batch = run_import(owner, path, kind="visits")

    assert (batch.created_count, batch.error_count) == (2, 0), batch.failure
    first = Visit.objects.get(visited_on=dt.date(2024, 1, 5))
    assert (first.imported, first.customer_id, first.branch_id) == (True, zhang.pk, branch_b.pk)
    assert timezone.localtime(first.visited_at).strftime("%H:%M") == "14:30"
    lines = list(VisitLine.objects.filter(visit=first).order_by("pk"))
    # the amount shared out by the services' list prices (2 : 1), to the fen
    assert [line.amount_fen for line in lines] == [20000, 10001]
    assert {line.staff_id for line in lines} == {beautician_a.pk}
    payment = Payment.objects.get(visit=first)
    assert (payment.method, payment.amount_fen) == (PaymentMethod.WECHAT, 30001)
    # paid on the day of the visit: nothing among today's payments
    assert timezone.localdate(payment.created_at) == dt.date(2024, 1, 5)
    today = timezone.localdate()
    assert not Payment.objects.filter(created_at__date=today).exists()
    second = Visit.objects.get(visited_on=dt.date(2024, 3, 1))
    assert (second.total_fen, Payment.objects.filter(visit=second).count()) == (0, 0)


def test_the_value_analytics_see_imported_visits(
    tmp_path: Path, owner: User, zhang: Customer
) -> None:
    path = _file(tmp_path, [["S1", "13800138000", "2024-01-05", "补水护理", "", "388", "现金", ""]])
    run_import(owner, path, kind="visits")
    found = customer_summary(business_id=zhang.business_id, observation_end=timezone.localdate())
    assert (list(found.customer_id), found.visits) == ([zhang.pk], 1)
    assert str(found.first_on[0]) == "2024-01-05"


def test_a_rerun_finds_the_visits_and_refuses_one_that_now_says_otherwise(
    tmp_path: Path, owner: User, zhang: Customer
) -> None:
    row = ["S1", "13800138000", "2024-01-05", "补水护理", "", "388", "现金", ""]
    run_import(owner, _file(tmp_path, [row]), kind="visits")
    same = run_import(owner, _file(tmp_path, [row], "same.csv"), kind="visits")
    assert (same.created_count, same.unchanged_count, same.error_count) == (0, 1, 0)

    other = run_import(
        owner, _file(tmp_path, [[*row[:5], "400", *row[6:]]], "o.csv"), kind="visits"
    )

    assert (other.created_count, other.updated_count, other.error_count) == (0, 0, 1)
    assert list(Visit.objects.values_list("total_fen", flat=True)) == [38800]


def test_bad_visit_rows_say_why(tmp_path: Path, owner: User, zhang: Customer) -> None:
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    path = _file(
        tmp_path,
        [
            ["S1", "13800138000", future, "补水护理", "", "388", "现金", ""],  # in the future
            ["S2", "13800138000", "2024-01-05", "热石", "", "388", "现金", ""],  # no such service
            ["S3", "13800138000", "2024-01-05", "补水护理", "无名", "388", "现金", ""],  # no staff
            ["S4", "13800138000", "2024-01-05", "补水护理", "", "388", "比特币", ""],  # method
            ["S5", "13800138000", "2024-01-05", "补水护理", "", "388", "", ""],  # no method
            ["S6", "13900000000", "2024-01-05", "补水护理", "", "388", "现金", ""],  # nobody
            ["S7", "13800138000", "", "补水护理", "", "388", "现金", ""],  # no day
        ],
    )
    batch = run_import(owner, path, kind="visits")
    assert (batch.created_count, batch.error_count) == (0, 7)
    rows = set(ImportIssue.objects.filter(batch=batch).values_list("row_no", flat=True))
    assert rows == {2, 3, 4, 5, 6, 7, 8}
    assert Visit.objects.count() == 0


def test_undo_removes_the_visits_until_one_is_refunded(
    tmp_path: Path, owner: User, zhang: Customer
) -> None:
    row = ["S1", "13800138000", "2024-01-05", "补水护理", "", "388", "现金", ""]
    batch = run_import(owner, _file(tmp_path, [row]), kind="visits")
    services.batch_undo(actor=owner, batch_id=batch.pk)
    assert (Visit.objects.count(), VisitLine.objects.count(), Payment.objects.count()) == (0, 0, 0)

    batch = run_import(owner, _file(tmp_path, [row], "again.csv"), kind="visits")
    visit = Visit.objects.get()
    Refund.objects.create(
        business_id=visit.business_id, visit=visit, amount_fen=100, reason="other"
    )
    with pytest.raises(ServiceError) as caught:
        services.batch_undo(actor=owner, batch_id=batch.pk)
    assert caught.value.code == TransferErrorCode.UNDO_BLOCKED
    assert Visit.objects.filter(pk=visit.pk).exists()

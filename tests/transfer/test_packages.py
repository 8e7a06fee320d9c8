"""Treatment packages imported: sessions left as an opening MIGRATED entry, services by name or
by the template of the same name, expiry, re-runs, bad rows, undo."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pytest
from tests.factories import customer_make
from tests.transfer.helpers import csv_file, run_import

from liuke.accounts.models import Branch, Business, User
from liuke.core.errors import ServiceError
from liuke.customers.models import Customer
from liuke.sales import ledger
from liuke.sales.choices import PackageEntryKind, ServiceCategory
from liuke.sales.models import Package, PackageEntry, PackageTemplate, Payment, Service
from liuke.transfer import services
from liuke.transfer.errors import TransferErrorCode
from liuke.transfer.models import ImportIssue

HEAD = ["套餐编号", "手机", "套餐名称", "服务项目", "剩余次数", "总次数", "购买金额", "到期日"]


def _file(tmp_path: Path, rows: Sequence[Sequence[object]], name: str = "p.csv") -> Path:
    return csv_file(tmp_path / name, [HEAD, *rows])


def _service(business: Business, name: str) -> Service:
    return Service.objects.create(
        business=business,
        category=ServiceCategory.FACIAL,
        name=name,
        duration_min=60,
        price_fen=38800,
    )


@pytest.fixture
def zhang(owner: User, branch_a: Branch) -> Customer:
    return customer_make(actor=owner, name="张丽", mobile="13800138000")


def test_a_package_comes_in_with_its_sessions_left_as_an_opening_entry(
    tmp_path: Path, business: Business, owner: User, zhang: Customer
) -> None:
    hydra, massage = _service(business, "补水护理"), _service(business, "肩颈按摩")
    template = PackageTemplate.objects.create(
        business=business, name="肩颈10次", sessions=10, price_fen=100000
    )
    template.services.set([massage])
    path = _file(
        tmp_path,
        [
            [
                "P1",
                "13800138000",
                "补水10次卡",
                "补水护理、肩颈按摩",
                "6次",
                "10",
                "2980",
                "2027-3-1",
            ],
            ["", "13800138000", "肩颈10次", "", "3", "", "", ""],
        ],
    )
    batch = run_import(owner, path, kind="packages")

    assert (batch.created_count, batch.error_count) == (2, 0), batch.failure
    first = Package.objects.get(name="补水10次卡")
    assert (first.customer_id, first.sessions_total, first.price_fen) == (zhang.pk, 10, 298000)
    assert (first.expires_on, ledger.package_remaining(first)) == (dt.date(2027, 3, 1), 6)
    assert set(first.services.all()) == {hydra, massage}
    second = Package.objects.get(name="肩颈10次")
    assert list(second.services.all()) == [massage]  # the template's services
    assert (second.sessions_total, ledger.package_remaining(second)) == (3, 3)
    kinds = set(PackageEntry.objects.values_list("kind", flat=True))
    assert kinds == {PackageEntryKind.MIGRATED}
    assert Payment.objects.count() == 0


def test_a_rerun_changes_nothing_then_restates_the_sessions_left(
    tmp_path: Path, business: Business, owner: User, zhang: Customer
) -> None:
    _service(business, "补水护理")
    row = ["P1", "13800138000", "补水10次卡", "补水护理", "6", "10", "", ""]
    run_import(owner, _file(tmp_path, [row]), kind="packages")
    same = run_import(owner, _file(tmp_path, [row], "same.csv"), kind="packages")
    assert (same.created_count, same.updated_count, same.unchanged_count) == (0, 0, 1)

    fewer = run_import(
        owner, _file(tmp_path, [[*row[:4], "4", *row[5:]]], "4.csv"), kind="packages"
    )

    assert (fewer.created_count, fewer.updated_count) == (0, 1)
    package = Package.objects.get()
    assert ledger.package_remaining(package) == 4
    assert list(PackageEntry.objects.values_list("sessions_delta", flat=True)) == [6, -2]


def test_bad_package_rows_say_why(
    tmp_path: Path, business: Business, owner: User, zhang: Customer
) -> None:
    _service(business, "补水护理")
    path = _file(
        tmp_path,
        [
            ["P1", "13800138000", "补水", "补水护理", "0", "", "", ""],  # nothing left
            ["P2", "13800138000", "补水", "补水护理", "5", "3", "", ""],  # more left than bought
            ["P3", "13800138000", "补水", "热石", "5", "", "", ""],  # no such service
            ["P4", "13800138000", "无模板", "", "5", "", "", ""],  # no services, no template
            ["P5", "13900000000", "补水", "补水护理", "5", "", "", ""],  # nobody has the mobile
            ["P6", "13800138000", "补水", "补水护理", "五次", "", "", ""],  # not a number
            ["P7", "13800138000", "补水", "补水护理", "5", "", "", ""],
            ["P7", "13800138000", "补水", "补水护理", "5", "", "", ""],  # the same package twice
        ],
    )
    batch = run_import(owner, path, kind="packages")

    assert (batch.created_count, batch.error_count) == (1, 7)
    rows = set(ImportIssue.objects.filter(batch=batch).values_list("row_no", flat=True))
    assert rows == {2, 3, 4, 5, 6, 7, 9}
    assert Package.objects.count() == 1


def test_undo_removes_the_packages_it_opened(
    tmp_path: Path, business: Business, owner: User, zhang: Customer
) -> None:
    _service(business, "补水护理")
    path = _file(tmp_path, [["P1", "13800138000", "补水", "补水护理", "5", "", "", ""]])
    batch = run_import(owner, path, kind="packages")
    assert Package.objects.count() == 1
    services.batch_undo(actor=owner, batch_id=batch.pk)
    assert (Package.objects.count(), PackageEntry.objects.count()) == (0, 0)


def test_undo_is_refused_once_a_session_is_used(
    tmp_path: Path, business: Business, owner: User, zhang: Customer
) -> None:
    _service(business, "补水护理")
    path = _file(tmp_path, [["P1", "13800138000", "补水", "补水护理", "5", "", "", ""]])
    batch = run_import(owner, path, kind="packages")
    package = Package.objects.get()
    ledger.package_append(package, kind=PackageEntryKind.USE, delta=-1, actor=owner)
    with pytest.raises(ServiceError) as caught:
        services.batch_undo(actor=owner, batch_id=batch.pk)
    assert caught.value.code == TransferErrorCode.UNDO_BLOCKED
    assert Package.objects.filter(pk=package.pk).exists()

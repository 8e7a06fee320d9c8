"""Customers imported: dry run, import, re-run, matching, bad rows, undo, rights, audit."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from tests.factories import customer_make
from tests.factories.sales import visit_make
from tests.transfer.helpers import csv_file, run_import

from liuke.accounts.models import Branch, User
from liuke.audit.models import AuditEvent
from liuke.core.errors import ServiceError
from liuke.customers.choices import ChangeKind
from liuke.customers.models import Customer, FieldChange
from liuke.sales.models import Visit
from liuke.transfer import services
from liuke.transfer.choices import BatchStatus
from liuke.transfer.errors import TransferErrorCode
from liuke.transfer.kinds.customers import COLUMNS
from liuke.transfer.models import ImportIssue

HEAD: list[object] = [
    "会员编号",
    "客户姓名",
    "手机号",
    "性别",
    "出生日期",
    "会员卡号",
    "门店",
    "标签",
    "肤质",
    "推荐人",
    "备注",
]


def _label(key: str) -> str:
    return next(c.label for c in COLUMNS if c.key == key)


def _rows(branch: Branch) -> list[list[object]]:
    return [
        HEAD,
        ["K1", "张丽", "+86 138 0013 8000", "女", "1990/5/12", "a1001", branch.name,
         "VIP、敏感肌", "干性", "", ""],
        ["K2", "王芳", "139-0013-9000", "F", "1月5日", "A1002", "", "学生", "", "A1001", ""],
        ["K3", "李娜", "021-6234 5678", "女", "2024年13月1日", "", "", "", "", "", ""],
        ["K4", "", "13700137000", "男", "", "", "", "", "", "", ""],
        ["K5", "赵敏", "13600136000", "猫", "", "", "火星店", "", "", "", ""],
    ]  # fmt: skip


def test_the_dry_run_counts_and_writes_nothing(
    tmp_path: Path, owner: User, branch_a: Branch
) -> None:
    batch = run_import(owner, csv_file(tmp_path / "c.csv", _rows(branch_a)), dry_run=True)
    assert batch.status == BatchStatus.CHECKED
    assert (batch.total_rows, batch.new_count, batch.match_count, batch.error_count) == (5, 2, 0, 3)
    assert [p["name"] for p in batch.preview] == ["张丽", "王芳"]
    assert Customer.objects.count() == 0


def test_an_import_stores_every_value_as_the_archive_keeps_it(
    tmp_path: Path, owner: User, branch_a: Branch, branch_b: Branch
) -> None:
    batch = run_import(owner, csv_file(tmp_path / "c.csv", _rows(branch_b)))
    assert batch.status == BatchStatus.DONE
    assert (batch.created_count, batch.updated_count, batch.error_count) == (2, 0, 3)
    zhang = Customer.objects.get(name="张丽")
    assert (zhang.mobile, zhang.gender, zhang.birthday, zhang.card_no) == (
        "13800138000", "F", dt.date(1990, 5, 12), "A1001",
    )  # fmt: skip
    assert (zhang.branch_id, zhang.skin_type, zhang.name_pinyin, zhang.mobile_last4) == (
        branch_b.pk, "dry", "zhangli", "8000",
    )  # fmt: skip
    assert sorted(zhang.tags.values_list("name", flat=True)) == ["VIP", "敏感肌"]
    wang = Customer.objects.get(name="王芳")
    assert (wang.referrer_id, wang.birthday, wang.branch_id) == (zhang.pk, None, branch_a.pk)
    assert "1月5日" in wang.notes
    assert FieldChange.objects.filter(customer=zhang, kind=ChangeKind.IMPORT).count() == 1


def test_every_bad_row_is_reported_with_row_column_and_reason(
    tmp_path: Path, owner: User, branch_a: Branch
) -> None:
    batch = run_import(owner, csv_file(tmp_path / "c.csv", _rows(branch_a)))
    issues = {i.row_no: dict(i.problems) for i in ImportIssue.objects.filter(batch=batch)}
    assert set(issues) == {4, 5, 6}
    assert list(issues[4]) == [_label("birthday")]
    assert list(issues[5]) == [_label("name")]
    assert sorted(issues[6]) == sorted([_label("gender"), _label("branch")])
    assert ImportIssue.objects.get(batch=batch, row_no=6).cells[1] == "赵敏"


def test_the_kept_upload_is_deleted_once_imported(
    tmp_path: Path, owner: User, branch_a: Branch
) -> None:
    checked = run_import(owner, csv_file(tmp_path / "c.csv", _rows(branch_a)), dry_run=True)
    kept = Path(checked.stored_path)
    assert kept.exists()
    batch = services.batch_import(batch_id=checked.pk)
    assert (kept.exists(), batch.stored_path) == (False, "")


def test_a_rerun_of_the_same_file_changes_nothing(
    tmp_path: Path, owner: User, branch_a: Branch
) -> None:
    path = csv_file(tmp_path / "c.csv", _rows(branch_a))
    run_import(owner, path)
    history = FieldChange.objects.count()
    again = run_import(owner, path)
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 2)
    assert Customer.objects.count() == 2
    assert FieldChange.objects.count() == history


def test_a_changed_row_updates_the_customer_and_its_history_says_imported(
    tmp_path: Path, owner: User, branch_a: Branch
) -> None:
    rows = _rows(branch_a)[:2]
    run_import(owner, csv_file(tmp_path / "a.csv", rows))
    rows[1][1], rows[1][2] = "张丽丽", "13800138001"  # the source id K1 keeps it the same customer
    batch = run_import(owner, csv_file(tmp_path / "b.csv", rows))
    assert (batch.created_count, batch.updated_count) == (0, 1)
    customer = Customer.objects.get()
    assert (customer.name, customer.mobile, customer.name_pinyin) == (
        "张丽丽",
        "13800138001",
        "zhanglili",
    )
    change = FieldChange.objects.get(customer=customer, field="mobile")
    assert (change.kind, change.old_value, change.new_value) == (
        ChangeKind.IMPORT,
        "13800138000",
        "13800138001",
    )


def test_customers_already_in_the_archive_are_matched_not_duplicated(
    tmp_path: Path, owner: User, branch_a: Branch
) -> None:
    by_mobile = customer_make(actor=owner, name="张丽", mobile="13800138000")
    by_card = customer_make(actor=owner, name="王芳", card_no="A1002")
    batch = run_import(owner, csv_file(tmp_path / "c.csv", _rows(branch_a)[:3]), dry_run=True)
    assert (batch.new_count, batch.match_count) == (0, 2)
    batch = services.batch_import(batch_id=batch.pk)
    assert Customer.objects.count() == 2
    assert Customer.objects.get(pk=by_mobile.pk).card_no == "A1001"
    assert Customer.objects.get(pk=by_card.pk).mobile == "13900139000"


def test_a_card_number_another_customer_holds_is_a_bad_row(
    tmp_path: Path, owner: User, branch_a: Branch
) -> None:
    row: list[object] = ["K1", "张丽", "13800138000", "", "", "A1001", "", "", "", "", ""]
    run_import(owner, csv_file(tmp_path / "a.csv", [HEAD, row]))
    customer_make(actor=owner, name="别人", card_no="B2002")
    row[5] = "B2002"  # K1 is 张丽 (her source id), but B2002 is 别人's card
    batch = run_import(owner, csv_file(tmp_path / "b.csv", [HEAD, row]))
    assert (batch.updated_count, batch.error_count) == (0, 1)
    issue = ImportIssue.objects.get(batch=batch)
    assert [column for column, _reason in issue.problems] == [_label("card_no")]
    assert Customer.objects.get(name="张丽").card_no == "A1001"


def test_undo_removes_what_the_batch_created(tmp_path: Path, owner: User, branch_a: Branch) -> None:
    batch = run_import(owner, csv_file(tmp_path / "c.csv", _rows(branch_a)))
    services.batch_undo(actor=owner, batch_id=batch.pk)
    assert Customer.objects.count() == 0
    again = run_import(owner, csv_file(tmp_path / "c.csv", _rows(branch_a)))
    assert again.created_count == 2


def test_undo_says_what_blocks_it(tmp_path: Path, owner: User, branch_a: Branch) -> None:
    batch = run_import(owner, csv_file(tmp_path / "c.csv", _rows(branch_a)))
    visit_make(customer=Customer.objects.get(name="张丽"))
    with pytest.raises(ServiceError) as caught:
        services.batch_undo(actor=owner, batch_id=batch.pk)
    assert caught.value.code == TransferErrorCode.UNDO_BLOCKED
    assert f"1 {Visit._meta.verbose_name_plural}" in caught.value.message
    assert Customer.objects.count() == 2


def test_only_owners_and_managers_import(tmp_path: Path, front_a: User, branch_a: Branch) -> None:
    with pytest.raises(ServiceError):
        run_import(front_a, csv_file(tmp_path / "c.csv", _rows(branch_a)))


def test_the_audit_log_names_the_file_its_hash_and_the_counts_but_no_phone(
    tmp_path: Path, owner: User, branch_a: Branch
) -> None:
    batch = run_import(owner, csv_file(tmp_path / "c.csv", _rows(branch_a)), name="老系统.csv")
    reasons = list(AuditEvent.objects.values_list("reason", flat=True))
    final = [r for r in reasons if batch.file_sha256 in r]
    assert len(final) == 1
    assert "老系统.csv" in final[0]
    assert not [r for r in reasons if "13800138000" in r]


def test_rows_go_only_into_the_chosen_branches(
    tmp_path: Path, owner: User, branch_a: Branch, branch_b: Branch
) -> None:
    batch = run_import(
        owner, csv_file(tmp_path / "c.csv", _rows(branch_b)), branch_ids=[branch_a.pk]
    )
    issue = ImportIssue.objects.get(batch=batch, row_no=2)
    assert [column for column, _reason in issue.problems] == [_label("branch")]
    assert not Customer.objects.filter(branch=branch_b).exists()


def test_two_source_ids_with_one_mobile_do_not_overwrite_each_other_on_a_rerun(
    tmp_path: Path, owner: User, branch_a: Branch
) -> None:
    # given a file whose two rows are two people of the old system with one mobile
    rows = [
        ["会员编号", "姓名", "手机"],
        ["K1", "张丽", "13800138000"],
        ["K2", "张莉", "13800138000"],
    ]
    path = csv_file(tmp_path / "c.csv", rows)

    # when it is imported, and imported again
    first = run_import(owner, path)
    again = run_import(owner, path)

    # then the second row is reported (naming the first), each time, and never written
    assert (first.created_count, first.error_count) == (1, 1)
    assert (again.updated_count, again.unchanged_count, again.error_count) == (0, 1, 1)
    assert list(Customer.objects.values_list("name", flat=True)) == ["张丽"]
    issue = ImportIssue.objects.get(batch=again)
    assert (issue.row_no, "2" in issue.problems[0][1]) == (3, True)

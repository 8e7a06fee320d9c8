"""Header matching, templates, the command line and the pages."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from tests.factories import customer_make
from tests.transfer.helpers import csv_file

from liuke.accounts.models import Branch, User
from liuke.cli import main
from liuke.customers.fields import FIELDS
from liuke.customers.models import Customer
from liuke.sales import ledger
from liuke.sales.models import StoredValueCard
from liuke.transfer import services
from liuke.transfer.kinds import KINDS, kind_of
from liuke.transfer.kinds.customers import COLUMNS, IMPORTED_FIELDS
from liuke.transfer.mapping import normalise_header, suggest
from liuke.transfer.models import ImportBatch, SavedMapping
from liuke.transfer.tasks import import_job

pytestmark = pytest.mark.django_db


def test_headers_are_matched_by_name_and_synonyms() -> None:
    headers = ["会员姓名", "手机号(必填)", "* 会员卡号", "出生日期", "Name", "备注信息", "不知道"]
    assert suggest(headers, COLUMNS) == {
        "会员姓名": "name",
        "手机号(必填)": "mobile",
        "* 会员卡号": "card_no",
        "出生日期": "birthday",
        "Name": "",  # the name already has its column
        "备注信息": "notes",
        "不知道": "",
    }
    assert normalise_header(" Mobile Number ") == "mobilenumber"


def test_every_field_of_the_customer_catalogue_has_a_column() -> None:
    assert set(FIELDS) == IMPORTED_FIELDS
    keys = {c.key for c in COLUMNS}
    assert {"branch", "owner", "referrer", "source_id"} <= keys


@pytest.mark.parametrize(("language", "first"), [("zh", "客户编号"), ("en", "Customer ID")])
def test_templates_in_chinese_and_english(owner_client: Client, language: str, first: str) -> None:
    response = owner_client.get(f"/import/template/customers/{language}.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == first
    assert len(rows[0]) == len(COLUMNS)


def test_a_mapping_is_saved_and_reused(tmp_path: Path, owner: User, branch_a: Branch) -> None:
    path = csv_file(tmp_path / "c.csv", [["甲", "乙"], ["张丽", "13800138000"]])
    batch = services.batch_upload(actor=owner, path=path, name="c.csv", kind="customers")
    assert batch.mapping == {"甲": "", "乙": ""}
    services.batch_map(
        actor=owner, batch_id=batch.pk, mapping={"甲": "name", "乙": "mobile"}, save_as="老系统"
    )
    saved = SavedMapping.objects.get(name="老系统")
    assert saved.mapping == {"甲": "name", "乙": "mobile"}
    again = services.batch_upload(
        actor=owner, path=path, name="c.csv", kind="customers", mapping=saved.mapping
    )
    assert again.mapping == {"甲": "name", "乙": "mobile"}


def test_the_command_line_imports_with_a_mapping_and_reports_bad_rows(
    tmp_path: Path, owner: User, branch_a: Branch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = csv_file(tmp_path / "c.csv", [["甲", "乙"], ["张丽", "13800138000"], ["", "1"]])
    mapping = tmp_path / "m.json"
    mapping.write_text(json.dumps({"甲": "name", "乙": "mobile"}), "utf-8")
    assert main(["import", "customers", str(path), "--mapping", str(mapping), "--dry-run"]) == 0
    assert Customer.objects.count() == 0
    code = main(
        ["import", "customers", str(path), "--mapping", str(mapping), "--branch", branch_a.name]
    )
    assert code == 0
    assert list(Customer.objects.values_list("name", "mobile", "branch_id")) == [
        ("张丽", "13800138000", branch_a.pk)
    ]
    out = capsys.readouterr().out
    assert "new 1" in out
    assert "13800138000" not in out
    report = openpyxl.load_workbook(tmp_path / "c.errors.xlsx")
    assert list(report.active.iter_rows(values_only=True))[1][2] == 3  # row 3 of the file


def test_the_pages_upload_map_check_import_and_report(
    owner_client: Client, owner: User, branch_a: Branch
) -> None:
    upload = SimpleUploadedFile("客户.csv", "姓名,手机\n张丽,13800138000\n,139\n".encode())
    response = owner_client.post("/import/upload/", {"file": upload, "kind": "customers"})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/import/{batch.pk}/"
    page = owner_client.get(f"/import/{batch.pk}/").content.decode()
    assert 'name="col0"' in page
    owner_client.post(f"/import/{batch.pk}/mapping/", {"col0": "name", "col1": "mobile"})
    batch.refresh_from_db()
    assert batch.status == "checking"
    assert "hx-get" in owner_client.get(f"/import/{batch.pk}/progress/").content.decode()
    import_job.call_local(batch.pk, True)  # what the job consumer runs
    batch.refresh_from_db()
    assert (batch.status, batch.new_count, batch.error_count) == ("checked", 1, 1)
    assert "张丽" in owner_client.get(f"/import/{batch.pk}/").content.decode()
    owner_client.post(f"/import/{batch.pk}/start/")
    import_job.call_local(batch.pk, False)
    batch.refresh_from_db()
    assert (batch.status, batch.created_count) == ("done", 1)
    report = owner_client.get(f"/import/{batch.pk}/errors.xlsx")
    rows = list(
        openpyxl.load_workbook(io.BytesIO(report.content)).active.iter_rows(values_only=True)
    )
    assert rows[1][2] == 3


def test_front_desk_cannot_reach_the_import(front_a_client: Client) -> None:
    assert front_a_client.get("/import/").status_code == 404


@pytest.mark.parametrize("kind", ["cards", "packages", "visits", "appointments"])
@pytest.mark.parametrize("language", ["zh", "en"])
def test_each_kind_has_a_template_whose_headers_map_back_to_its_columns(
    owner_client: Client, kind: str, language: str
) -> None:
    response = owner_client.get(f"/import/template/{kind}/{language}.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    headers = [str(h) for h in next(book.active.iter_rows(values_only=True))]
    columns = kind_of(kind).columns
    label = {"zh": "label_zh", "en": "label_en"}[language]
    assert headers == [getattr(c, label) for c in columns]
    assert list(suggest(headers, columns).values()) == [c.key for c in columns]


def test_the_command_line_imports_cards(
    tmp_path: Path, owner: User, branch_a: Branch, capsys: pytest.CaptureFixture[str]
) -> None:
    customer_make(actor=owner, name="张丽", mobile="13800138000")
    path = csv_file(tmp_path / "cards.csv", [["卡号", "手机", "余额"], ["A1", "13800138000", "99"]])
    assert main(["import", "cards", str(path)]) == 0
    card = StoredValueCard.objects.get()
    assert (card.number, ledger.card_balances(card)) == ("A1", (9900, 0))
    assert "new 1" in capsys.readouterr().out


def test_the_upload_page_offers_each_kind(owner_client: Client, owner: User) -> None:
    page = owner_client.get("/import/").content.decode()
    assert all(f'<option value="{kind}">' in page for kind in KINDS)
    upload = SimpleUploadedFile("卡.csv", "卡号,手机,余额\nA1,13800138000,1\n".encode())
    owner_client.post("/import/upload/", {"file": upload, "kind": "cards"})
    assert ImportBatch.objects.get().kind == "cards"

"""Stored-value card balances imported: the opening MIGRATED entry (paid and bonus apart), the
holder by customer ID, mobile or card number, re-runs, bad rows, undo, no payment of today."""

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
from liuke.sales import services as sales
from liuke.sales.choices import CardEntryKind
from liuke.sales.models import CardEntry, CardTier, Payment, StoredValueCard
from liuke.transfer import services
from liuke.transfer.choices import BatchStatus
from liuke.transfer.errors import TransferErrorCode
from liuke.transfer.models import ImportIssue

HEAD = ["卡号", "手机", "客户编号", "卡内余额", "本金", "赠送金", "有效期", "卡类型"]


def _cards(tmp_path: Path, rows: Sequence[Sequence[object]], name: str = "cards.csv") -> Path:
    return csv_file(tmp_path / name, [HEAD, *rows])


@pytest.fixture
def holders(owner: User, branch_a: Branch) -> list[Customer]:
    return [
        customer_make(actor=owner, name="张丽", mobile="13800138000"),
        customer_make(actor=owner, name="王芳", card_no="A1002"),
        customer_make(actor=owner, name="李娜", mobile="13700137000"),
    ]


def _issues(batch_id: int) -> dict[int, list[str]]:
    return {
        i.row_no: [reason for _column, reason in i.problems]
        for i in ImportIssue.objects.filter(batch_id=batch_id)
    }


def test_a_card_comes_in_with_an_opening_migrated_entry_paid_and_bonus_apart(
    tmp_path: Path, business: Business, owner: User, holders: list[Customer]
) -> None:
    CardTier.objects.create(business=business, name="金卡", discount_pct=80)
    path = _cards(
        tmp_path,
        [
            ["a1001", "+86 138 0013 8000", "", "¥1200.50", "1000.50", "200", "2030/1/5", "金卡"],
            ["A1002", "", "", "300元", "", "", "", ""],
            ["A1003", "13700137000", "", "500", "", "120", "2020-01-01", ""],
        ],
    )
    batch = run_import(owner, path, name="cards.csv", kind="cards")

    assert batch.status == BatchStatus.DONE, batch.failure
    assert (batch.created_count, batch.error_count) == (3, 0), _issues(batch.pk)
    zhang, wang, li = holders
    first = StoredValueCard.objects.get(number="A1001")
    assert (first.customer_id, first.expires_on, first.tier.name) == (  # type: ignore[union-attr]
        zhang.pk,
        dt.date(2030, 1, 5),
        "金卡",
    )
    assert ledger.card_balances(first) == (100050, 20000)
    # the holder by the card number being the customer's membership number
    assert StoredValueCard.objects.get(number="A1002").customer_id == wang.pk
    assert ledger.card_balances(StoredValueCard.objects.get(number="A1002")) == (30000, 0)
    # the balance less the bonus is the paid part; an expiry already passed is kept
    third = StoredValueCard.objects.get(number="A1003")
    assert (third.customer_id, ledger.card_balances(third)) == (li.pk, (38000, 12000))
    assert third.expires_on == dt.date(2020, 1, 1)
    entries = CardEntry.objects.filter(card__business=business)
    assert set(entries.values_list("kind", flat=True)) == {CardEntryKind.MIGRATED}
    # no money came in today: the daily close is as it was
    assert Payment.objects.count() == 0


def test_the_holder_is_found_by_the_customer_id_a_customers_import_brought(
    tmp_path: Path, owner: User, branch_a: Branch
) -> None:
    people = csv_file(tmp_path / "c.csv", [["会员编号", "姓名"], ["K7", "赵敏"]])
    run_import(owner, people)
    batch = run_import(
        owner, _cards(tmp_path, [["B1", "", "K7", "88", "", "", "", ""]]), kind="cards"
    )
    assert batch.created_count == 1
    assert StoredValueCard.objects.get(number="B1").customer.name == "赵敏"


def test_opening_balance_plus_ledger_is_the_balance_after_use_and_rerun(
    tmp_path: Path, owner: User, holders: list[Customer]
) -> None:
    row: list[object] = ["A1001", "13800138000", "", "1000", "800", "200", "", ""]
    run_import(owner, _cards(tmp_path, [row]), kind="cards")
    card = StoredValueCard.objects.get(number="A1001")
    sales.card_deduct(actor=owner, card_id=card.pk, amount_fen=10000)

    again = run_import(owner, _cards(tmp_path, [row], "again.csv"), kind="cards")

    # the card has moved: the re-run does not restate its balance, and says so
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 0)
    assert again.error_count == 1
    entries = list(CardEntry.objects.filter(card=card).order_by("seq"))
    assert sum(e.paid_delta_fen + e.bonus_delta_fen for e in entries) == 90000
    assert entries[-1].balance_after_fen == 90000
    assert entries[0].kind == CardEntryKind.MIGRATED


def test_a_rerun_finds_the_card_unchanged_or_restates_it_by_a_second_entry(
    tmp_path: Path, owner: User, holders: list[Customer]
) -> None:
    row = ["A1001", "13800138000", "", "1000", "", "", "", ""]
    run_import(owner, _cards(tmp_path, [row]), kind="cards")
    same = run_import(owner, _cards(tmp_path, [row], "same.csv"), kind="cards")
    assert (same.created_count, same.updated_count, same.unchanged_count) == (0, 0, 1)

    changed = run_import(
        owner, _cards(tmp_path, [[*row[:3], "1500", "", "", "", ""]], "c.csv"), kind="cards"
    )

    assert (changed.created_count, changed.updated_count) == (0, 1)
    card = StoredValueCard.objects.get(number="A1001")
    assert ledger.card_balances(card) == (150000, 0)
    assert list(CardEntry.objects.filter(card=card).values_list("kind", "paid_delta_fen")) == [
        (CardEntryKind.MIGRATED, 100000),
        (CardEntryKind.MIGRATED, 50000),
    ]


def test_bad_rows_say_why_and_nothing_of_them_is_written(
    tmp_path: Path, owner: User, holders: list[Customer]
) -> None:
    sales.card_issue(
        actor=owner, customer_id=holders[2].pk, branch_id=holders[2].branch_id, number="T9"
    )
    path = _cards(
        tmp_path,
        [
            ["C1", "13900000000", "", "100", "", "", "", ""],  # nobody has this mobile
            ["C2", "13800138000", "", "100", "80", "30", "", ""],  # 80 + 30 is not 100
            ["C3", "13800138000", "", "1.005", "", "", "", ""],  # a third decimal
            ["T9", "13700137000", "", "100", "", "", "", ""],  # issued at the till already
            ["C4", "13800138000", "", "100", "", "", "", "银卡"],  # no such tier
            ["C5", "13800138000", "", "", "", "", "", ""],  # no balance
            ["C6", "13800138000", "", "50", "", "", "", ""],
            ["c6", "13800138000", "", "60", "", "", "", ""],  # the same card twice
        ],
    )
    batch = run_import(owner, path, kind="cards")

    assert (batch.created_count, batch.error_count) == (1, 7)
    assert set(_issues(batch.pk)) == {2, 3, 4, 5, 6, 7, 9}
    assert "8" in _issues(batch.pk)[9][0]
    assert set(StoredValueCard.objects.values_list("number", flat=True)) == {"T9", "C6"}


def test_a_dry_run_writes_no_card(tmp_path: Path, owner: User, holders: list[Customer]) -> None:
    path = _cards(tmp_path, [["A1001", "13800138000", "", "1000", "", "", "", ""]])
    batch = run_import(owner, path, kind="cards", dry_run=True)
    assert (batch.new_count, batch.error_count) == (1, 0)
    assert batch.preview[0]["number"] == "A1001"
    assert StoredValueCard.objects.count() == 0


def test_undo_removes_the_cards_until_one_is_used(
    tmp_path: Path, owner: User, holders: list[Customer]
) -> None:
    rows = [["A1001", "13800138000", "", "1000", "", "", "", ""]]
    batch = run_import(owner, _cards(tmp_path, rows), kind="cards")
    services.batch_undo(actor=owner, batch_id=batch.pk)
    assert (StoredValueCard.objects.count(), CardEntry.objects.count()) == (0, 0)

    batch = run_import(owner, _cards(tmp_path, rows, "again.csv"), kind="cards")
    card = StoredValueCard.objects.get(number="A1001")
    sales.card_deduct(actor=owner, card_id=card.pk, amount_fen=100)
    with pytest.raises(ServiceError) as caught:
        services.batch_undo(actor=owner, batch_id=batch.pk)
    assert caught.value.code == TransferErrorCode.UNDO_BLOCKED
    assert StoredValueCard.objects.filter(pk=card.pk).exists()


def test_customers_holding_imported_cards_are_not_undone(
    tmp_path: Path, owner: User, branch_a: Branch
) -> None:
    people = run_import(
        owner, csv_file(tmp_path / "c.csv", [["姓名", "手机"], ["赵敏", "13600136000"]])
    )
    run_import(
        owner, _cards(tmp_path, [["D1", "13600136000", "", "10", "", "", "", ""]]), kind="cards"
    )
    with pytest.raises(ServiceError) as caught:
        services.batch_undo(actor=owner, batch_id=people.pk)
    assert str(StoredValueCard._meta.verbose_name_plural) in caught.value.message

"""Stored-value cards: each row a card with its balance as the old system had it.

The card is opened through `sales.services.opening` with one MIGRATED ledger entry holding its
paid part (本金) and its bonus part (赠送金) apart when the file has them (a file with only the
balance has it all as paid). Its holder is found by customer ID, mobile, or the card number
being the customer's membership number (`holders`). Re-running the file finds the card by its
number: unchanged when the balance is the same; restated by a second MIGRATED entry while the
card has not moved; otherwise the row says why not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.core.money import format_yuan
from liuke.sales import ledger
from liuke.sales.choices import CardEntryKind
from liuke.sales.models import CardEntry, CardTier, StoredValueCard
from liuke.sales.services import opening
from liuke.transfer import values as v
from liuke.transfer.kinds import Checked, Column
from liuke.transfer.kinds import customers as customer_kind
from liuke.transfer.kinds import holders as h
from liuke.transfer.mapping import normalise_header

KIND = "cards"

C = Column
COLUMNS: tuple[Column, ...] = (
    C(
        "number",
        "卡号",
        "Card number",
        ("储值卡号", "会员卡号", "卡号码", "Card no", "Card", "Member card"),
        required=True,
        example="A1001",
    ),
    *h.HOLDER_COLUMNS,
    C(
        "balance",
        "余额",
        "Balance",
        ("卡内余额", "储值余额", "剩余金额", "卡余额", "可用余额", "Card balance", "Remaining"),
        example="1200",
    ),
    C(
        "paid",
        "本金",
        "Paid part",
        ("本金余额", "实充余额", "充值余额", "Paid balance", "Principal"),
        example="1000",
    ),
    C(
        "bonus",
        "赠送金",
        "Bonus part",
        ("赠送余额", "赠金", "赠送金额", "Bonus", "Bonus balance", "Gift balance"),
        example="200",
    ),
    h.EXPIRES_COLUMN,
    C("tier", "卡类型", "Card tier", ("卡等级", "会员等级", "卡种", "Tier", "Card type")),
)


def context(*, actor: Any, branch_ids: Sequence[int]) -> h.HolderContext:
    business_id = policy.business_of(actor)
    tiers = CardTier.objects.filter(business_id=business_id).values_list("name", "pk")
    return h.HolderContext(
        base=customer_kind.context(actor=actor, branch_ids=branch_ids),
        names={normalise_header(name): pk for name, pk in tiers},
    )


def _amount_of(out: Checked, values: Mapping[str, Any], key: str) -> int | None:
    try:
        return v.parse_fen(values.get(key))
    except v.BadValue as exc:
        out.problems.append((key, exc.message))
        return None


def _parts(out: Checked, values: Mapping[str, Any]) -> tuple[int, int]:
    """(paid, bonus) in fen from the balance and/or its parts; a mismatch is the row's error."""
    balance, paid, bonus = (_amount_of(out, values, k) for k in ("balance", "paid", "bonus"))
    if paid is None and balance is None:
        if not out.problems:
            out.problems.append(("balance", _("Give the card's balance (or its paid part).")))
        return 0, 0
    if paid is None:
        paid = (balance or 0) - (bonus or 0)
        if paid < 0:
            out.problems.append(("bonus", _("The bonus part is larger than the balance.")))
        return paid, bonus or 0
    if balance is not None and balance != paid + (bonus or 0):
        out.problems.append(("balance", _("The balance is not the paid part plus the bonus.")))
    return paid, bonus or 0


def check(
    row_no: int, cells: list[Any], values: Mapping[str, Any], ctx: h.HolderContext
) -> Checked:
    out = Checked(row_no=row_no, cells=cells)
    number = v.text_of(values.get("number")).upper().replace(" ", "")
    if not number:
        out.problems.append(("number", _("Enter the card number.")))
    elif len(number) > 30:
        out.problems.append(("number", _("A card number has at most 30 characters.")))
    out.refs["card"] = number
    h.read_holder(out, values)
    paid, bonus = _parts(out, values)
    expires = None
    try:
        day = v.parse_date(values.get("expires_on"))
        expires = day if not isinstance(day, v.MonthDay) else None
    except v.BadValue as exc:
        out.problems.append(("expires_on", exc.message))
    tier = v.text_of(values.get("tier"))
    tier_id = ctx.names.get(normalise_header(tier)) if tier else None
    if tier and tier_id is None:
        out.problems.append(("tier", _("No card tier has this name.")))
    branch_id = h.branch_of(out, ctx)
    if out.problems:
        return out
    out.values = {
        "number": number,
        "paid_fen": paid,
        "bonus_fen": bonus,
        "expires_on": expires,
        "tier_id": tier_id,
        "branch_id": branch_id,
    }
    out.key = f"card:{number}"
    return out


def _find(row: Checked, holder: Any, ctx: h.HolderContext) -> StoredValueCard | None:
    """The card of the row's number: one an import of the holder's brought in before; a card of
    that number otherwise (issued at the till, another customer's) is the row's error."""
    card = StoredValueCard.objects.filter(
        business_id=ctx.base.business_id, number=row.values["number"]
    ).first()
    if card is None:
        return None
    ours = h.records(ctx.base.business_id, KIND, [row])
    if row.key not in ours or card.customer_id != holder.pk:
        row.problems.append(("number", _("This card number is already in use.")))
    return card


def _opening(ctx: h.HolderContext, batch: Any) -> h.Opening:
    actor = ctx.base.actor

    def open_(row: Checked, holder: Any) -> StoredValueCard:
        values = row.values
        return opening.card_open_migrated(
            actor=actor,
            customer_id=holder.pk,
            branch_id=values["branch_id"] or holder.branch_id,
            number=values["number"],
            paid_fen=values["paid_fen"],
            bonus_fen=values["bonus_fen"],
            expires_on=values["expires_on"],
            tier_id=values["tier_id"],
            note=_("import #%(id)d") % {"id": batch.pk},
        )

    return h.Opening(
        kind=KIND,
        find=lambda row, holder: _find(row, holder, ctx),
        open=open_,
        same=lambda row, card: ledger.card_balances(card) == _wanted(row),
        moved=lambda card: (
            CardEntry.objects.filter(card=card).exclude(kind=CardEntryKind.MIGRATED).exists()
        ),
        restate=lambda row, card: opening.card_restate_migrated(
            actor=actor, card_id=card.pk, paid_fen=_wanted(row)[0], bonus_fen=_wanted(row)[1]
        ),
        preview=lambda row, holder: {
            "number": row.values["number"],
            "name": holder.name,
            "paid": format_yuan(row.values["paid_fen"]),
            "bonus": format_yuan(row.values["bonus_fen"]),
            "expires_on": str(row.values["expires_on"] or ""),
        },
        moved_message=_("The card has been used since it was brought in."),
    )


def _wanted(row: Checked) -> tuple[int, int]:
    return row.values["paid_fen"], row.values["bonus_fen"]


KIND_OBJECT = h.HolderKind(
    name=KIND,
    columns=COLUMNS,
    context=context,
    check=check,
    opening=_opening,
    ledger=(StoredValueCard, CardEntry, "card", CardEntryKind.MIGRATED),
)

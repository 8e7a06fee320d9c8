"""What the kinds that belong to a customer share (cards, packages): the columns that name the
holder, finding the holder of each row of a chunk, calling a sales service for one row so that
its refusal is the row's error, and undoing what a batch created.

A row names its customer by the customer's id in the source system (as a customers import
brought it in), by mobile, or by the customer's card number; the first that finds a customer
of the archive wins. The rows are written through the sales services (never a row written
past the ledger rules), one savepoint per row: a refused row leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from liuke.core.errors import ServiceError
from liuke.customers.models import Customer
from liuke.transfer import values as v
from liuke.transfer.errors import TransferErrorCode
from liuke.transfer.kinds import Checked, Column, Written, stable_key
from liuke.transfer.kinds.customers import CustomerContext
from liuke.transfer.mapping import normalise_header
from liuke.transfer.models import ImportRecord

C = Column
#: The holder's columns, shared by every kind that belongs to a customer.
HOLDER_COLUMNS: tuple[Column, ...] = (
    C(
        "customer_id",
        "客户编号",
        "Customer ID",
        ("会员编号", "顾客编号", "客户ID", "会员ID", "Client ID", "Member ID"),
        example="K0001",
    ),
    C(
        "mobile",
        "手机",
        "Mobile",
        ("手机号", "手机号码", "联系电话", "电话", "会员手机", "Phone", "Mobile number"),
        example="13800138000",
    ),
    C("customer_name", "姓名", "Name", ("客户姓名", "会员姓名", "顾客姓名", "Customer name")),
    C(
        "branch",
        "门店",
        "Branch",
        ("所属门店", "开卡门店", "购买门店", "店铺", "分店", "Store", "Location", "Salon"),
        example="静安店",
    ),
)

#: When a card or a package expires (a day already passed is kept: the old system's word).
EXPIRES_COLUMN = C(
    "expires_on",
    "有效期",
    "Expires on",
    ("到期日", "到期日期", "过期时间", "有效期至", "Expiry", "Expiry date", "Valid until"),
    example="2026-12-31",
)

#: The customer's card number, where a file names the holder by it.
CARD_COLUMN = C(
    "card", "会员卡号", "Card number", ("卡号", "会员卡", "Member card", "Card no"), example="A1001"
)

T = TypeVar("T")
M = TypeVar("M", bound=models.Model)


@dataclass
class HolderContext:
    """What the rows of a batch need, read once: the branches and staff (as customers have
    them) and what a row of the file may name only once."""

    base: CustomerContext
    #: normalised name → id of what the kind names (card tiers, services)
    names: dict[str, int] = field(default_factory=dict)
    #: normalised name → ids of what it stands for (a package template → its services)
    groups: dict[str, list[int]] = field(default_factory=dict)
    #: id → list price in fen (a visit's amount is shared out over its services by them)
    prices: dict[int, int] = field(default_factory=dict)
    #: stable key → the first row of the run that had it (a key twice in the file is the
    #: later row's error; the same row again, when a chunk is written row by row, is not)
    seen: dict[str, int] = field(default_factory=dict)


def read_holder(out: Checked, values: Mapping[str, Any]) -> None:
    """The holder's cells of a row into its refs (mobile read as `customers` reads it)."""
    for key in ("customer_id", "customer_name", "branch"):
        out.refs[key] = v.text_of(values.get(key))
    try:
        out.refs["mobile"] = v.parse_phone(values.get("mobile")).mobile
    except v.BadValue as exc:
        out.problems.append(("mobile", exc.message))


def holder_ref(out: Checked) -> str:
    """The row's customer as the file names it, for its stable key."""
    return out.refs.get("customer_id") or out.refs.get("mobile") or out.refs.get("card", "")


def branch_of(out: Checked, ctx: HolderContext) -> int | None:
    """The row's branch by name or code (None: the holder's own); unknown is the row's error."""
    name = out.refs.get("branch", "")
    if not name:
        return None
    found = ctx.base.branches.get(normalise_header(name))
    if found is None:
        out.problems.append(("branch", _("Not one of the branches chosen for this import.")))
    return found


def holders(rows: list[Checked], business_id: int) -> dict[int, Customer]:
    """Row number → the customer the row names, among the live customers of the business."""
    ids = {
        stable_key("customers", f"id:{r.refs['customer_id']}"): r
        for r in rows
        if r.refs.get("customer_id")
    }
    by_source = dict(
        ImportRecord.objects.filter(
            business_id=business_id, kind="customers", key__in=ids
        ).values_list("key", "object_id")
    )
    mobiles = {r.refs["mobile"] for r in rows if r.refs.get("mobile")}
    cards = {r.refs["card"] for r in rows if r.refs.get("card")}
    live = Customer.objects.filter(business_id=business_id, merged_into=None, anonymised_at=None)
    found = list(
        live.filter(Q(pk__in=by_source.values()) | Q(mobile__in=mobiles) | Q(card_no__in=cards))
        .only("pk", "business_id", "branch_id", "mobile", "card_no", "name")
        .order_by("pk")
    )
    by_pk = {c.pk: c for c in found}
    by_mobile: dict[str, Customer] = {}
    by_card: dict[str, Customer] = {}
    for c in found:
        if c.mobile:
            by_mobile.setdefault(c.mobile, c)
        if c.card_no:
            by_card.setdefault(c.card_no, c)
    out: dict[int, Customer] = {}
    for r in rows:
        source = r.refs.get("customer_id")
        match = (
            (
                by_pk.get(by_source.get(stable_key("customers", f"id:{source}"), 0))
                if source
                else None
            )
            or by_mobile.get(r.refs.get("mobile") or "")
            or by_card.get(r.refs.get("card") or "")
        )
        if match is not None:
            out[r.row_no] = match
    return out


def no_holder(row: Checked) -> None:
    row.problems.append(
        ("", _("No customer has this customer ID, mobile or card number: import them first."))
    )


def seen_twice(row: Checked, ctx: HolderContext) -> bool:
    """True (and the row's error) when an earlier row of the file had the row's stable key."""
    first = ctx.seen.setdefault(row.key, row.row_no)
    if first != row.row_no:
        row.problems.append(
            ("", _("Row %(row)d of the file has the same record.") % {"row": first})
        )
        return True
    return False


def service_row(row: Checked, call: Callable[[], T]) -> T | None:
    """Call a sales service for one row in a savepoint: its refusal is the row's error and
    leaves nothing written."""
    try:
        with transaction.atomic():
            return call()
    except ServiceError as exc:
        row.problems.append(("", str(exc.message)))
    except ValidationError as exc:
        row.problems.extend(("", str(m)) for m in exc.messages)
    return None


def records(business_id: int, kind: str, rows: list[Checked]) -> dict[str, ImportRecord]:
    """Row key → the record it came in as before."""
    keys = {stable_key(kind, r.key): r.key for r in rows if r.key}
    found = ImportRecord.objects.filter(business_id=business_id, kind=kind, key__in=keys)
    return {keys[r.key]: r for r in found}


def find_recorded(
    row: Checked, holder: Customer, ctx: HolderContext, kind: str, model: type[M], theirs: str
) -> M | None:
    """What the row's key brought in before (None: nothing, open one); when it is another
    customer's, `theirs` is the row's error."""
    ours = records(ctx.base.business_id, kind, [row]).get(row.key)
    if ours is None:
        return None
    found = model._default_manager.filter(business_id=ctx.base.business_id, pk=ours.object_id)
    account = found.first()
    if account is not None and getattr(account, "customer_id", None) != holder.pk:
        row.problems.append(("", theirs))
    return account


def names_of(queryset: Any) -> tuple[dict[str, int], dict[int, int]]:
    """Normalised name → id of the business's services (the active first), and id → list
    price."""
    names: dict[str, int] = {}
    prices: dict[int, int] = {}
    for name, pk, price in queryset.order_by("-is_active", "pk").values_list(
        "name", "pk", "price_fen"
    ):
        names.setdefault(normalise_header(name), pk)
        prices[pk] = price
    return names, prices


def record(business_id: int, kind: str, key: str, object_id: int, batch: Any) -> None:
    ImportRecord.objects.create(
        business_id=business_id,
        kind=kind,
        key=stable_key(kind, key),
        object_id=object_id,
        batch=batch,
        created=True,
    )


# --- undo ---------------------------------------------------------------------------------------


def created_ids(batch: Any, kind: str) -> models.QuerySet[ImportRecord, Any]:
    """The ids of what the batch created, as a subquery."""
    return ImportRecord.objects.filter(batch=batch, kind=kind, created=True).values("object_id")


def forget_created(batch: Any, kind: str) -> None:
    """Drop the keys of what the batch created (once it is removed)."""
    ImportRecord.objects.filter(batch=batch, kind=kind, created=True).delete()


def undo_blockers(
    batch: Any,
    kind: str,
    accounts: type[models.Model],
    entries: type[models.Model],
    account: str,
    migrated: str,
) -> list[str]:
    """What keeps the accounts a batch opened: a ledger entry other than the opening one, or
    any other row that points at them (a payment, a visit line)."""
    ids = created_ids(batch, kind)
    out: list[str] = []
    moved = entries._default_manager.filter(**{f"{account}__in": ids}).exclude(kind=migrated)
    n = moved.aggregate(n=Count("pk"))["n"]
    if n:
        out.append(f"{n} {entries._meta.verbose_name_plural}")
    for relation in accounts._meta.related_objects:
        other = relation.related_model
        if other is entries or relation.many_to_many or not isinstance(other, type):
            continue
        rows = other._default_manager.filter(**{f"{relation.field.name}__in": ids})
        n = rows.aggregate(n=Count("pk"))["n"]
        if n:
            out.append(f"{n} {other._meta.verbose_name_plural}")
    return out


def undo_remove(
    batch: Any, kind: str, accounts: type[models.Model], entries: type[models.Model], account: str
) -> tuple[int, list[int]]:
    """Delete the accounts the batch opened and their opening entries; how many, and their
    holders' ids."""
    ids = created_ids(batch, kind)
    opened = accounts._default_manager.filter(pk__in=ids)
    holders_ = sorted(set(opened.values_list("customer_id", flat=True)))
    entries._default_manager.filter(**{f"{account}__in": ids}).delete()
    n = opened.count()
    opened.delete()
    forget_created(batch, kind)
    return n, holders_


# --- the write of a chunk -----------------------------------------------------------------------


@dataclass(frozen=True)
class Opening:
    """How a kind opens its accounts (cards, packages) through the sales services: `find` the
    row's account from before (None: open one; a refusal is added to the row's problems),
    `open` one, tell whether it is the `same` as the row, whether it has `moved` since (then
    the row cannot restate it), `restate` it (None: nothing to do), and the `preview` of a
    row."""

    kind: str
    find: Callable[[Checked, Customer], Any]
    open: Callable[[Checked, Customer], Any]
    same: Callable[[Checked, Any], bool]
    moved: Callable[[Any], bool]
    restate: Callable[[Checked, Any], Any]
    preview: Callable[[Checked, Customer], dict[str, str]]
    moved_message: str = ""


def never_restated(message: str) -> Callable[[Checked, Any], Any]:
    """The `restate` of a kind whose records are history (visits, appointments): a row that
    now says otherwise is refused with `message`, never written over what came in."""

    def refuse(_row: Checked, _record: Any) -> None:
        raise ServiceError(TransferErrorCode.IMPORTED_DIFFERENTLY, message)

    return refuse


_ACTION_WORD = {"created": "new", "updated": "update", "unchanged": "same"}


def write(
    rows: list[Checked], ctx: HolderContext, how: Opening, *, batch: Any, dry_run: bool
) -> Written:
    """A chunk of rows matched to their holders and accounts and, unless a dry run, written
    through the sales services (one savepoint a row)."""
    done = Written()
    found = holders(rows, ctx.base.business_id)
    for row in rows:
        holder = found.get(row.row_no)
        if seen_twice(row, ctx):
            # reported as a bad row naming the first one (`seen_twice`)
            done.failed.append(row)
            continue
        if holder is None:
            no_holder(row)
        else:
            account = how.find(row, holder)
            action = "failed" if row.problems else _row(row, holder, account, how, batch, dry_run)
            if action != "failed":
                setattr(done, action, getattr(done, action) + 1)
                if len(done.preview) < PREVIEW_ROWS:
                    word = {"row": str(row.row_no), "action": _ACTION_WORD[action]}
                    done.preview.append(word | how.preview(row, holder))
                continue
        done.failed.append(row)
    return done


PREVIEW_ROWS = 20


def _row(row: Checked, holder: Customer, account: Any, how: Opening, batch: Any, dry: bool) -> str:
    """What the row does to its account: created, updated, unchanged or failed."""
    if account is None:
        if dry:
            return "created"
        opened = service_row(row, lambda: how.open(row, holder))
        if opened is None:
            return "failed"
        record(holder.business_id, how.kind, row.key, opened.pk, batch)
        return "created"
    if how.same(row, account):
        return "unchanged"
    if dry:
        if how.moved(account):
            row.problems.append(("", how.moved_message))
            return "failed"
        return "updated"
    entry = service_row(row, lambda: how.restate(row, account))
    return "failed" if row.problems else ("updated" if entry is not None else "unchanged")


class HolderKind:
    """A kind whose rows open accounts of a customer's (see `transfer.kinds`): its columns, its
    context and row check, how it opens and restates an account (`Opening`), and the account
    and ledger models that undo removes."""

    def __init__(
        self,
        *,
        name: str,
        columns: tuple[Column, ...],
        context: Callable[..., HolderContext],
        check: Callable[[int, list[Any], Mapping[str, Any], HolderContext], Checked],
        opening: Callable[[HolderContext, Any], Opening],
        ledger: tuple[type[models.Model], type[models.Model], str, str],
    ) -> None:
        self.name = name
        self.columns = columns
        self._context = context
        self._check = check
        self._opening = opening
        self._ledger = ledger

    def context(self, *, actor: Any, branch_ids: Sequence[int]) -> HolderContext:
        return self._context(actor=actor, branch_ids=branch_ids)

    def check(self, row_no: int, cells: list[Any], values: Mapping[str, Any], ctx: Any) -> Checked:
        return self._check(row_no, cells, values, ctx)

    def write(self, rows: list[Checked], ctx: Any, *, batch: Any, dry_run: bool) -> Written:
        return write(rows, ctx, self._opening(ctx, batch), batch=batch, dry_run=dry_run)

    def undo_blockers(self, batch: Any) -> list[str]:
        accounts, entries, account, migrated = self._ledger
        return undo_blockers(batch, self.name, accounts, entries, account, migrated)

    def undo_remove(self, batch: Any) -> tuple[int, list[int]]:
        accounts, entries, account, _migrated = self._ledger
        return undo_remove(batch, self.name, accounts, entries, account)

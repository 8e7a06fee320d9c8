"""Visit history: each row a past visit (date, branch, services and staff by name, amount,
payment method) as the old system had it.

Written through `sales.services.opening.visit_record_imported`: the visit is marked imported,
its payment dated on its own day (never a sale of today), and the value analytics see it on
that day. Its holder is found as a card's is (`holders`). Its stable key is the source
system's receipt number, else the holder, time, services and amount; a re-run finds it again
(unchanged), and a row that now says otherwise is refused: history is not restated, the
import that brought it is undone instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.core.money import format_yuan
from liuke.sales.choices import PaymentMethod
from liuke.sales.models import Payment, Service, Visit, VisitLine
from liuke.sales.services import opening
from liuke.transfer import values as v
from liuke.transfer.kinds import Checked, Column
from liuke.transfer.kinds import customers as customer_kind
from liuke.transfer.kinds import holders as h
from liuke.transfer.mapping import normalise_header
from liuke.transfer.models import ImportBatch

KIND = "visits"

C = Column
COLUMNS: tuple[Column, ...] = (
    C(
        "source_id",
        "单号",
        "Receipt number",
        ("消费单号", "订单号", "流水号", "小票号", "单据号", "Receipt no", "Order ID", "Sale ID"),
        example="S20240105001",
    ),
    *h.HOLDER_COLUMNS,
    h.CARD_COLUMN,
    C(
        "visited_at",
        "消费时间",
        "Visited at",
        ("消费日期", "到店日期", "到店时间", "日期", "时间", "Date", "Visit date", "Time"),
        required=True,
        example="2024-01-05 14:30",
    ),
    C(
        "services",
        "服务项目",
        "Services",
        ("项目", "消费项目", "服务", "Service", "Treatments"),
        required=True,
        example="补水护理",
    ),
    C(
        "staff",
        "服务员工",
        "Staff",
        ("员工", "技师", "美容师", "发型师", "服务人员", "Staff member", "Therapist", "Stylist"),
        example="王芳",
    ),
    C(
        "amount",
        "消费金额",
        "Amount",
        ("实收金额", "金额", "实付金额", "实付", "Amount paid", "Total"),
        required=True,
        example="388",
    ),
    C(
        "method",
        "支付方式",
        "Payment method",
        ("付款方式", "结算方式", "支付", "Payment", "Paid by"),
        example="微信",
    ),
)

_METHOD_WORDS = {
    "现金": PaymentMethod.CASH,
    "银行卡": PaymentMethod.BANK_CARD,
    "刷卡": PaymentMethod.BANK_CARD,
    "pos": PaymentMethod.BANK_CARD,
    "信用卡": PaymentMethod.BANK_CARD,
    "微信": PaymentMethod.WECHAT,
    "微信支付": PaymentMethod.WECHAT,
    "支付宝": PaymentMethod.ALIPAY,
    "储值卡": PaymentMethod.STORED_VALUE,
    "会员卡": PaymentMethod.STORED_VALUE,
    "卡扣": PaymentMethod.STORED_VALUE,
    "余额": PaymentMethod.STORED_VALUE,
    "储值": PaymentMethod.STORED_VALUE,
}


def context(*, actor: Any, branch_ids: Sequence[int]) -> h.HolderContext:
    business_id = policy.business_of(actor)
    names, prices = h.names_of(Service.objects.filter(business_id=business_id))
    base = customer_kind.context(actor=actor, branch_ids=branch_ids)
    return h.HolderContext(base=base, names=names, prices=prices)


def _method(cell: Any) -> str:
    text = normalise_header(v.text_of(cell))
    if not text:
        raise v.BadValue(_("Enter the payment method."))
    words: dict[str, str] = {normalise_header(k): str(m) for k, m in _METHOD_WORDS.items()}
    for value, label in PaymentMethod.choices:
        words[normalise_header(value)] = value
        words.setdefault(normalise_header(str(label)), value)
    if text not in words:
        raise v.BadValue(_("Not one of the payment methods."))
    return str(words[text])


def _when(cell: Any) -> dt.datetime:
    """The visit's time, on the business's clock (noon when the file gives only the day)."""
    naive = v.parse_datetime(cell)
    return timezone.make_aware(naive) if timezone.is_naive(naive) else naive


def _lines(
    out: Checked, values: Mapping[str, Any], amount: int, ctx: h.HolderContext
) -> list[tuple[int, int | None, int]]:
    """(service, staff, amount) a line: the amount shared out by the services' list prices."""
    ids: list[int] = []
    for name in v.split_tags(values.get("services")):
        pk = ctx.names.get(normalise_header(name))
        if pk is None:
            out.problems.append(
                ("services", _("No service has this name: %(name)s") % {"name": name})
            )
        ids.append(pk or 0)
    if not ids:
        out.problems.append(("services", _("Name the services of the visit.")))
    staff_names = v.split_tags(values.get("staff"))
    staff = [ctx.base.staff.get(normalise_header(n)) for n in staff_names]
    if None in staff:
        out.problems.append(("staff", _("No active staff member has this name.")))
    if out.problems:
        return []
    if len(staff) not in (0, 1, len(ids)):
        out.problems.append(("staff", _("Name one staff member, or one for each service.")))
        return []
    weights = [max(ctx.prices.get(i, 0), 1) for i in ids]
    shares = [amount * sum(weights[: n + 1]) // sum(weights) for n in range(len(ids))]
    amounts = [b - a for a, b in zip([0, *shares[:-1]], shares, strict=True)]
    who = staff if len(staff) == len(ids) else [staff[0] if staff else None] * len(ids)
    return list(zip(ids, who, amounts, strict=True))


def check(
    row_no: int, cells: list[Any], values: Mapping[str, Any], ctx: h.HolderContext
) -> Checked:
    out = Checked(row_no=row_no, cells=cells)
    h.read_holder(out, values)
    out.refs["card"] = v.text_of(values.get("card")).upper().replace(" ", "")
    when = amount = method = None
    try:
        when = _when(values.get("visited_at"))
        if when > timezone.now():
            out.problems.append(("visited_at", _("The visit cannot be in the future.")))
    except v.BadValue as exc:
        out.problems.append(("visited_at", exc.message))
    try:
        amount = v.parse_fen(values.get("amount"))
        if amount is None:
            out.problems.append(("amount", _("Enter the amount.")))
        method = _method(values.get("method")) if amount else PaymentMethod.CASH
    except v.BadValue as exc:
        out.problems.append(("method" if amount else "amount", exc.message))
    branch_id = h.branch_of(out, ctx)
    lines = _lines(out, values, amount or 0, ctx)
    if out.problems or when is None:
        return out
    out.values = {
        "visited_at": when,
        "lines": lines,
        "amount_fen": amount,
        "method": method,
        "branch_id": branch_id,
    }
    source = v.text_of(values.get("source_id"))
    services = ",".join(str(s) for s, _st, _a in lines)
    out.key = (
        f"id:{source}"
        if source
        else f"of:{h.holder_ref(out)}|{when:%Y%m%d%H%M}|{services}|{amount}"
    )
    return out


def _restated() -> str:
    return _("This visit came in before with other values: undo that import to bring it again.")


def _opening(ctx: h.HolderContext, batch: Any) -> h.Opening:
    actor = ctx.base.actor

    def open_(row: Checked, holder: Any) -> Visit:
        values = row.values
        return opening.visit_record_imported(
            actor=actor,
            customer_id=holder.pk,
            branch_id=values["branch_id"] or holder.branch_id,
            visited_at=values["visited_at"],
            lines=values["lines"],
            method=values["method"],
        )

    return h.Opening(
        kind=KIND,
        find=lambda row, holder: h.find_recorded(
            row, holder, ctx, KIND, Visit, _("This visit belongs to another customer.")
        ),
        open=open_,
        same=lambda row, visit: (
            (visit.total_fen, visit.visited_at)
            == (row.values["amount_fen"], row.values["visited_at"])
        ),
        moved=lambda visit: True,
        restate=h.never_restated(_restated()),
        preview=lambda row, holder: {
            "name": holder.name,
            "visited_at": f"{timezone.localtime(row.values['visited_at']):%Y-%m-%d %H:%M}",
            "amount": format_yuan(row.values["amount_fen"]),
            "method": row.values["method"],
        },
        moved_message=_restated(),
    )


class VisitsKind(h.HolderKind):
    """Visits undo on their own terms: a visit the batch brought is kept once anything but its
    lines and its own payment refers to it (a refund, a card entry, a session)."""

    def undo_blockers(self, batch: Any) -> list[str]:
        ids = _created(batch)
        out: list[str] = []
        for model, field in _referrers():
            n = model._default_manager.filter(**{f"{field}__in": ids}).aggregate(n=Count("pk"))["n"]
            if n:
                out.append(f"{n} {model._meta.verbose_name_plural}")
        return out

    def undo_remove(self, batch: Any) -> tuple[int, list[int]]:
        ids = _created(batch)
        visits = Visit.objects.filter(pk__in=ids)
        customers = sorted(set(visits.values_list("customer_id", flat=True)))
        Payment.objects.filter(visit__in=ids).delete()
        VisitLine.objects.filter(visit__in=ids).delete()
        n = visits.count()
        visits.delete()
        h.forget_created(batch, KIND)
        return n, customers


def _created(batch: ImportBatch) -> Any:
    return h.created_ids(batch, KIND)


def _referrers() -> list[tuple[Any, str]]:
    """Every table that points at a visit or one of its lines, but the lines and payments."""
    out: list[tuple[Any, str]] = []
    for model, prefix in ((Visit, ""), (VisitLine, "line__visit")):
        for relation in model._meta.related_objects:
            other = relation.related_model
            if (
                other in (VisitLine, Payment)
                or relation.many_to_many
                or not isinstance(other, type)
            ):
                continue
            out.append((other, f"{relation.field.name}__visit" if prefix else relation.field.name))
    return out


KIND_OBJECT = VisitsKind(
    name=KIND,
    columns=COLUMNS,
    context=context,
    check=check,
    opening=_opening,
    ledger=(Visit, VisitLine, "visit", ""),
)

"""Treatment packages: each row a package with the sessions it has left, as the old system had
it.

The package is opened through `sales.services.opening` with one MIGRATED ledger entry holding
the sessions left; the services it covers are named in the file (several in one cell) or are
those of the package template of the same name. Its holder is found as a card's is
(`holders`). Its stable key is the source system's package id, else the holder, name and
expiry; a re-run restates the sessions left while no session has been used since.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.core.money import format_yuan
from liuke.sales import ledger
from liuke.sales.choices import PackageEntryKind
from liuke.sales.models import Package, PackageEntry, PackageTemplate, Service
from liuke.sales.services import opening
from liuke.transfer import values as v
from liuke.transfer.kinds import Checked, Column
from liuke.transfer.kinds import customers as customer_kind
from liuke.transfer.kinds import holders as h
from liuke.transfer.mapping import normalise_header

KIND = "packages"

C = Column
COLUMNS: tuple[Column, ...] = (
    C(
        "source_id",
        "套餐编号",
        "Package ID",
        ("疗程编号", "次卡编号", "次卡ID", "套餐ID", "Package no", "Course ID"),
        example="P0001",
    ),
    *h.HOLDER_COLUMNS,
    h.CARD_COLUMN,
    C(
        "name",
        "套餐名称",
        "Package",
        ("疗程名称", "次卡名称", "项目卡", "套餐", "疗程", "次卡", "Package name", "Course"),
        required=True,
        example="补水护理10次卡",
    ),
    C(
        "services",
        "服务项目",
        "Services",
        ("项目", "适用项目", "包含项目", "服务", "Service", "Treatments"),
        example="补水护理",
    ),
    C(
        "sessions_left",
        "剩余次数",
        "Sessions left",
        ("剩余", "余次", "剩余疗程", "可用次数", "Remaining sessions", "Remaining"),
        required=True,
        example="6",
    ),
    C(
        "sessions_total",
        "总次数",
        "Sessions bought",
        ("购买次数", "疗程次数", "总疗程", "Total sessions", "Sessions"),
        example="10",
    ),
    C(
        "price",
        "购买金额",
        "Price",
        ("金额", "价格", "售价", "实收金额", "Amount paid"),
        example="2980",
    ),
    h.EXPIRES_COLUMN,
)


def context(*, actor: Any, branch_ids: Sequence[int]) -> h.HolderContext:
    business_id = policy.business_of(actor)
    names, _prices = h.names_of(Service.objects.filter(business_id=business_id))
    groups: dict[str, list[int]] = {}
    through = PackageTemplate.services.through
    for name, service_id in through.objects.filter(
        packagetemplate__business_id=business_id
    ).values_list("packagetemplate__name", "service_id"):
        groups.setdefault(normalise_header(name), []).append(service_id)
    return h.HolderContext(
        base=customer_kind.context(actor=actor, branch_ids=branch_ids), names=names, groups=groups
    )


def _read(out: Checked, values: Mapping[str, Any], key: str, reader: Any) -> Any:
    try:
        return reader(values.get(key))
    except v.BadValue as exc:
        out.problems.append((key, exc.message))
        return None


def _services(out: Checked, name: str, cell: Any, ctx: h.HolderContext) -> list[int]:
    wanted = v.split_tags(cell)
    if not wanted:
        found = ctx.groups.get(normalise_header(name), [])
        if not found:
            out.problems.append(
                ("services", _("Name the services: no package template has this name."))
            )
        return found
    ids: list[int] = []
    for service in wanted:
        pk = ctx.names.get(normalise_header(service))
        if pk is None:
            out.problems.append(
                ("services", _("No service has this name: %(name)s") % {"name": service})
            )
        elif pk not in ids:
            ids.append(pk)
    return ids


def check(
    row_no: int, cells: list[Any], values: Mapping[str, Any], ctx: h.HolderContext
) -> Checked:
    out = Checked(row_no=row_no, cells=cells)
    h.read_holder(out, values)
    out.refs["card"] = v.text_of(values.get("card")).upper().replace(" ", "")
    name = v.text_of(values.get("name"))[:100]
    if not name:
        out.problems.append(("name", _("Enter the package's name.")))
    left = _read(out, values, "sessions_left", v.parse_count)
    total = _read(out, values, "sessions_total", v.parse_count)
    if left is None and not any(k == "sessions_left" for k, _m in out.problems):
        out.problems.append(("sessions_left", _("Enter the sessions left.")))
    elif left is not None and not 1 <= left <= opening.MAX_SESSIONS:
        out.problems.append(("sessions_left", _("Sessions left must be 1 to 500.")))
    elif left is not None and total is not None and total < left:
        out.problems.append(("sessions_total", _("Fewer sessions bought than left.")))
    price = _read(out, values, "price", v.parse_fen)
    day = _read(out, values, "expires_on", v.parse_date)
    expires = day if not isinstance(day, v.MonthDay) else None
    service_ids = _services(out, name, values.get("services"), ctx) if name else []
    branch_id = h.branch_of(out, ctx)
    if out.problems:
        return out
    out.values = {
        "name": name,
        "service_ids": service_ids,
        "sessions_left": left,
        "sessions_total": total or left,
        "price_fen": price or 0,
        "expires_on": expires,
        "branch_id": branch_id,
    }
    source = v.text_of(values.get("source_id"))
    out.key = f"id:{source}" if source else f"of:{h.holder_ref(out)}|{name}|{expires or ''}|{total}"
    return out


def _opening(ctx: h.HolderContext, batch: Any) -> h.Opening:
    actor = ctx.base.actor

    def open_(row: Checked, holder: Any) -> Package:
        values = row.values
        return opening.package_open_migrated(
            actor=actor,
            customer_id=holder.pk,
            branch_id=values["branch_id"] or holder.branch_id,
            name=values["name"],
            service_ids=values["service_ids"],
            sessions_left=values["sessions_left"],
            sessions_total=values["sessions_total"],
            price_fen=values["price_fen"],
            expires_on=values["expires_on"],
        )

    return h.Opening(
        kind=KIND,
        find=lambda row, holder: h.find_recorded(
            row, holder, ctx, KIND, Package, _("This package belongs to another customer.")
        ),
        open=open_,
        same=lambda row, package: ledger.package_remaining(package) == row.values["sessions_left"],
        moved=lambda package: (
            PackageEntry.objects.filter(package=package)
            .exclude(kind=PackageEntryKind.MIGRATED)
            .exists()
        ),
        restate=lambda row, package: opening.package_restate_migrated(
            actor=actor, package_id=package.pk, sessions_left=row.values["sessions_left"]
        ),
        preview=lambda row, holder: {
            "name": holder.name,
            "package": row.values["name"],
            "sessions_left": str(row.values["sessions_left"]),
            "price": format_yuan(row.values["price_fen"]),
            "expires_on": str(row.values["expires_on"] or ""),
        },
        moved_message=_("The package has been used since it was brought in."),
    )


KIND_OBJECT = h.HolderKind(
    name=KIND,
    columns=COLUMNS,
    context=context,
    check=check,
    opening=_opening,
    ledger=(Package, PackageEntry, "package", PackageEntryKind.MIGRATED),
)

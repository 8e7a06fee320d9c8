"""Future appointments: each row one service booked for a customer with a staff member at a
time, on the clock of the branch.

Booked through the appointment book's own service (`appointments.services.appointment_book`):
its checks hold (the staff member performs the service at the branch, the time is ahead and
within opening hours, no overlap of staff or resource), and what it refuses, a conflict above
all, is the row's error in its words. Its holder is found as a card's is (`holders`). Its
stable key is the source system's booking number, else the holder, time and service; a re-run
finds it again (unchanged) and refuses a row that now says another time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.appointments.models import Appointment, AppointmentItem
from liuke.appointments.services import appointment_book
from liuke.sales.models import Service
from liuke.transfer import values as v
from liuke.transfer.kinds import Checked, Column
from liuke.transfer.kinds import customers as customer_kind
from liuke.transfer.kinds import holders as h
from liuke.transfer.mapping import normalise_header

KIND = "appointments"

C = Column
COLUMNS: tuple[Column, ...] = (
    C(
        "source_id",
        "预约单号",
        "Booking number",
        ("预约编号", "预约号", "预约ID", "Booking ID", "Appointment ID"),
        example="Y20250105001",
    ),
    *h.HOLDER_COLUMNS,
    h.CARD_COLUMN,
    C(
        "starts_at",
        "预约时间",
        "Starts at",
        ("预约日期", "开始时间", "到店时间", "时间", "Date", "Time", "Start"),
        required=True,
        example="2026-12-20 14:30",
    ),
    C(
        "service",
        "预约项目",
        "Service",
        ("服务项目", "项目", "服务", "Treatment"),
        required=True,
        example="补水护理",
    ),
    C(
        "staff",
        "服务员工",
        "Staff",
        ("员工", "技师", "美容师", "发型师", "指定员工", "Staff member", "Therapist", "Stylist"),
        required=True,
        example="王芳",
    ),
    C("notes", "备注", "Notes", ("预约备注", "Remarks", "Note"), example=""),
)


def context(*, actor: Any, branch_ids: Sequence[int]) -> h.HolderContext:
    names, _prices = h.names_of(Service.objects.filter(business_id=policy.business_of(actor)))
    base = customer_kind.context(actor=actor, branch_ids=branch_ids)
    return h.HolderContext(base=base, names=names)


def check(
    row_no: int, cells: list[Any], values: Mapping[str, Any], ctx: h.HolderContext
) -> Checked:
    out = Checked(row_no=row_no, cells=cells)
    h.read_holder(out, values)
    out.refs["card"] = v.text_of(values.get("card")).upper().replace(" ", "")
    starts = None
    try:
        starts = v.parse_datetime(values.get("starts_at"))
    except v.BadValue as exc:
        out.problems.append(("starts_at", exc.message))
    service = v.text_of(values.get("service"))
    service_id = ctx.names.get(normalise_header(service))
    if service_id is None:
        out.problems.append(
            ("service", _("No service has this name: %(name)s") % {"name": service})
        )
    staff_id = ctx.base.staff.get(normalise_header(v.text_of(values.get("staff"))))
    if staff_id is None:
        out.problems.append(("staff", _("No active staff member has this name.")))
    branch_id = h.branch_of(out, ctx)
    if out.problems or starts is None:
        return out
    out.values = {
        "starts_at": starts.replace(tzinfo=None),
        "service_id": service_id,
        "staff_id": staff_id,
        "notes": v.text_of(values.get("notes"))[:500],
        "branch_id": branch_id,
    }
    source = v.text_of(values.get("source_id"))
    out.key = (
        f"id:{source}" if source else f"of:{h.holder_ref(out)}|{starts:%Y%m%d%H%M}|{service_id}"
    )
    return out


def _same(row: Checked, appointment: Appointment) -> bool:
    zone = ZoneInfo(appointment.branch.time_zone)
    local = appointment.starts_at.astimezone(zone).replace(tzinfo=None)
    return bool(local == row.values["starts_at"])


def _moved() -> str:
    return _("This appointment came in before at another time: move it in the book.")


def _opening(ctx: h.HolderContext, batch: Any) -> h.Opening:
    actor = ctx.base.actor

    def open_(row: Checked, holder: Any) -> Appointment:
        values = row.values
        return appointment_book(
            actor=actor,
            branch_id=values["branch_id"] or holder.branch_id,
            customer_id=holder.pk,
            items=[
                {
                    "service_id": values["service_id"],
                    "staff_id": values["staff_id"],
                    "start_at": values["starts_at"],
                }
            ],
            notes=values["notes"],
        )

    return h.Opening(
        kind=KIND,
        find=lambda row, holder: h.find_recorded(
            row, holder, ctx, KIND, Appointment, _("This appointment is another customer's.")
        ),
        open=open_,
        same=_same,
        moved=lambda appointment: True,
        restate=h.never_restated(_moved()),
        preview=lambda row, holder: {
            "name": holder.name,
            "starts_at": f"{row.values['starts_at']:%Y-%m-%d %H:%M}",
        },
        moved_message=_moved(),
    )


class AppointmentsKind(h.HolderKind):
    """Appointments undo while still only booked or confirmed: one that has been arrived at,
    served, cancelled or missed is the book's history now."""

    def undo_blockers(self, batch: Any) -> list[str]:
        n = _created(batch).exclude(status__in=("booked", "confirmed")).count()
        return [f"{n} {Appointment._meta.verbose_name_plural}"] if n else []

    def undo_remove(self, batch: Any) -> tuple[int, list[int]]:
        created = _created(batch)
        customers = sorted(set(created.values_list("customer_id", flat=True)))
        AppointmentItem.objects.filter(appointment__in=created).delete()
        n = created.count()
        created.delete()
        h.forget_created(batch, KIND)
        return n, customers


def _created(batch: Any) -> Any:
    ids = h.created_ids(batch, KIND)
    return Appointment.objects.filter(pk__in=ids)


KIND_OBJECT = AppointmentsKind(
    name=KIND,
    columns=COLUMNS,
    context=context,
    check=check,
    opening=_opening,
    ledger=(Appointment, AppointmentItem, "appointment", ""),
)

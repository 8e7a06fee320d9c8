"""A salon for the appointment book: services, staff at both branches, a customer, resources."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone
from tests.factories import customer_make, user_make

from liuke.accounts.choices import Role
from liuke.accounts.models import Branch, User
from liuke.appointments import services
from liuke.appointments.models import Appointment, AppointmentItem, Resource
from liuke.customers.models import Customer
from liuke.sales.models import Service


@dataclass
class Salon:
    owner: User
    branch: Branch
    other_branch: Branch
    lin: User  # beautician_a
    wu: User  # a second beautician of branch A
    zhou: User  # a beautician of branch B
    facial: Service  # 60 minutes
    massage: Service  # 45 minutes
    customer: Customer
    beds: Resource  # count 2
    device: Resource  # count 1


def salon_make(*, owner: User, branch: Branch, other_branch: Branch, beautician: User) -> Salon:
    business_id = branch.business_id
    facial = Service.objects.create(
        business_id=business_id, category="facial", name="面部护理", duration_min=60, price_fen=1
    )
    massage = Service.objects.create(
        business_id=business_id, category="spa", name="肩颈按摩", duration_min=45, price_fen=1
    )
    wu = user_make(
        business=branch.business, role=Role.BEAUTICIAN, branches=[branch], display_name="吴"
    )
    zhou = user_make(
        business=branch.business,
        role=Role.BEAUTICIAN,
        branches=[other_branch],
        display_name="周",
    )
    beds = services.resource_create(
        actor=owner, branch_id=branch.pk, name="美容床", kind="bed", count=2
    )
    device = services.resource_create(
        actor=owner, branch_id=branch.pk, name="光子仪", kind="device", count=1
    )
    customer = customer_make(actor=owner, branch=branch, name="林小雨")
    return Salon(
        owner, branch, other_branch, beautician, wu, zhou, facial, massage, customer, beds, device
    )


def at(branch: Branch, days: int, hour: int, minute: int = 0) -> dt.datetime:
    """`days` from today on the branch's clock, at hour:minute there (aware)."""
    zone = ZoneInfo(branch.time_zone)
    day = timezone.now().astimezone(zone).date() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone)


def item(service: Service, staff: User, start: dt.datetime, **more: Any) -> dict[str, Any]:
    return {"service_id": service.pk, "staff_id": staff.pk, "start_at": start, **more}


def book(salon: Salon, actor: User, *items: dict[str, Any], **more: Any) -> Appointment:
    return services.appointment_book(
        actor=actor,
        branch_id=salon.branch.pk,
        customer_id=more.pop("customer_id", salon.customer.pk),
        items=list(items),
        **more,
    )


def counts() -> tuple[int, int]:
    """Appointments and items: a refused write must leave both unchanged."""
    return Appointment.objects.count(), AppointmentItem.objects.count()

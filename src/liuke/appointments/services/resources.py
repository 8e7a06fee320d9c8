"""The resources of a branch (rooms, beds, devices) and the resources services need: kept by
owners and managers (`appointments.manage`)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.models import User
from liuke.appointments.capabilities import AppointmentCap
from liuke.appointments.errors import AppointmentsErrorCode as E
from liuke.appointments.models import AppointmentItem, Resource, ServiceResource
from liuke.appointments.services.booking import booking_branch, lock_in_scope
from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.core.errors import NotFound, ServiceError
from liuke.sales.models import Service


def _duplicate() -> ServiceError:
    return ServiceError(E.DUPLICATE_NAME, _("This branch already has a resource of that name."))


@transaction.atomic
def resource_create(
    *, actor: User, branch_id: int, name: str, kind: str, count: int = 1
) -> Resource:
    policy.require(actor, AppointmentCap.APPOINTMENT_MANAGE)
    branch = booking_branch(actor, branch_id)
    if Resource.objects.filter(branch=branch, name=name).exists():
        raise _duplicate()
    resource = Resource.objects.create(
        business_id=branch.business_id, branch=branch, name=name, kind=kind, count=count
    )
    audit_record(actor=actor, action=Action.SETTINGS, fields=["resource"])
    return resource


def _managed(actor: User, resource_id: int) -> Resource:
    policy.require(actor, AppointmentCap.APPOINTMENT_MANAGE)
    return lock_in_scope(actor, Resource.objects.all(), resource_id, _("No such resource."))


def _busiest_unit_ahead(resource: Resource) -> int:
    """The highest unit any coming active item holds (-1: none): a smaller count would leave
    it outside the units 0 … count-1 while it still holds its time."""
    units = AppointmentItem.objects.filter(
        resource=resource, active=True, end_at__gt=timezone.now()
    ).values_list("resource_unit", flat=True)
    return max((u for u in units if u is not None), default=-1)


@transaction.atomic
def resource_update(*, actor: User, resource_id: int, data: dict[str, Any]) -> Resource:
    """Change a resource's name, kind, count or whether it is in use (`data`: those keys)."""
    resource = _managed(actor, resource_id)
    count = data.get("count")
    if count is not None and count <= _busiest_unit_ahead(resource):
        raise ServiceError(
            E.COUNT_IN_USE, _("More of these are booked at once from now on: move them first.")
        )
    for key in ("name", "kind", "count", "is_active"):
        if data.get(key) is not None:
            setattr(resource, key, data[key])
    try:
        with transaction.atomic():
            resource.save()
    except IntegrityError:
        raise _duplicate() from None
    audit_record(actor=actor, action=Action.SETTINGS, fields=["resource"])
    return resource


@transaction.atomic
def service_resource_set(
    *, actor: User, service_id: int, kind: str, resource_id: int | None = None
) -> ServiceResource:
    """Say that a service needs a resource of `kind` (or the one named resource)."""
    policy.require(actor, AppointmentCap.APPOINTMENT_MANAGE)
    business_id = policy.business_of(actor)
    service = Service.objects.filter(pk=service_id, business_id=business_id).first()
    if service is None:
        raise ServiceError(E.INVALID_SERVICE, _("Not a service on the menu."))
    resource = None
    if resource_id is not None:
        resource = Resource.objects.filter(pk=resource_id, business_id=business_id).first()
        if resource is None or resource.kind != kind:
            raise ServiceError(E.INVALID_RESOURCE, _("Not a resource of that kind."))
    need, _created = ServiceResource.objects.update_or_create(
        service=service, kind=kind, defaults={"resource": resource}
    )
    ServiceResource.objects.filter(service=service).exclude(pk=need.pk).delete()
    audit_record(actor=actor, action=Action.SETTINGS, fields=["service_resource"])
    return need


@transaction.atomic
def service_resource_clear(*, actor: User, service_id: int) -> int:
    policy.require(actor, AppointmentCap.APPOINTMENT_MANAGE)
    if not Service.objects.filter(pk=service_id, business_id=policy.business_of(actor)).exists():
        raise NotFound(_("No such service."))
    deleted, _rows = ServiceResource.objects.filter(service_id=service_id).delete()
    if deleted:
        audit_record(actor=actor, action=Action.SETTINGS, fields=["service_resource"])
    return deleted

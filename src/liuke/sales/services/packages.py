"""Packages of sessions: sold for money, their expiry extended by a manager."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.models import User
from liuke.audit.log import audit_record
from liuke.core.errors import ServiceError
from liuke.core.locking import retry_on_conflict
from liuke.core.money import validate_fen
from liuke.core.text import clean_text
from liuke.sales import ledger
from liuke.sales.capabilities import SalesCap
from liuke.sales.choices import (
    PackageEntryKind,
    PaymentPurpose,
)
from liuke.sales.errors import SalesErrorCode
from liuke.sales.models import (
    Package,
    Payment,
    Service,
)
from liuke.sales.services.lookups import (
    branch_for,
    customer_for,
    locked_package,
    money_method,
)


@retry_on_conflict()
@transaction.atomic
def package_sell(
    *,
    actor: User,
    customer_id: int,
    branch_id: int,
    name: str,
    service_ids: Sequence[int],
    sessions: int,
    price_fen: int,
    method: str,
    expires_on: dt.date | None = None,
) -> Package:
    policy.require(actor, SalesCap.PACKAGE_SELL)
    customer = customer_for(actor, customer_id)
    branch = branch_for(actor, branch_id)
    name = clean_text(name, max_length=100, field=_("name"))
    if not name:
        raise ServiceError(SalesErrorCode.NAME_REQUIRED, _("Name the package."))
    if isinstance(sessions, bool) or not isinstance(sessions, int) or not 1 <= sessions <= 500:
        raise ServiceError(SalesErrorCode.INVALID_SESSIONS, _("A package has 1 to 500 sessions."))
    price = validate_fen(price_fen, field="price_fen", allow_zero=True)
    method = money_method(method)
    services = list(
        Service.objects.filter(pk__in=list(service_ids), business_id=customer.business_id)
    )
    if not services or len(services) != len(set(service_ids)):
        raise ServiceError(
            SalesErrorCode.INVALID_SERVICE, _("Choose the services the package covers.")
        )
    if expires_on is not None and expires_on <= timezone.localdate():
        raise ServiceError(
            SalesErrorCode.INVALID_EXPIRY, _("The expiry date must be in the future.")
        )
    package = Package.objects.create(
        business_id=customer.business_id,
        branch=branch,
        customer=customer,
        name=name,
        sessions_total=sessions,
        price_fen=price,
        expires_on=expires_on,
        created_by=actor,
    )
    package.services.set(services)
    ledger.package_append(package, kind=PackageEntryKind.SALE, delta=sessions, actor=actor)
    if price:
        Payment.objects.create(
            business_id=customer.business_id,
            branch=branch,
            customer=customer,
            purpose=PaymentPurpose.PACKAGE_SALE,
            method=method,
            amount_fen=price,
            staff=actor,
        )
    audit_record(
        actor=actor,
        action="package_sell",
        customer_ids=[customer.pk],
        fields=[f"package:{package.pk}"],
    )
    return package


@retry_on_conflict()
@transaction.atomic
def package_extend(*, actor: User, package_id: int, expires_on: dt.date, reason: str) -> Package:
    """A manager moves a package's expiry date, with a reason (recorded in its ledger)."""
    policy.require(actor, SalesCap.PACKAGE_EXTEND)
    package = locked_package(actor, package_id)
    reason = clean_text(reason, max_length=150, field=_("reason"))
    if not reason:
        raise ServiceError(SalesErrorCode.REASON_REQUIRED, _("Give a reason for the extension."))
    if package.expires_on is not None and expires_on <= package.expires_on:
        raise ServiceError(SalesErrorCode.INVALID_EXPIRY, _("The new expiry date must be later."))
    old = package.expires_on
    package.expires_on = expires_on
    package.save(update_fields=["expires_on", "updated_at"])
    ledger.package_append(
        package,
        kind=PackageEntryKind.EXTEND,
        delta=0,
        actor=actor,
        note=f"{old or '—'} → {expires_on}: {reason}",
    )
    audit_record(
        actor=actor,
        action="package_extend",
        customer_ids=[package.customer_id],
        fields=[f"package:{package.pk}"],
    )
    return package

"""Packages of sessions: sold for money, their expiry extended by a manager."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

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
    CommissionKind,
    PackageEntryKind,
    PaymentPurpose,
)
from liuke.sales.errors import SalesErrorCode
from liuke.sales.models import (
    Package,
    PackageTemplate,
    Payment,
    Service,
)
from liuke.sales.services.commission import commissions_for_sale
from liuke.sales.services.lookups import (
    branch_for,
    customer_for,
    locked_package,
    money_method,
)


class PriceOverrideDenied(ServiceError):
    status = 403

    def __init__(self) -> None:
        super().__init__(
            SalesErrorCode.PRICE_OVERRIDE_NOT_ALLOWED,
            _("Only a manager may sell a package at another price than its template's."),
        )


@dataclass(frozen=True)
class _Terms:
    """What a package is sold as: its name, services, sessions, price and expiry."""

    name: str
    service_ids: list[int]
    sessions: int
    price_fen: int
    expires_on: dt.date | None
    template: PackageTemplate | None = None
    price_reason: str = ""


def _template_terms(
    actor: User,
    branch_id: int,
    template_id: int,
    price_fen: int | None,
    price_reason: str,
    expires_on: dt.date | None,
) -> _Terms:
    """The template's terms; another price only by a manager and with a reason."""
    template = (
        PackageTemplate.objects.filter(
            pk=template_id, business_id=policy.business_of(actor), is_active=True
        )
        .prefetch_related("branches", "services")
        .first()
    )
    branches = [b.pk for b in template.branches.all()] if template else []
    if template is None or (branches and branch_id not in branches):
        raise ServiceError(
            SalesErrorCode.INVALID_TEMPLATE, _("Choose a package sold at this branch.")
        )
    price = template.price_fen
    reason = clean_text(price_reason or "", max_length=200, field=_("reason"))
    if price_fen is not None and price_fen != template.price_fen:
        if not policy.can(actor, SalesCap.PACKAGE_PRICE_OVERRIDE):
            raise PriceOverrideDenied()
        price = validate_fen(price_fen, field="price_fen", allow_zero=True)
        if not reason:
            raise ServiceError(
                SalesErrorCode.PRICE_REASON_REQUIRED,
                _("Give a reason for selling at another price."),
                fields={"price_reason": [_("Give a reason for selling at another price.")]},
            )
    else:
        reason = ""
    if expires_on is None and template.validity_days:
        expires_on = timezone.localdate() + dt.timedelta(days=template.validity_days)
    return _Terms(
        name=template.name,
        service_ids=[s.pk for s in template.services.all()],
        sessions=template.sessions,
        price_fen=price,
        expires_on=expires_on,
        template=template,
        price_reason=reason,
    )


def _custom_terms(
    actor: User,
    name: str | None,
    service_ids: Sequence[int],
    sessions: int | None,
    price_fen: int | None,
    expires_on: dt.date | None,
) -> _Terms:
    """A package made up at the till (no template): its price is typed, so only a manager."""
    if not policy.can(actor, SalesCap.PACKAGE_PRICE_OVERRIDE):
        raise PriceOverrideDenied()
    name = clean_text(name or "", max_length=100, field=_("name"))
    if not name:
        raise ServiceError(SalesErrorCode.NAME_REQUIRED, _("Name the package."))
    if isinstance(sessions, bool) or not isinstance(sessions, int) or not 1 <= sessions <= 500:
        raise ServiceError(SalesErrorCode.INVALID_SESSIONS, _("A package has 1 to 500 sessions."))
    price = validate_fen(price_fen, field="price_fen", allow_zero=True)
    return _Terms(name, list(service_ids), sessions, price, expires_on)


def _audit_sale(actor: User, package: Package, terms: _Terms) -> None:
    """The sale in the audit log: the template sold from, and a price changed with its reason."""
    fields = [f"package:{package.pk}"]
    if terms.template is not None:
        fields.append(f"template:{terms.template.pk}")
        if terms.price_reason:
            fields.append(f"price_fen: {terms.template.price_fen} → {terms.price_fen}")
    audit_record(
        actor=actor,
        action="package_sell",
        customer_ids=[package.customer_id],
        fields=fields,
        reason=terms.price_reason,
    )


@retry_on_conflict()
@transaction.atomic
def package_sell(
    *,
    actor: User,
    customer_id: int,
    branch_id: int,
    method: str,
    template_id: int | None = None,
    price_fen: int | None = None,
    price_reason: str = "",
    name: str | None = None,
    service_ids: Sequence[int] = (),
    sessions: int | None = None,
    expires_on: dt.date | None = None,
) -> Package:
    """Sell a package from a template (its sessions, services, price and validity copied into
    the package). A manager may sell it at another price, with a reason recorded on the
    package, in its ledger and in the audit log; a front desk may not. Without a template a
    manager sells a package made up at the till (`name`, `service_ids`, `sessions`, price)."""
    policy.require(actor, SalesCap.PACKAGE_SELL)
    customer = customer_for(actor, customer_id)
    branch = branch_for(actor, branch_id)
    terms = (
        _template_terms(actor, branch.pk, template_id, price_fen, price_reason, expires_on)
        if template_id is not None
        else _custom_terms(actor, name, service_ids, sessions, price_fen, expires_on)
    )
    method = money_method(method)
    services = list(
        Service.objects.filter(pk__in=terms.service_ids, business_id=customer.business_id)
    )
    if not services or len(services) != len(set(terms.service_ids)):
        raise ServiceError(
            SalesErrorCode.INVALID_SERVICE, _("Choose the services the package covers.")
        )
    if terms.expires_on is not None and terms.expires_on <= timezone.localdate():
        raise ServiceError(
            SalesErrorCode.INVALID_EXPIRY, _("The expiry date must be in the future.")
        )
    package = Package.objects.create(
        business_id=customer.business_id,
        branch=branch,
        customer=customer,
        name=terms.name,
        sessions_total=terms.sessions,
        price_fen=terms.price_fen,
        expires_on=terms.expires_on,
        created_by=actor,
        template=terms.template,
        price_reason=terms.price_reason,
    )
    package.services.set(services)
    note = ""
    if terms.template is not None and terms.price_reason:
        note = f"{terms.template.price_fen} → {terms.price_fen}: {terms.price_reason}"[:200]
    ledger.package_append(
        package, kind=PackageEntryKind.SALE, delta=terms.sessions, actor=actor, note=note
    )
    if terms.price_fen:
        payment = Payment.objects.create(
            business_id=customer.business_id,
            branch=branch,
            customer=customer,
            purpose=PaymentPurpose.PACKAGE_SALE,
            method=method,
            amount_fen=terms.price_fen,
            staff=actor,
        )
        commissions_for_sale(payment=payment, kind=CommissionKind.PACKAGE)
    _audit_sale(actor, package, terms)
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

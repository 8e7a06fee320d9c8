"""Visits: the one way tests make a visit without the checkout (which the sales tests drive
through `sales.services.checkout`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from liuke.accounts.models import Branch, User
from liuke.customers.models import Customer
from liuke.sales.models import Service, Visit, VisitLine


def visit_build(
    *,
    customer: Customer,
    at: dt.datetime | None = None,
    days_ago: int = 0,
    total_fen: int = 38800,
    served_by: User | None = None,
    branch: Branch | None = None,
    **fields: Any,
) -> Visit:
    """An unsaved visit (for `bulk_create`): at `at`, or `days_ago` days before now; in the
    customer's branch unless another is given; the local day from the time."""
    at = at or timezone.now() - dt.timedelta(days=days_ago)
    return Visit(
        business_id=customer.business_id,
        branch_id=branch.pk if branch is not None else customer.branch_id,
        customer=customer,
        visited_at=at,
        visited_on=timezone.localdate(at),
        total_fen=total_fen,
        served_by=served_by,
        **fields,
    )


def visit_make(*, lines: Iterable[tuple[User, Service, int]] = (), **build: Any) -> Visit:
    """A visit written straight into sales.Visit (see `visit_build` for the fields), with
    (staff, service, amount in fen) lines."""
    visit = visit_build(**build)
    visit.save()
    VisitLine.objects.bulk_create(
        [
            VisitLine(visit=visit, staff=staff, service=service, amount_fen=fen)
            for staff, service, fen in lines
        ]
    )
    return visit

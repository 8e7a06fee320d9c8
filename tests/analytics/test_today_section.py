"""The at-risk customers most worth a call, on the owner's and manager's "today" page (issue 16):
the top of the dashboard's call list, from the model's last run, for those who see analytics."""

from __future__ import annotations

import re

from django.test import Client
from tests.analytics.test_api_pages import (  # noqa: F401 (fixtures: the refreshed salon)
    _archive,
    auditor,
    beautician_a,
    branch_a,
    branch_b,
    business,
    front_a,
    front_b,
    manager_a,
    other_branch,
    other_business,
    outsider,
    owner,
    refreshed,
)

from liuke.analytics.models import CustomerFigures
from liuke.customers.models import Customer


def _section(page: str) -> str:
    found = re.search(r'<section[^>]*id="today-at_risk".*?</section>', page, re.S)
    return found.group(0) if found else ""


def test_the_owner_sees_whom_to_call_today(
    owner_client: Client,
    refreshed: list[Customer],  # noqa: F811
) -> None:
    top = (
        CustomerFigures.objects.filter(value_lost_fen__gt=0)
        .select_related("customer")
        .order_by("-value_lost_fen", "customer_id")
        .first()
    )
    assert top is not None  # the refreshed salon has customers slipping away
    section = _section(owner_client.get("/today/").content.decode())
    assert top.customer.name in section
    assert "20倍法则" in section  # which value it is: the 20× rule's value lost


def test_the_beautician_sees_no_call_list(
    beautician_a_client: Client,
    refreshed: list[Customer],  # noqa: F811
) -> None:
    assert _section(beautician_a_client.get("/today/").content.decode()) == ""

"""What waits for someone shows as a count beside the link in the navigation (issue 16: a
key-account request reached the approver only if they opened the page while the customer waited
at the counter): access requests to decide, escalated complaints and compensations to approve,
callbacks and follow-ups due. Every count of a page costs one query together."""

from __future__ import annotations

import re

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries
from tests.complaints.helpers import open_complaint
from tests.engagement.helpers import visit_with_followups
from tests.factories import customer_make
from tests.sales.shop import Shop, shop_make

from liuke.accounts.models import Branch, User
from liuke.customers import services as customer_services
from liuke.web.context_processors import navigation

pytestmark = pytest.mark.django_db


def _badge(page: str, url: str) -> int:
    link = re.search(rf'<a href="{re.escape(url)}"[^>]*>(.*?)</a>', page, re.S)
    assert link is not None, url
    count = re.search(r'class="badge count"[^>]*>(\d+)<', link.group(1))
    return int(count.group(1)) if count else 0


def test_what_waits_for_the_manager_is_counted_in_the_navigation(
    owner: User,
    manager_a: User,
    front_a: User,
    beautician_a: User,
    branch_a: Branch,
    manager_a_client: Client,
    front_a_client: Client,
) -> None:
    key = customer_make(actor=owner, branch=branch_a, is_key_account=True, owner_id=manager_a.pk)
    page = manager_a_client.get(reverse("customers:list")).content.decode()
    assert _badge(page, reverse("customers:access")) == 0
    customer_services.access_request(actor=front_a, customer_id=key.pk, reason="顾客在前台等")
    shop: Shop = shop_make(owner=owner, branch=branch_a, beautician=beautician_a)
    open_complaint(front_a, shop, severity="critical")  # escalated to the branch's manager
    customer = customer_make(actor=owner, branch=branch_a)
    visit_with_followups(customer=customer, served_by=manager_a)  # day 1 due today
    page = manager_a_client.get(reverse("customers:list")).content.decode()
    assert _badge(page, reverse("customers:access")) == 1
    assert _badge(page, reverse("complaints:list")) == 1
    # today's follow-up, and the task the escalation gave them (due at once)
    assert _badge(page, reverse("engagement:followups")) == 2
    # none of it is the front desk's to act on
    theirs = front_a_client.get(reverse("customers:list")).content.decode()
    assert _badge(theirs, reverse("customers:access")) == 0
    assert _badge(theirs, reverse("complaints:list")) == 0
    assert _badge(theirs, reverse("engagement:followups")) == 0


def test_every_count_of_a_page_is_one_query(
    manager_a: User, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    request = RequestFactory().get("/")
    request.user = manager_a
    request.resolver_match = None
    # the user's branches are read once and kept on the user (a page's view has read them)
    [item["badge"]() for item in navigation(request)["nav"]]
    context = navigation(request)
    with django_assert_num_queries(1):
        counts = {item["url"]: item["badge"]() for item in context["nav"]}
    assert counts[reverse("customers:access")] == 0
    with django_assert_num_queries(0):  # a partial that shows no navigation pays nothing
        navigation(request)

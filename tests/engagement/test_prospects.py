"""Calls from an unknown number (issue 16): logged with their reason without making a customer,
listed for a call back (the number in full with a tel: link for those who may call, masked for
others, every list audited, never logged), and turned into a customer later with every call
from that number as their contacts, under the archive's rule that one number is one person."""

from __future__ import annotations

import logging

import pytest
from django.test import Client
from django.urls import reverse
from tests.factories import customer_make

from liuke.accounts.models import Branch, User
from liuke.audit.models import AuditEvent
from liuke.core.errors import ServiceError
from liuke.customers.models import Customer
from liuke.engagement.models import Contact, ContactReason, ProspectCall
from liuke.engagement.services.prospects import prospect_call_log, prospect_convert

pytestmark = pytest.mark.django_db

NUMBER = "13912345678"


@pytest.fixture
def reason(branch_a: Branch) -> ContactReason:
    return ContactReason.objects.filter(business_id=branch_a.business_id).order_by("id")[0]


def test_a_call_from_an_unknown_number_is_logged_and_listed_for_a_call_back(
    front_a: User,
    front_a_client: Client,
    auditor_client: Client,
    reason: ContactReason,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    page = front_a_client.get(reverse("engagement:prospects"), {"mobile": NUMBER}).content
    assert f'value="{NUMBER}"'.encode() in page  # from the contact page's phone search
    response = front_a_client.post(
        reverse("engagement:prospects"),
        {"mobile": "139 1234 5678", "reason_id": reason.pk, "notes": "问价格"},
    )
    assert response.status_code == 302
    call = ProspectCall.objects.get()
    assert (call.mobile, call.name, call.customer_id) == (NUMBER, "", None)
    assert not Customer.objects.exists()

    listed = front_a_client.get(reverse("engagement:prospects")).content.decode()
    assert f'href="tel:{NUMBER}"' in listed
    assert "问价格" in listed
    masked = auditor_client.get(reverse("engagement:prospects")).content.decode()
    assert NUMBER not in masked
    assert "139****5678" in masked
    assert "tel:" not in masked
    listings = [e for e in AuditEvent.objects.filter(action="list") if "prospect_calls" in e.fields]
    assert len(listings) == 2
    assert NUMBER not in caplog.text


def test_the_contact_page_offers_to_log_a_call_from_a_number_nobody_has(
    front_a_client: Client,
) -> None:
    page = front_a_client.get(reverse("engagement:contact_new"), {"q": NUMBER}).content.decode()
    assert f"{reverse('engagement:prospects')}?mobile={NUMBER}" in page


def test_the_caller_becomes_a_customer_with_every_call_from_the_number(
    front_a: User, front_a_client: Client, reason: ContactReason
) -> None:
    first = prospect_call_log(actor=front_a, mobile=NUMBER, reason_id=reason.pk, notes="问价格")
    prospect_call_log(actor=front_a, mobile=NUMBER, reason_id=reason.pk, name="李女士")
    response = front_a_client.post(
        reverse("engagement:prospect_customer", args=[first.pk]), {"name": "李雪", "gender": "F"}
    )
    customer = Customer.objects.get()
    assert response["Location"] == reverse("customers:detail", args=[customer.pk])
    assert (customer.name, customer.mobile, customer.salutation) == ("李雪", NUMBER, "李女士")
    contacts = Contact.objects.filter(customer=customer).order_by("occurred_at")
    assert [c.notes for c in contacts] == ["问价格", ""]
    assert all(c.channel == "phone" and c.direction == "in" for c in contacts)
    assert not ProspectCall.objects.filter(converted_at__isnull=True).exists()
    assert "李女士" not in front_a_client.get(reverse("engagement:prospects")).content.decode()
    with pytest.raises(ServiceError) as again:
        prospect_convert(actor=front_a, call_id=first.pk)
    assert again.value.code == "prospect_converted"


def test_a_number_a_customer_already_has_is_that_customer_s_call(
    front_a: User, reason: ContactReason
) -> None:
    known = customer_make(actor=front_a, name="王丽", mobile=NUMBER)
    call = prospect_call_log(actor=front_a, mobile=NUMBER, reason_id=reason.pk)
    assert prospect_convert(actor=front_a, call_id=call.pk) == known
    assert Customer.objects.count() == 1
    assert Contact.objects.get().customer == known


def test_a_number_of_another_branch_s_customer_is_not_found_for_the_front_desk(
    front_a: User, front_b: User, branch_b: Branch, reason: ContactReason
) -> None:
    customer_make(actor=front_b, branch=branch_b, name="王丽", mobile=NUMBER)
    call = prospect_call_log(actor=front_a, mobile=NUMBER, reason_id=reason.pk)
    with pytest.raises(ServiceError) as refused:
        prospect_convert(actor=front_a, call_id=call.pk)
    assert refused.value.code == "number_elsewhere"
    assert "王丽" not in refused.value.message
    assert Customer.objects.count() == 1
    assert not Contact.objects.exists()


def test_another_branch_neither_sees_nor_converts_the_call(
    front_a: User, front_b: User, front_b_client: Client, reason: ContactReason
) -> None:
    call = prospect_call_log(actor=front_a, mobile=NUMBER, reason_id=reason.pk, name="李女士")
    page = front_b_client.get(reverse("engagement:prospects")).content.decode()
    assert "李女士" not in page
    assert "5678" not in page
    response = front_b_client.post(reverse("engagement:prospect_customer", args=[call.pk]))
    assert response.status_code in (302, 404)
    assert not Customer.objects.exists()
    call.refresh_from_db()
    assert call.converted_at is None


def test_the_calls_to_return_are_on_the_front_desk_s_today_page(
    front_a: User, front_a_client: Client, auditor_client: Client, reason: ContactReason
) -> None:
    prospect_call_log(actor=front_a, mobile=NUMBER, reason_id=reason.pk, name="李女士")
    today = front_a_client.get(reverse("web:today")).content.decode()
    waiting = today.split('id="prospects-waiting"', 1)[1].split("</ul>", 1)[0]
    assert "李女士" in waiting
    assert f'href="tel:{NUMBER}"' in waiting
    assert 'id="prospects-waiting"' not in auditor_client.get(reverse("web:today")).content.decode()

"""A form of address the customer chose (王姐) is stored on the profile and greets her; the old
default templates that used the given name alone are turned to {salutation}."""

from __future__ import annotations

import datetime as dt
import importlib

from django.apps import apps
from django.test import Client
from django.urls import reverse

from liuke.accounts.models import Branch, Business, User
from liuke.customers.models import Customer
from liuke.engagement.choices import MessageKind, MessageStatus
from liuke.engagement.defaults import TEMPLATES
from liuke.engagement.models import Message, MessageTemplate
from liuke.engagement.rendering import render

_MIGRATION = importlib.import_module(
    "liuke.engagement.migrations.0006_salutation_in_old_default_templates"
)


def test_a_chosen_form_of_address_comes_before_surname_and_title() -> None:
    assert Customer(name="王丽", gender="F", address_as="王姐").salutation == "王姐"
    assert Customer(name="王丽", gender="F", address_as="").salutation == "王女士"


def test_the_form_of_address_is_set_on_the_form_and_greets_the_customer(
    front_a: User, front_a_client: Client, branch_a: Branch, business: Business
) -> None:
    page = front_a_client.get(reverse("customers:create")).content.decode()
    assert 'name="address_as"' in page
    response = front_a_client.post(
        reverse("customers:create"),
        {"name": "王丽", "gender": "F", "branch_id": branch_a.pk, "address_as": "王姐"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    customer = Customer.objects.get(name="王丽")
    assert customer.address_as == "王姐"
    edit = front_a_client.get(reverse("customers:edit", args=[customer.pk])).content.decode()
    assert 'value="王姐"' in edit
    template = MessageTemplate.objects.get(business=business, kind=MessageKind.BIRTHDAY)
    message = Message(
        business=business,
        branch=branch_a,
        customer=customer,
        kind=MessageKind.BIRTHDAY,
        occasion_on=dt.date(2026, 12, 14),
        status=MessageStatus.QUEUED,
    )
    assert render(message, template).startswith("王姐您好")


def test_old_default_templates_are_turned_to_salutation_and_edited_ones_are_kept(
    business: Business, other_business: Business
) -> None:
    old_zh, old_en = _MIGRATION.OLD[MessageKind.BIRTHDAY]
    MessageTemplate.objects.filter(business=business, kind=MessageKind.BIRTHDAY).update(
        body_zh=old_zh, body_en=old_en
    )
    edited = "{first_name}，生日快乐！"
    MessageTemplate.objects.filter(business=other_business, kind=MessageKind.BIRTHDAY).update(
        body_zh=edited, body_en=old_en
    )

    _MIGRATION.forwards(apps, None)

    mine = MessageTemplate.objects.get(business=business, kind=MessageKind.BIRTHDAY)
    assert (mine.body_zh, mine.body_en) == TEMPLATES[MessageKind.BIRTHDAY]
    theirs = MessageTemplate.objects.get(business=other_business, kind=MessageKind.BIRTHDAY)
    assert theirs.body_zh == edited
    assert theirs.body_en == TEMPLATES[MessageKind.BIRTHDAY][1]
    for kind, (zh, en) in _MIGRATION.OLD.items():
        assert _MIGRATION._new(zh) == TEMPLATES[kind][0]
        assert _MIGRATION._new(en) == TEMPLATES[kind][1]

    _MIGRATION.backwards(apps, None)
    mine.refresh_from_db()
    assert (mine.body_zh, mine.body_en) == (old_zh, old_en)

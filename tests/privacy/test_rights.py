"""A customer's rights: see everything held about them (JSON, xlsx), be erased with every
sales total intact, and be reviewed for erasure after the retention period."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook
from PIL import Image
from pytest_django import DjangoCaptureOnCommitCallbacks
from tests.factories import customer_make, visit_make
from tests.sales.shop import Shop, balances, counts, shop_make

from liuke.accounts.models import Branch, User
from liuke.audit.models import AuditEvent
from liuke.audit.verify import verify_chain
from liuke.core.errors import PermissionDenied
from liuke.customers import selectors, services
from liuke.customers.models import Customer, CustomerPhoto, FieldChange
from liuke.sales import services as sales_services
from liuke.sales.models import Payment, Visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(owner: User, branch_a: Branch, beautician_a: User) -> Shop:
    shop = shop_make(owner=owner, branch=branch_a, beautician=beautician_a)
    services.customer_update(
        actor=owner,
        customer_id=shop.customer.pk,
        data={
            "name": '=HYPERLINK("http://x")',
            "mobile": "13912345678",
            "allergies": "芦荟",
            "notes": "喜欢靠窗",
            "photo_consent": True,
            "tags": ["VIP"],
        },
    )
    sales_services.checkout(
        actor=owner,
        data={
            "customer_id": shop.customer.pk,
            "branch_id": branch_a.pk,
            "lines": [{"service_id": shop.facial.pk, "staff_id": beautician_a.pk}],
            "payments": [{"method": "cash", "amount_fen": 10000}],
        },
    )
    return shop


def _photo() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 40), "red").save(out, format="JPEG")
    return SimpleUploadedFile("p.jpg", out.getvalue(), content_type="image/jpeg")


def _totals(customer: Customer) -> tuple[int, int]:
    return (
        sum(Visit.objects.filter(customer=customer).values_list("total_fen", flat=True)),
        sum(Payment.objects.filter(customer=customer).values_list("amount_fen", flat=True)),
    )


def test_export_holds_everything_and_is_audited_with_the_reason(
    owner_client: Client, shop: Shop
) -> None:
    response = owner_client.post(
        f"/customers/{shop.customer.pk}/privacy/export/",
        {"reason": "顾客到店要求查看", "format": "json"},
    )
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["customer"]["mobile"] == "13912345678"
    assert data["customer"]["tags"] == ["VIP"]
    assert len(data["sales.visit"]) == 1
    assert len(data["sales.visitline"]) == 1
    assert len(data["sales.storedvaluecard"]) == 1
    assert len(data["sales.cardentry"]) >= 1
    assert len(data["sales.package"]) == 1
    assert any(c["field"] == "mobile" for c in data["customers.fieldchange"])
    assert data["audit_events"], "who read or changed the file is part of it"
    event = AuditEvent.objects.filter(action="export").get()
    assert (event.customer_ids, event.reason) == ([shop.customer.pk], "顾客到店要求查看")


def test_xlsx_export_neutralises_formulas(owner_client: Client, shop: Shop) -> None:
    response = owner_client.post(
        f"/customers/{shop.customer.pk}/privacy/export/", {"reason": "查阅", "format": "xlsx"}
    )
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["customer"]
    header = [c.value for c in sheet[1]]
    assert sheet.cell(row=2, column=header.index("name") + 1).value == '\'=HYPERLINK("http://x")'
    assert "sales.visit" in book.sheetnames


def test_export_needs_a_reason_and_the_right(
    client_for: Callable[[User], Client], front_a: User, manager_a: User, shop: Shop
) -> None:
    with pytest.raises(PermissionDenied):
        selectors.customer_export_data(actor=front_a, customer_id=shop.customer.pk, reason="看")
    response = client_for(manager_a).post(
        f"/customers/{shop.customer.pk}/privacy/export/", {"reason": " "}
    )
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="export").exists()


def test_erasure_clears_personal_data_and_keeps_every_total(
    owner: User, owner_client: Client, shop: Shop
) -> None:
    customer = shop.customer
    services.customer_photo_add(actor=owner, customer_id=customer.pk, image=_photo(), kind="before")
    photo_name = CustomerPhoto.objects.get().image.name
    assert default_storage.exists(photo_name)
    before = (counts(), balances(shop.card), _totals(customer))
    response = owner_client.post(
        f"/customers/{customer.pk}/privacy/erase/", {"reason": "顾客要求删除", "confirm": "yes"}
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.anonymised_at is not None
    assert customer.name.endswith(f"#{customer.pk}")
    assert (customer.mobile, customer.wechat_id, customer.allergies, customer.notes) == (
        "",
        "",
        "",
        "",
    )
    assert (customer.birthday, customer.card_no, customer.name_pinyin) == (None, None, "")
    assert not customer.tags.exists()
    assert not CustomerPhoto.objects.exists()
    values = set(FieldChange.objects.filter(customer=customer).values_list("new_value", flat=True))
    assert values <= {""}
    # every total, balance and ledger row is as it was
    assert (counts(), balances(shop.card), _totals(customer)) == before
    assert verify_chain().ok
    assert AuditEvent.objects.get(action="erase").reason == "顾客要求删除"
    # nothing personal can be found any more
    assert selectors.customer_search(actor=owner, query="13912345678") == []


def test_the_photo_file_is_deleted_once_the_erasure_commits(
    owner: User, shop: Shop, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    services.customer_photo_add(
        actor=owner, customer_id=shop.customer.pk, image=_photo(), kind="before"
    )
    name = CustomerPhoto.objects.get().image.name
    with django_capture_on_commit_callbacks(execute=True):
        services.customer_anonymise(actor=owner, customer_ids=[shop.customer.pk], reason="删除")
    assert not default_storage.exists(name)


def test_erasure_is_for_owners_and_needs_confirmation(
    client_for: Callable[[User], Client], manager_a: User, owner_client: Client, shop: Shop
) -> None:
    with pytest.raises(PermissionDenied):
        services.customer_anonymise(actor=manager_a, customer_ids=[shop.customer.pk], reason="x")
    response = client_for(manager_a).post(
        f"/customers/{shop.customer.pk}/privacy/erase/", {"reason": "x", "confirm": "yes"}
    )
    assert response.status_code == 404
    owner_client.post(f"/customers/{shop.customer.pk}/privacy/erase/", {"reason": "删除"})
    shop.customer.refresh_from_db()
    assert shop.customer.anonymised_at is None


def test_erasing_twice_is_safe(owner: User, shop: Shop) -> None:
    ids = [shop.customer.pk]
    assert services.customer_anonymise(actor=owner, customer_ids=ids, reason="删除") == 1
    assert services.customer_anonymise(actor=owner, customer_ids=ids, reason="删除") == 0
    assert AuditEvent.objects.filter(action="erase").count() == 1


def test_retention_lists_the_inactive_and_erases_them_in_bulk(
    owner: User, owner_client: Client, front_a: User
) -> None:
    old = customer_make(actor=front_a, name="老顾客", mobile="13700000001")
    recent_visit = customer_make(actor=front_a, name="常来")
    fresh = customer_make(actor=front_a, name="新顾客")
    four_years = timezone.now() - dt.timedelta(days=4 * 365)
    Customer.objects.filter(pk__in=[old.pk, recent_visit.pk]).update(updated_at=four_years)
    visit_make(customer=old, days_ago=5 * 365)
    visit_make(customer=recent_visit, days_ago=30)
    rows = selectors.retention_candidates(actor=owner)
    assert [r["customer"].pk for r in rows] == [old.pk]
    assert selectors.retention_candidates(actor=front_a) == []
    page = owner_client.get("/customers/retention/").content.decode()
    assert "老顾客" in page
    assert "常来" not in page
    assert "新顾客" not in page
    owner_client.post("/customers/retention/", {"customer": [old.pk], "reason": "超过保存期限"})
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.anonymised_at is not None
    assert old.mobile == ""
    assert fresh.anonymised_at is None
    assert selectors.retention_candidates(actor=owner) == []


def test_the_api_exports_and_erases(owner_client: Client, shop: Shop) -> None:
    response = owner_client.post(
        f"/api/v1/customers/{shop.customer.pk}/export",
        data=json.dumps({"reason": "接口导出"}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["customer"]["id"] == shop.customer.pk
    response = owner_client.post(
        f"/api/v1/customers/{shop.customer.pk}/erase",
        data=json.dumps({"reason": "接口删除"}),
        content_type="application/json",
    )
    assert response.json() == {"erased": 1}


def test_erasure_blanks_what_other_apps_hold_about_the_customer(owner: User, shop: Shop) -> None:
    from liuke.engagement import services as engagement
    from liuke.engagement.models import ContactReason as Reason

    engagement.defaults_ensure(business_id=owner.business_id or 0)
    contact = engagement.contact_log(
        actor=owner,
        customer_id=shop.customer.pk,
        channel="phone",
        direction="in",
        reason_id=Reason.objects.get(code="booking").pk,
        outcome="resolved",
        notes="她说下周三下午来，住在静安寺附近",
    )
    services.customer_anonymise(actor=owner, customer_ids=[shop.customer.pk], reason="删除")
    contact.refresh_from_db()
    assert contact.notes == ""
    assert contact.channel == "phone"  # what the contact was stays, for the statistics

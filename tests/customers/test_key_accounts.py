"""Key accounts (重点客户): the minimal card, borrowed access with a reason, grants that expire
and can be revoked, field-level rules, and handing customers over."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from tests.factories import customer_make, user_make, visit_make

from liuke.accounts.choices import Role
from liuke.accounts.models import Branch, Business, User
from liuke.audit.models import AuditEvent
from liuke.core.errors import KeyAccountRestricted, NotFound, PermissionDenied, ServiceError
from liuke.customers import selectors, services
from liuke.customers.models import AccessGrant, Customer, FieldChange
from liuke.sales.models import VisitLine

pytestmark = pytest.mark.django_db


@pytest.fixture
def key(front_a: User, manager_a: User, beautician_a: User) -> Customer:
    """A key account of 静安店 looked after by the beautician, with everything filled in."""
    return customer_make(
        actor=manager_a,
        name="沈若兰",
        mobile="13812345678",
        birthday=dt.date(1980, 5, 1),
        wechat_id="rl_shen",
        allergies="果酸",
        contraindications="孕期",
        preferences="安静的房间",
        notes="常买套餐",
        confidential_notes="家族企业董事，不谈价格",
        is_key_account=True,
        owner_id=beautician_a.pk,
    )


def _api(
    client: Client, method: str, path: str, body: dict[str, Any] | None = None
) -> tuple[int, Any]:
    response = getattr(client, method)(
        f"/api/v1{path}",
        data=json.dumps(body) if body is not None else None,
        content_type="application/json",
    )
    return response.status_code, response.json() if response.content else {}


# --- the minimal card --------------------------------------------------------------------------


def test_front_desk_sees_only_the_card_of_someone_elses_key_account(
    front_a_client: Client, key: Customer
) -> None:
    page = front_a_client.get(f"/customers/{key.pk}/").content.decode()
    assert 'id="key-account-card"' in page
    assert "138****5678" in page
    assert "13812345678" not in page
    for secret in ("果酸", "rl_shen", "安静的房间", "常买套餐", "家族企业董事", "1980-05-01"):
        assert secret not in page
    status, body = _api(front_a_client, "get", f"/customers/{key.pk}")
    assert status == 200
    assert body["access"] == "card"
    assert body["mobile"] == "138****5678"
    assert (body["allergies"], body["birthday"], body["wechat_id"]) == ("", None, "")
    assert {"allergies", "birthday", "notes", "confidential_notes"} <= set(body["hidden_fields"])
    # a card view is audited as one
    card_view = AuditEvent.objects.filter(action="view", customer_ids=[key.pk]).latest("seq")
    assert card_view.fields == ["profile:card"]


def test_card_holders_cannot_read_history_photos_or_edit(
    front_a_client: Client, front_a: User, key: Customer
) -> None:
    status, body = _api(front_a_client, "get", f"/customers/{key.pk}/history")
    assert (status, body["code"]) == (403, "key_account_restricted")
    status, body = _api(front_a_client, "patch", f"/customers/{key.pk}", {"notes": "x"})
    assert (status, body["code"]) == (403, "key_account_restricted")
    assert front_a_client.get(f"/customers/{key.pk}/edit/").status_code == 302
    with pytest.raises(KeyAccountRestricted):
        services.customer_confirm(actor=front_a, customer_id=key.pk)
    key.refresh_from_db()
    assert key.notes == "常买套餐"


def test_lists_mask_the_mobile_of_key_accounts_for_others(
    front_a_client: Client, manager_a_client: Client, key: Customer
) -> None:
    _, listed = _api(front_a_client, "get", "/customers?q=沈若兰")
    assert listed["items"][0]["mobile"] == "138****5678"
    _, listed = _api(manager_a_client, "get", "/customers?q=沈若兰")
    assert listed["items"][0]["mobile"] == "13812345678"


def test_the_responsible_person_and_managers_read_the_full_file(
    client_for: Callable[[User], Client], beautician_a: User, manager_a: User, key: Customer
) -> None:
    for user in (beautician_a, manager_a):
        status, body = _api(client_for(user), "get", f"/customers/{key.pk}")
        assert (status, body["access"], body["allergies"]) == (200, "full", "果酸")


def test_a_beautician_serving_the_customer_sees_allergies_on_the_card(
    client_for: Callable[[User], Client], business: Business, branch_a: Branch, key: Customer
) -> None:
    other = user_make(business=business, role=Role.BEAUTICIAN, branches=[branch_a])
    client = client_for(other)
    assert "果酸" not in client.get(f"/customers/{key.pk}/").content.decode()
    visit = visit_make(customer=key, days_ago=3, served_by=other)
    VisitLine.objects.create(visit=visit, staff=other, amount_fen=10000)
    page = client.get(f"/customers/{key.pk}/").content.decode()
    assert 'id="key-account-card"' in page
    assert "果酸" in page
    assert "孕期" in page
    assert "安静的房间" not in page  # the rest stays closed


# --- asking, deciding, expiry, revoking ---------------------------------------------------------


def test_borrowed_access_from_request_to_expiry(
    front_a_client: Client,
    manager_a_client: Client,
    front_a: User,
    business: Business,
    key: Customer,
) -> None:
    business.grant_hours = 2
    business.save()
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        # the front desk asks, with a reason
        response = front_a_client.post(
            f"/customers/{key.pk}/access/", {"reason": "今天代班做面部护理"}
        )
        assert response.status_code == 302
        grant = AccessGrant.objects.get()
        assert (grant.status, grant.grantee_id) == ("pending", front_a.pk)
        assert (
            'id="request-pending"' in front_a_client.get(f"/customers/{key.pk}/").content.decode()
        )
        # the manager sees it to decide and approves
        assert "今天代班做面部护理" in manager_a_client.get("/customers/access/").content.decode()
        manager_a_client.post(f"/customers/access/{grant.pk}/approve/", {"view": "to_decide"})
        grant.refresh_from_db()
        assert grant.status == "approved"
        assert grant.expires_at == start + dt.timedelta(hours=2)
        # the full file opens, with a banner, and the read carries the grant's reason
        page = front_a_client.get(f"/customers/{key.pk}/").content.decode()
        assert "果酸" in page
        assert "13812345678" in page
        assert "家族企业董事" not in page  # confidential notes stay with the responsible few
        # the page's one event (every section of the profile, the profile first)
        event = (
            AuditEvent.objects.filter(action="view", customer_ids=[key.pk]).order_by("seq").last()
        )
        assert event is not None
        assert event.fields[0] == "profile"
        assert event.reason == f"grant #{grant.pk}: 今天代班做面部护理"
        # an hour and 59 minutes later it still holds; at two hours it has ended by itself
        clock.shift(dt.timedelta(hours=1, minutes=59))
        assert selectors.customer_file(actor=front_a, customer_id=key.pk).full
        clock.shift(dt.timedelta(minutes=1))
        assert not selectors.customer_file(actor=front_a, customer_id=key.pk).full
        front_a_client.logout()  # her session itself timed out meanwhile: a new login
        front_a_client.force_login(front_a)
        assert (
            'id="key-account-card"' in front_a_client.get(f"/customers/{key.pk}/").content.decode()
        )
        past = selectors.access_grants(actor=front_a, view="mine")
        assert [g.shown_status for g in past] == ["expired"]


def test_revoking_ends_access_at_once(front_a: User, manager_a: User, key: Customer) -> None:
    grant = services.access_request(actor=front_a, customer_id=key.pk, reason="代班")
    services.access_decide(actor=manager_a, grant_id=grant.pk, approve=True)
    assert selectors.customer_file(actor=front_a, customer_id=key.pk).full
    services.access_revoke(actor=manager_a, grant_id=grant.pk)
    assert not selectors.customer_file(actor=front_a, customer_id=key.pk).full
    with pytest.raises(ServiceError) as exc:
        services.access_revoke(actor=manager_a, grant_id=grant.pk)
    assert exc.value.code == "not_in_force"
    actions = list(
        AuditEvent.objects.filter(customer_ids=[key.pk])
        .exclude(action="view")
        .values_list("action", flat=True)
    )
    assert {"access_request", "access_approve", "access_revoke"} <= set(actions)


def test_refusal_and_who_may_decide(
    front_a: User,
    front_b: User,
    beautician_a: User,
    business: Business,
    branch_a: Branch,
    key: Customer,
) -> None:
    other_front = user_make(business=business, role=Role.FRONT_DESK, branches=[branch_a])
    grant = services.access_request(actor=front_a, customer_id=key.pk, reason="代班")
    # a colleague who is neither responsible nor a manager cannot see or decide it
    for outsider in (other_front, front_b):
        with pytest.raises(NotFound):
            services.access_decide(actor=outsider, grant_id=grant.pk, approve=True)
    # asking twice while pending is refused
    with pytest.raises(ServiceError) as exc:
        services.access_request(actor=front_a, customer_id=key.pk, reason="再问一次")
    assert exc.value.code == "request_pending"
    # the responsible beautician refuses, with a note
    services.access_decide(actor=beautician_a, grant_id=grant.pk, approve=False, note="我自己来")
    grant.refresh_from_db()
    assert (grant.status, grant.decision_note, grant.expires_at) == ("refused", "我自己来", None)
    assert not selectors.customer_file(actor=front_a, customer_id=key.pk).full
    with pytest.raises(ServiceError):
        services.access_decide(actor=beautician_a, grant_id=grant.pk, approve=True)


def test_nobody_decides_their_own_request(
    business: Business, branch_a: Branch, manager_a: User, key: Customer
) -> None:
    front = user_make(business=business, role=Role.FRONT_DESK, branches=[branch_a])
    grant = services.access_request(actor=front, customer_id=key.pk, reason="代班")
    front.role = Role.MANAGER  # promoted meanwhile
    front.save()
    with pytest.raises(PermissionDenied):
        services.access_decide(actor=front, grant_id=grant.pk, approve=True)


def test_requests_need_a_reason_and_a_card_in_scope(
    front_a: User, front_b: User, key: Customer, manager_a: User
) -> None:
    with pytest.raises(ValidationError):
        services.access_request(actor=front_a, customer_id=key.pk, reason="  ")
    with pytest.raises(NotFound):
        services.access_request(actor=front_b, customer_id=key.pk, reason="看看")
    with pytest.raises(ServiceError) as exc:
        services.access_request(actor=manager_a, customer_id=key.pk, reason="看看")
    assert exc.value.code == "access_not_needed"
    assert not AccessGrant.objects.exists()


def test_the_grant_api(front_a_client: Client, manager_a_client: Client, key: Customer) -> None:
    status, grant = _api(
        front_a_client, "post", f"/customers/{key.pk}/access-requests", {"reason": "代班"}
    )
    assert (status, grant["status"]) == (201, "pending")
    status, pending = _api(manager_a_client, "get", "/access-grants?view=to_decide")
    assert [g["id"] for g in pending] == [grant["id"]]
    status, decided = _api(manager_a_client, "post", f"/access-grants/{grant['id']}/approve", {})
    assert (status, decided["status"]) == (200, "approved")
    _, body = _api(front_a_client, "get", f"/customers/{key.pk}")
    assert body["access"] == "full"
    status, revoked = _api(front_a_client, "post", f"/access-grants/{grant['id']}/revoke")
    assert (status, revoked["status"]) == (200, "revoked")
    _, body = _api(front_a_client, "get", f"/customers/{key.pk}")
    assert body["access"] == "card"


# --- field-level rules ---------------------------------------------------------------------------


def test_confidential_notes_only_for_the_responsible_managers_and_owners(
    client_for: Callable[[User], Client],
    front_a: User,
    manager_a: User,
    owner: User,
    beautician_a: User,
) -> None:
    customer = customer_make(
        actor=manager_a, name="何静", confidential_notes="曾投诉过前台", owner_id=beautician_a.pk
    )
    _, body = _api(client_for(front_a), "get", f"/customers/{customer.pk}")
    assert body["access"] == "full"
    assert body["confidential_notes"] == ""
    assert "confidential_notes" in body["hidden_fields"]
    for user in (manager_a, owner, beautician_a):
        _, body = _api(client_for(user), "get", f"/customers/{customer.pk}")
        assert body["confidential_notes"] == "曾投诉过前台"
    # the history does not leak it either
    history = selectors.customer_history(actor=front_a, customer_id=customer.pk)
    assert {c.new_value for c in history if c.field == "confidential_notes"} <= {"***"}
    # nor can the front desk write it
    with pytest.raises(ValidationError) as exc:
        services.customer_update(
            actor=front_a, customer_id=customer.pk, data={"confidential_notes": "x"}
        )
    assert exc.value.error_dict["confidential_notes"][0].code == "field_not_allowed"
    with pytest.raises(ValidationError):
        customer_make(actor=front_a, name="新客", confidential_notes="x")


def test_only_managers_flag_key_accounts_or_change_the_responsible_person(
    front_a: User, manager_a: User
) -> None:
    customer = customer_make(actor=front_a, name="吴敏", owner_id=front_a.pk)
    for data in ({"is_key_account": True}, {"owner_id": manager_a.pk}):
        with pytest.raises(ValidationError) as exc:
            services.customer_update(actor=front_a, customer_id=customer.pk, data=data)
        assert next(iter(exc.value.error_dict.values()))[0].code == "field_not_allowed"
    # sending the unchanged value is fine (forms and PATCH clients send whole records)
    services.customer_update(
        actor=front_a, customer_id=customer.pk, data={"owner_id": front_a.pk, "notes": "好"}
    )
    services.customer_update(
        actor=manager_a, customer_id=customer.pk, data={"is_key_account": True}
    )
    customer.refresh_from_db()
    assert customer.is_key_account


def test_beauticians_do_not_see_spend(
    client_for: Callable[[User], Client], beautician_a: User, front_a: User, manager_a: User
) -> None:
    customer = customer_make(actor=front_a, name="许佳")
    visit_make(customer=customer, total_fen=123456)
    assert (
        "1,234.56"
        not in client_for(beautician_a).get(f"/customers/{customer.pk}/").content.decode()
    )
    assert "1,234.56" in client_for(manager_a).get(f"/customers/{customer.pk}/").content.decode()


# --- handover -------------------------------------------------------------------------------------


def test_handover_of_a_leaving_staff_members_customers(
    manager_a_client: Client,
    manager_a: User,
    front_a: User,
    beautician_a: User,
    business: Business,
    branch_a: Branch,
) -> None:
    leaving = user_make(business=business, role=Role.BEAUTICIAN, branches=[branch_a])
    mine = [customer_make(actor=manager_a, owner_id=leaving.pk) for _ in range(3)]
    other = customer_make(actor=manager_a, owner_id=front_a.pk)
    leaving.is_active = False
    leaving.save()
    response = manager_a_client.post(
        "/customers/handover/",
        {"from_user_id": leaving.pk, "to_user_id": beautician_a.pk, "reason": "小王离职"},
    )
    assert response.status_code == 302
    assert set(Customer.objects.filter(owner=beautician_a)) == set(mine)
    assert Customer.objects.get(pk=other.pk).owner_id == front_a.pk
    changes = FieldChange.objects.filter(kind="handover")
    assert changes.count() == 3
    assert {c.new_value for c in changes} == {f"{beautician_a} (#{beautician_a.pk})"}
    event = AuditEvent.objects.get(action="handover")
    assert (sorted(event.customer_ids), event.reason) == (sorted(c.pk for c in mine), "小王离职")


def test_handover_is_for_managers_and_checks_its_input(
    front_a: User, front_a_client: Client, manager_a: User, owner: User
) -> None:
    customer = customer_make(actor=front_a, owner_id=front_a.pk)
    assert front_a_client.get("/customers/handover/").status_code == 404
    with pytest.raises(PermissionDenied):
        services.customer_handover(
            actor=front_a, to_user_id=owner.pk, reason="换人", customer_ids=[customer.pk]
        )
    with pytest.raises(ValidationError) as exc:
        services.customer_handover(actor=manager_a, to_user_id=999999, reason="", customer_ids=None)
    assert set(exc.value.error_dict) == {"to_user_id", "reason", "customer_ids"}
    assert Customer.objects.get(pk=customer.pk).owner_id == front_a.pk


# --- lists ---------------------------------------------------------------------------------------


LIST_PAGES = (
    "/customers/?q=沈若兰",
    "/customers/search/?q=沈若兰",
    "/customers/?q=5678",
    "/customers/to-confirm/",
    "/customers/duplicates/",
    "/engagement/contacts/new/?q=沈若兰",
    "/sales/checkout/search/?q=沈若兰",
)


def test_lists_mask_a_key_account_s_mobile_for_those_who_do_not_look_after_it(
    key: Customer,
    front_a_client: Client,
    manager_a_client: Client,
    manager_a: User,
) -> None:
    """Front desk may see mobiles in full, but not a key account's in any list; the manager
    sees it in full there (the positive control: the check can fail)."""
    customer_make(actor=manager_a, name="沈若梅", mobile="13900005678")
    shown = 0
    texts: dict[str, str] = {}
    for url in LIST_PAGES:
        page = front_a_client.get(url)
        assert page.status_code in (200, 404), url
        shown += page.status_code == 200
        texts[url] = page.content.decode()
        assert "13812345678" not in texts[url], url
    assert shown >= 4
    # every list that shows her number shows it masked, and some lists do show it
    with_number = [url for url, text in texts.items() if "5678" in text and "沈若兰" in text]
    assert with_number
    assert [url for url in with_number if "138****5678" not in texts[url]] == []
    full = [u for u in LIST_PAGES if "13812345678" in manager_a_client.get(u).content.decode()]
    assert len(full) >= 3, full
    status, body = _api(front_a_client, "get", "/customers?q=沈若兰")
    assert status == 200
    assert [c["mobile"] for c in body["items"]] == ["138****5678"]


#: Per role: the API's status and code, the page's status, requests left, the card's "your
#: role cannot ask" note. Owners and managers already read every key account's file.
ASKING: dict[str, tuple[int, str | None, int, int, bool]] = {
    Role.OWNER: (400, "access_not_needed", 302, 0, False),
    Role.MANAGER: (400, "access_not_needed", 302, 0, False),
    Role.FRONT_DESK: (201, None, 302, 1, False),  # the page's second ask: already pending
    Role.BEAUTICIAN: (201, None, 302, 1, False),
    Role.AUDITOR: (403, "permission_denied", 404, 0, True),
}


@pytest.mark.parametrize("role", list(Role))
def test_only_roles_that_may_ask_file_access_requests_on_the_api_and_the_page(
    role: Role,
    business: Business,
    branch_a: Branch,
    key: Customer,
    client_for: Callable[[User], Client],
) -> None:
    """Asking for a key account's file is the capability `customer.access_request`: a role
    without it (the read-only auditor) is refused on the API and the page and leaves no
    request, and its card offers no form."""
    from liuke.accounts import policy

    assert sorted(policy.roles_with(policy.Cap.CUSTOMER_ACCESS_REQUEST)) == sorted(
        r for r, (status, *_rest) in ASKING.items() if status != 403
    )
    user = user_make(business=business, role=role, branches=[branch_a])
    client = client_for(user)
    status, body = _api(client, "post", f"/customers/{key.pk}/access-requests", {"reason": "代班"})
    page = client.post(f"/customers/{key.pk}/access/", {"reason": "代班"})
    card = client.get(f"/customers/{key.pk}/").content.decode()
    got = (
        status,
        body.get("code"),
        page.status_code,
        AccessGrant.objects.filter(grantee=user).count(),
        'id="request-not-allowed"' in card,
    )
    assert got == ASKING[role]
    assert ('name="reason"' in card) is False  # asked already, reads the file, or may not ask

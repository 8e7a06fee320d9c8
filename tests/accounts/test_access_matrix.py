"""The access matrix over EVERY page and API operation.

Each URL pattern and each API operation must be listed in `ROUTES` below with what it touches;
a new one that is not listed fails `test_every_route_is_in_the_matrix`, so no path to customer
data can be added without being run through these checks:

- out of scope (another branch's front desk, another business's owner): no read and no write of
  a customer, their visits, cards, packages, photos or grants succeeds (4xx, the customer's name
  nowhere in the answer, and not one row of the database changed);
- a key account someone else looks after, without a grant or with an expired one: nothing
  beyond the minimal card (no allergy, no confidential note, no full mobile) on any path;
- positive controls: the owner gets a 2xx (or the view's redirect after a write) on each path
  with the same ids, so the checks above are not passing on broken URLs.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from PIL import Image
from tests.factories import customer_make
from tests.sales.shop import Shop, shop_make

from liuke.accounts.models import Branch, User
from liuke.accounts.services import api_token_create
from liuke.api import api
from liuke.customers import services
from liuke.customers.choices import GrantStatus
from liuke.customers.models import AccessGrant, Customer
from liuke.sales import services as sales_services

pytestmark = pytest.mark.django_db

#: What a route touches. "customer": it names one customer (or their visit, card, package,
#: photo, grant) by id. "list": it may list customers. "none": no customer data at all.
ROUTES: dict[str, str] = {
    # pages
    "set_language": "none",
    "web:home": "none",
    "web:login": "none",
    "web:logout": "none",
    "web:healthz": "none",
    "web:branches": "list",
    "web:refresh_quality": "none",
    "accounts:settings": "none",
    "accounts:two_factor": "none",
    "web:login_verify": "none",
    "accounts:tokens": "none",
    "accounts:token_revoke": "none",
    "customers:list": "list",
    "customers:search": "list",
    "customers:create": "list",
    "customers:stale": "list",
    "customers:duplicates": "list",
    "customers:access": "list",
    "customers:handover": "list",
    "customers:retention": "list",
    "customers:access_decide": "customer",
    "customers:privacy": "customer",
    "customers:privacy_export": "customer",
    "customers:privacy_erase": "customer",
    "customers:access_request": "customer",
    "customers:detail": "customer",
    "customers:edit": "customer",
    "customers:confirm": "customer",
    "customers:merge": "customer",
    "customers:photo_upload": "customer",
    "customers:photo": "customer",
    "sales:checkout": "list",
    "sales:checkout_search": "list",
    "sales:checkout_quote": "list",
    "sales:visit": "customer",
    "sales:visit_refund": "customer",
    "sales:card_issue": "customer",
    "sales:package_sell": "customer",
    "sales:card": "customer",
    "sales:card_topup": "customer",
    "sales:card_refund": "customer",
    "sales:package": "customer",
    "sales:package_extend": "customer",
    "sales:daily_close": "list",
    "sales:daily_close_export": "list",
    "sales:catalogue": "none",
    "analytics:dashboard": "list",
    "analytics:revenue": "list",
    "analytics:rates": "list",
    "analytics:cohorts": "list",
    "analytics:value": "list",
    "analytics:key_accounts": "list",
    "analytics:referrals": "list",
    "analytics:refresh": "none",
    "analytics:refresh_status": "none",
    "audit:log": "list",
    "audit:export": "list",
    "audit:flags": "list",
    "audit:flag_ack": "none",
    "audit:thresholds": "none",
    "audit:branch_hours": "none",
    "engagement:brief_today": "list",
    "engagement:brief": "customer",
    "engagement:contacts": "list",
    "engagement:reason_response": "none",
    "engagement:contact_new": "list",
    "engagement:customer_panel": "customer",
    "engagement:followups": "list",
    "engagement:followup_complete": "customer",
    "engagement:followup_reschedule": "customer",
    "engagement:outbox": "list",
    "engagement:outbox_sent": "customer",
    "engagement:reasons": "none",
    "engagement:reports": "list",
    "engagement:settings": "none",
    "engagement:tasks": "list",
    "engagement:task_complete": "customer",
    "sales:stock_receive": "none",
    "complaints:list": "list",
    "complaints:new": "list",
    "complaints:approvals": "list",
    "complaints:reports": "list",
    "complaints:settings": "none",
    "complaints:decide": "customer",
    "complaints:action_done": "customer",
    "complaints:customer_panel": "customer",
    "feedback:customer_panel": "customer",
    "complaints:detail": "customer",
    "complaints:step": "customer",
    "complaints:wait": "customer",
    "complaints:update": "customer",
    "complaints:action_add": "customer",
    "complaints:resolve": "customer",
    "complaints:close": "customer",
    "complaints:after": "customer",
    # feedback (issue 6): staff pages, and the public pages reached by a signed token only
    "feedback:results": "list",
    "feedback:responses": "list",
    "feedback:response": "customer",
    "feedback:suggestions": "none",
    "feedback:suggestion_handle": "none",
    "feedback:box": "none",
    "feedback:conversations": "list",
    "feedback:improvements": "none",
    "feedback:improvement_notify": "none",
    "feedback:settings": "none",
    "feedback_public:survey": "public",
    "feedback_public:box": "public",
}
#: API operations: "METHOD /path" → what they touch (ids in braces are filled in by the test).
API_ROUTES: dict[str, str] = {}  # filled from the schema below, each checked against this:
API_KINDS: dict[str, str] = {
    "/api/v1/customers": "list",
    "/api/v1/customers/duplicates": "list",
    "/api/v1/me": "none",
    "/api/v1/branches": "none",
    "/api/v1/staff": "none",
    "/api/v1/catalogue/services": "none",
    "/api/v1/catalogue/products": "none",
    "/api/v1/stock/receipts": "none",
    "/api/v1/daily-close": "list",
    "/api/v1/access-grants": "list",
    "/api/v1/analytics/figures": "list",
    "/api/v1/audit/events": "list",
    "/api/v1/audit/flags": "list",
    "/api/v1/audit/flags/{flag_id}/acknowledge": "none",
    "/api/v1/audit/exports": "list",
    "/api/v1/analytics/run": "none",
    "/api/v1/analytics/dashboards/revenue": "none",
    "/api/v1/analytics/dashboards/rates": "none",
    "/api/v1/analytics/dashboards/cohorts": "none",
    "/api/v1/analytics/dashboards/value": "none",
    "/api/v1/analytics/dashboards/key-accounts": "list",
    "/api/v1/analytics/dashboards/referrals": "list",
    "/api/v1/analytics/refresh": "none",
    "/api/v1/engagement/followups": "list",
    "/api/v1/engagement/outbox": "list",
    "/api/v1/engagement/reasons": "none",
    "/api/v1/engagement/reasons/{reason_id}": "none",
    "/api/v1/engagement/reports": "list",
    "/api/v1/engagement/tasks": "list",
    "/api/v1/engagement/contacts": "customer",
    # complaints: the list and opening (the body names the customer; out-of-scope opening is
    # refused in tests/complaints), the figures, the approval queue, the taxonomy
    "/api/v1/complaints": "list",
    "/api/v1/complaints/dashboard": "list",
    "/api/v1/complaints/reports": "list",
    "/api/v1/complaints/approvals": "list",
    "/api/v1/complaints/causes": "none",
    "/api/v1/feedback/results": "list",
    "/api/v1/feedback/managers": "none",
    "/api/v1/feedback/responses": "list",
    "/api/v1/feedback/suggestions": "none",
    "/api/v1/feedback/suggestions/{suggestion_id}/handle": "none",
    # GET lists (names only customers in scope); POST names customers in its body and is
    # refused out of scope by the service (tests/feedback/test_access.py)
    "/api/v1/feedback/conversations": "list",
    "/api/v1/feedback/improvements": "none",
    "/api/v1/feedback/improvements/{improvement_id}/notify": "none",
    "/api/v1/feedback/settings": "none",
    # writes that name the customer in their body
    "/api/v1/checkout/quote": "customer",
    "/api/v1/visits": "customer",
    "/api/v1/cards": "customer",
    "/api/v1/packages": "customer",
    "/api/v1/handovers": "customer",
}
#: API paths with an id are "customer" routes unless listed in API_KINDS.


def _patterns(patterns: list[Any], prefix: str = "", ns: str | None = None) -> Iterator[Any]:
    for p in patterns:
        if isinstance(p, URLResolver):
            if str(p.pattern).startswith("api/"):
                continue  # the API is enumerated from its schema
            yield from _patterns(p.url_patterns, prefix + str(p.pattern), p.namespace or ns)
        elif isinstance(p, URLPattern):
            name = f"{ns}:{p.name}" if ns else str(p.name)
            yield "/" + prefix + str(p.pattern), name


PAGES = sorted(set(_patterns(get_resolver().url_patterns)))
OPERATIONS = sorted(
    (method.upper(), path)
    for path, ops in api.get_openapi_schema()["paths"].items()
    for method in ops
)


def _api_kind(path: str) -> str:
    if path in API_KINDS:
        return API_KINDS[path]
    return "customer" if "{" in path else "unlisted"


def test_every_route_is_in_the_matrix() -> None:
    unlisted_pages = [name for _path, name in PAGES if name not in ROUTES]
    unlisted_ops = [f"{m} {p}" for m, p in OPERATIONS if _api_kind(p) == "unlisted"]
    assert unlisted_pages == [], "add them to ROUTES with what they touch"
    assert unlisted_ops == [], "add them to API_KINDS with what they touch"
    assert len(PAGES) > 40
    assert len(OPERATIONS) > 30


# --- the world ------------------------------------------------------------------------------------

NAME = "林小雨"
SECRET = "芒果过敏"
KEY_NAME = "沈若兰"
KEY_SECRETS = ("青霉素过敏", "董事长夫人", "13933334444")


@dataclass
class World:
    shop: Shop
    plain: Customer
    key: Customer
    ids: dict[str, int]  # placeholder → id, for the plain customer's objects
    key_ids: dict[str, int]  # the same for the key account


def _jpeg() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), "blue").save(out, format="JPEG")
    return SimpleUploadedFile("x.jpg", out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def world(
    owner: User, manager_a: User, branch_a: Branch, beautician_a: User, front_a: User
) -> World:
    shop = shop_make(owner=owner, branch=branch_a, beautician=beautician_a)
    plain = shop.customer
    services.customer_update(
        actor=owner,
        customer_id=plain.pk,
        data={"name": NAME, "mobile": "13911112222", "allergies": SECRET, "photo_consent": True},
    )
    visit = sales_services.checkout(
        actor=owner,
        data={
            "customer_id": plain.pk,
            "branch_id": branch_a.pk,
            "lines": [{"service_id": shop.facial.pk, "staff_id": beautician_a.pk}],
            "payments": [{"method": "cash", "amount_fen": 10000}],
        },
    )
    photo = services.customer_photo_add(
        actor=owner, customer_id=plain.pk, image=_jpeg(), kind="before"
    )
    grant = AccessGrant.objects.create(
        customer=plain, grantee=beautician_a, reason="测试", requested_at=timezone.now()
    )
    key = customer_make(
        actor=manager_a,
        name=KEY_NAME,
        mobile="13933334444",
        allergies="青霉素过敏",
        confidential_notes="董事长夫人",
        is_key_account=True,
        owner_id=manager_a.pk,
        photo_consent=True,
    )
    key_photo = services.customer_photo_add(
        actor=owner, customer_id=key.pk, image=_jpeg(), kind="before"
    )
    key_card = sales_services.card_issue(
        actor=owner, customer_id=key.pk, branch_id=branch_a.pk, number="KEY001"
    )
    # front_a once had a grant on the key account; it has expired
    AccessGrant.objects.create(
        customer=key,
        grantee=front_a,
        reason="上周代班",
        requested_at=timezone.now() - dt.timedelta(days=8),
        status=GrantStatus.APPROVED,
        decided_by=manager_a,
        decided_at=timezone.now() - dt.timedelta(days=8),
        expires_at=timezone.now() - dt.timedelta(days=7),
    )
    key_grant = AccessGrant.objects.create(
        customer=key, grantee=beautician_a, reason="测试", requested_at=timezone.now()
    )
    token, _secret = api_token_create(actor=owner, name="matrix")
    engagement_ids = _engagement(plain, owner, beautician_a)
    complaint_ids = _complaint(plain, front_a)
    engagement_ids["response_id"] = _feedback(plain, visit)
    ids = {
        "customer_id": plain.pk,
        "visit_id": visit.pk,
        "line_id": visit.lines.get().pk,
        "card_id": shop.card.pk,
        "package_id": shop.package.pk,
        "photo_id": photo.pk,
        "grant_id": grant.pk,
        "token_id": token.pk,
        "decision": "approve",
        "branch_id": branch_a.pk,
        "service_id": shop.facial.pk,
        "staff_id": beautician_a.pk,
        "other_id": key.pk,
        **engagement_ids,
        **complaint_ids,
    }
    key_ids = dict(
        ids,
        customer_id=key.pk,
        card_id=key_card.pk,
        photo_id=key_photo.pk,
        grant_id=key_grant.pk,
        other_id=plain.pk,
    )
    return World(shop=shop, plain=plain, key=key, ids=ids, key_ids=key_ids)


def _engagement(customer: Customer, owner: User, beautician: User) -> dict[str, int]:
    """A follow-up, a callback task and a queued message about `customer`."""
    from liuke.engagement import jobs
    from liuke.engagement import services as engagement
    from liuke.engagement.models import ContactReason, FollowUp, Message
    from liuke.sales.models import Visit

    engagement.defaults_ensure(business_id=owner.business_id or 0)
    visit = Visit.objects.filter(customer=customer).order_by("-visited_at").first()
    assert visit is not None
    jobs.prepare()
    jobs.followups_create(now=visit.visited_at + dt.timedelta(hours=1))
    followup = FollowUp.objects.filter(customer=customer).first()
    reason = ContactReason.objects.get(code="booking")
    contact = engagement.contact_log(
        actor=owner,
        customer_id=customer.pk,
        channel="phone",
        direction="out",
        reason_id=reason.pk,
        outcome="no_answer",
    )
    task = contact.tasks.first() if hasattr(contact, "tasks") else None
    from liuke.engagement.models import Task

    task = task or Task.objects.filter(customer=customer).first()
    message = Message.objects.create(
        business_id=customer.business_id,
        branch_id=customer.branch_id,
        customer=customer,
        kind="rebooking",
        key="matrix",
        is_marketing=False,
        occasion_on=timezone.localdate(),
        body=f"{NAME}，您好",
    )
    assert followup is not None
    assert task is not None
    return {
        "followup_id": followup.pk,
        "task_id": task.pk,
        "message_id": message.pk,
        "reason_id": reason.pk,
    }


def _complaint(customer: Customer, front_desk: User) -> dict[str, int]:
    """A complaint about `customer` with an agreed action and a compensation above the front
    desk's limit (waiting for approval)."""
    from liuke.complaints import services as complaints

    complaints.defaults_ensure(business_id=customer.business_id)
    complaint = complaints.complaint_open(
        actor=front_desk,
        customer_id=customer.pk,
        channel="phone",
        description=f"{NAME}说护理后过敏",
    )
    action = complaints.action_add(
        actor=front_desk, complaint_id=complaint.pk, side="theirs", text="发照片"
    )
    resolution = complaints.complaint_resolve(
        actor=front_desk, complaint_id=complaint.pk, kind="voucher", amount_fen=20000
    )
    return {"complaint_id": complaint.pk, "action_id": action.pk, "resolution_id": resolution.pk}


def _feedback(customer: Customer, visit: Any) -> int:
    """A survey answer of `customer` about `visit`, taken through its signed link."""
    from liuke.feedback import links
    from liuke.feedback import services as feedback
    from liuke.feedback.models import SurveyInvitation

    invitation = SurveyInvitation.objects.create(
        business_id=customer.business_id,
        branch_id=customer.branch_id,
        customer=customer,
        visit=visit,
        token=links.new_token(),
        expires_at=timezone.now() + dt.timedelta(days=14),
    )
    answer = feedback.survey_answer(
        signed=links.sign_survey(invitation.token or ""),
        data={"satisfaction": "2", "comment": f"{NAME}：{SECRET}"},
    )
    return answer.pk


def _fill(path: str, ids: dict[str, int | str]) -> str:
    def sub(match: re.Match[str]) -> str:
        return str(ids.get(match.group(1), 1))

    path = re.sub(r"<(?:\w+:)?(\w+)>", sub, path)
    return re.sub(r"\{(\w+)\}", sub, path)


#: Bodies that pass validation, so that a refusal comes from the policy, not from a 422.
_LINE = {"service_id": "{service_id}", "staff_id": "{staff_id}"}
_SALE = {"customer_id": "{customer_id}", "branch_id": "{branch_id}", "lines": [_LINE]}
BODIES: dict[str, dict[str, Any]] = {
    "POST /api/v1/checkout/quote": _SALE,
    "POST /api/v1/visits": {**_SALE, "payments": [{"method": "cash", "amount_fen": 10000}]},
    "POST /api/v1/cards": {
        "customer_id": "{customer_id}",
        "branch_id": "{branch_id}",
        "number": "NEW-1",
    },
    "POST /api/v1/packages": {
        "customer_id": "{customer_id}",
        "branch_id": "{branch_id}",
        "name": "新套餐",
        "service_ids": ["{service_id}"],
        "sessions": 2,
        "price_fen": 100,
        "method": "cash",
    },
    "POST /api/v1/handovers": {
        "to_user_id": "{staff_id}",
        "reason": "交接",
        "customer_ids": ["{customer_id}"],
    },
    "POST /api/v1/customers/{customer_id}/merge": {"duplicate_id": "{other_id}"},
    "POST /api/v1/visits/{visit_id}/refunds": {"reason": "not_satisfied"},
    "POST /api/v1/engagement/contacts": {
        "customer_id": "{customer_id}",
        "channel": "phone",
        "direction": "in",
        "reason_id": "{reason_id}",
        "outcome": "resolved",
    },
    "POST /api/v1/engagement/followups/{followup_id}/done": {"outcome": "satisfied"},
    "POST /api/v1/visits/{visit_id}/exchanges": {
        "line_id": "{line_id}",
        "lines": [_LINE],
        "payments": [{"method": "cash", "amount_fen": 10000}],
    },
    "POST /api/v1/cards/{card_id}/deductions": {"amount_fen": 100},
    "POST /api/v1/cards/{card_id}/refund": {"method": "cash"},
    "POST /api/v1/packages/{package_id}/extend": {"expires_on": "2099-01-01", "reason": "延期"},
    "PATCH /api/v1/customers/{customer_id}": {"notes": "改"},
    "POST /api/v1/customers/{customer_id}/confirm": {},
    "POST /api/v1/customers/{customer_id}/access-requests": {"reason": "看看"},
    "POST /api/v1/customers/{customer_id}/export": {"reason": "导出"},
    "POST /api/v1/customers/{customer_id}/erase": {"reason": "删除"},
    "POST /api/v1/access-grants/{grant_id}/approve": {},
    "POST /api/v1/access-grants/{grant_id}/refuse": {},
    "POST /api/v1/cards/{card_id}/topups": {"amount_fen": 10000, "method": "cash"},
    "PATCH /api/v1/complaints/{complaint_id}": {"severity": "high"},
    "POST /api/v1/complaints/{complaint_id}/steps": {"step": 1, "note": "好"},
    "POST /api/v1/complaints/{complaint_id}/actions": {"side": "theirs", "text": "来店"},
    "POST /api/v1/complaints/{complaint_id}/resolutions": {"kind": "apology"},
    "POST /api/v1/complaints/{complaint_id}/cause-fix": {"cause_fix": "培训"},
    "POST /api/v1/complaints/resolutions/{resolution_id}/decide": {"approve": True},
}
FORMS: dict[str, dict[str, Any]] = {
    "customers:privacy_export": {"reason": "导出", "format": "json"},
    "customers:privacy_erase": {"reason": "删除", "confirm": "yes"},
    "customers:access_request": {"reason": "看看"},
    "customers:edit": {"name": "改名"},
    "sales:card_topup": {"amount": "100", "method": "cash"},
    "complaints:step": {"step": "1", "note": "好"},
    "complaints:wait": {"wait": "1"},
    "complaints:update": {"severity": "high"},
    "complaints:action_add": {"side": "theirs", "text": "来店"},
    "complaints:resolve": {"kind": "apology"},
    "complaints:decide": {"decision": "approve"},
    "complaints:after": {"cause_fix": "培训"},
}


def _fingerprint() -> tuple[Any, ...]:
    """Every row of every table of ours except the append-only audit log (reads write to it)."""
    rows = []
    for model in apps.get_models():
        if not model.__module__.startswith("liuke.") or model._meta.app_label == "audit":
            continue
        if model._meta.label in ("accounts.ApiToken", "core.IdempotencyRecord"):
            continue
        rows.append((model._meta.label, sorted(map(str, model.objects.values_list()))))
    return tuple(rows)


def _body(body: dict[str, Any] | None, ids: dict[str, int | str]) -> dict[str, Any] | None:
    """The body with "{placeholder}" strings replaced by ids (as numbers)."""
    if body is None:
        return None

    def fill(value: Any) -> Any:
        if isinstance(value, str) and re.fullmatch(r"\{\w+\}", value):
            return ids[value[1:-1]]
        if isinstance(value, list):
            return [fill(v) for v in value]
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        return value

    return fill(body)


def _request(client: Client, method: str, url: str, body: dict[str, Any] | None) -> Any:
    if url.startswith("/api/"):
        return client.generic(method, url, json.dumps(body or {}), content_type="application/json")
    if method == "GET":
        return client.get(url)
    return client.post(url, body or {})


def _customer_routes() -> list[tuple[str, str, str, dict[str, Any] | None]]:
    """(label, method, path template, body) of every route that names a customer."""
    out = []
    for path, name in PAGES:
        if ROUTES.get(name) == "customer":
            out.append((name, "PAGE", path, FORMS.get(name)))
    for method, path in OPERATIONS:
        if _api_kind(path) == "customer":
            out.append((f"{method} {path}", method, path, BODIES.get(f"{method} {path}", {})))
    return out


def _page_method(client: Client, url: str) -> str:
    return "POST" if client.get(url).status_code == 405 else "GET"


def test_public_pages_need_no_login_and_name_no_one(world: World, client: Client) -> None:
    """The public routes answer an anonymous visitor themselves (no redirect to the login),
    and a link that is not a valid one shows nothing about anyone."""
    public = [(path, name) for path, name in PAGES if ROUTES[name] == "public"]
    assert public
    for path, _name in public:
        response = client.get(_fill(path, {"token": "x" * 20}))
        text = response.content.decode()
        assert response.status_code == 404
        assert NAME not in text
        assert SECRET not in text
    # and every other page sends an anonymous visitor to the login
    gated = [path for path, name in PAGES if ROUTES[name] in ("customer", "list")]
    assert gated
    for path in gated:
        response = client.get(_fill(path, world.ids))
        assert response.status_code in (302, 405), path


def test_out_of_scope_staff_can_neither_read_nor_write(
    world: World,
    client_for: Callable[[User], Client],
    front_b: User,
    outsider: User,
) -> None:
    failures = []
    for who in (front_b, outsider):
        client = client_for(who)
        for label, method, template, body in _customer_routes():
            url = _fill(template, world.ids)
            verb = _page_method(client, url) if method == "PAGE" else method
            before = _fingerprint()
            response = _request(client, verb, url, _body(body, world.ids))
            text = response.content.decode(errors="replace")
            # A page's POST may answer with a redirect and a message; what matters there is
            # that nothing was written and nothing shown (checked below). Reads and the API
            # must refuse outright.
            refused = response.status_code >= 400 or (
                method == "PAGE" and verb == "POST" and response.status_code == 302
            )
            if not refused:
                failures.append(f"{who.username} {verb} {label}: {response.status_code}")
            if NAME in text or SECRET in text:
                failures.append(f"{who.username} {verb} {label}: shows the customer")
            if _fingerprint() != before:
                failures.append(f"{who.username} {verb} {label}: changed the database")
    assert not failures, "\n".join(failures)


def test_lists_never_show_out_of_scope_customers(
    world: World, client_for: Callable[[User], Client], front_b: User, outsider: User
) -> None:
    failures = []
    for who in (front_b, outsider):
        client = client_for(who)
        for path, name in PAGES:
            if ROUTES[name] != "list" or "<" in path:
                continue
            # by initials, phone suffix, or the customer's id (a search box echoes its text,
            # so the name itself is not searched for)
            for query in ("", "?q=lxy", "?q=2222", f"?customer={world.plain.pk}"):
                text = client.get(path + query).content.decode(errors="replace")
                if NAME in text or SECRET in text or f"/customers/{world.plain.pk}/" in text:
                    failures.append(f"{who.username} {path}{query}")
        for method, path in OPERATIONS:
            if method == "GET" and _api_kind(path) == "list":
                for query in ("", "?q=lxy", "?q=2222"):
                    text = client.get(path + query).content.decode(errors="replace")
                    if NAME in text:
                        failures.append(f"{who.username} GET {path}{query}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("grant", ["none", "expired"])
def test_a_key_account_shows_no_more_than_its_card(
    world: World, client_for: Callable[[User], Client], front_a: User, grant: str
) -> None:
    if grant == "none":
        AccessGrant.objects.filter(grantee=front_a).delete()
    client = client_for(front_a)
    failures = []
    for label, method, template, body in _customer_routes():
        url = _fill(template, world.key_ids)
        verb = _page_method(client, url) if method == "PAGE" else method
        if verb != "GET":
            continue  # writes on a key account: covered by the service tests (card is read-only)
        text = _request(client, verb, url, _body(body, world.key_ids)).content.decode(
            errors="replace"
        )
        failures += [f"{label} shows {s}" for s in KEY_SECRETS if s in text]
    assert not failures, "\n".join(failures)
    # and the same walk with a grant in force does show the file: the check can fail
    AccessGrant.objects.create(
        customer=world.key,
        grantee=front_a,
        reason="代班",
        requested_at=timezone.now(),
        status=GrantStatus.APPROVED,
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )
    assert "青霉素过敏" in client.get(f"/customers/{world.key.pk}/").content.decode()


def test_positive_control_the_owner_reaches_every_customer_route(
    world: World, owner_client: Client
) -> None:
    """With the same ids, the owner gets an answer that is not 'no such thing' on each route,
    so the refusals above come from the policy and not from broken URLs."""
    failures = []
    for label, method, template, body in _customer_routes():
        url = _fill(template, world.ids)
        verb = _page_method(owner_client, url) if method == "PAGE" else method
        if verb != "GET":
            continue  # writes would change the world for the next routes
        status = _request(owner_client, verb, url, _body(body, world.ids)).status_code
        if status >= 400:
            failures.append(f"{label}: {status}")
    assert not failures, "\n".join(failures)

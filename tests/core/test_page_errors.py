"""The page plumbing: `staff_view` hands a view the typed staff request (or refuses), and
`PageErrorMiddleware` turns a refusal raised anywhere under a page into its answer.

The views below are mounted beside the project's own URLs, so login and messages work as on
every page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import path, reverse
from tests.factories import customer_make

from liuke import urls as project_urls
from liuke.accounts.http import StaffRequest, api_actor, staff_view
from liuke.accounts.models import User
from liuke.core.errors import (
    CapabilityDenied,
    KeyAccountRestricted,
    NotFound,
    PermissionDenied,
    ServiceError,
)
from liuke.core.middleware import PageErrorMiddleware
from liuke.customers.capabilities import CustomerCap
from liuke.feedback.capabilities import FeedbackCap

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

#: What each test view raises, by name.
RAISED: dict[str, Callable[[], Exception]] = {
    "not_found": lambda: NotFound(),
    "capability": lambda: CapabilityDenied(),
    "denied": lambda: PermissionDenied("Not yours to decide."),
    "key_account": lambda: KeyAccountRestricted(),
    "service": lambda: ServiceError("too_late", "The day is closed."),
    "validation": lambda: ValidationError(["Name is required.", "Mobile is required."]),
}


@staff_view
def raising(request: StaffRequest, what: str) -> HttpResponse:
    if request.GET.get("back") or request.POST.get("back"):
        request.back = "/customers/"
    raise RAISED[what]()


@staff_view(cap=CustomerCap.CUSTOMER_MERGE)
def merge_page(request: StaffRequest) -> HttpResponse:
    # The typed request: no cast, and the user is the model itself.
    assert isinstance(request.user, User)
    return HttpResponse(f"hello {request.user.username}, htmx={bool(request.htmx)}")


@staff_view(any_cap=(CustomerCap.CUSTOMER_MERGE, FeedbackCap.FEEDBACK_RECORD))
def either_page(request: StaffRequest) -> HttpResponse:
    return HttpResponse("either")


urlpatterns = [
    *project_urls.urlpatterns,
    path("test-plumbing/raise/<str:what>/", raising),
    path("test-plumbing/merge/", merge_page),
    path("test-plumbing/either/", either_page),
]


def _messages(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- the middleware ----------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(("what", "status"), [("not_found", 404), ("capability", 404)])
def test_not_found_and_a_missing_capability_answer_404(
    owner_client: Client, method: str, what: str, status: int
) -> None:
    response = getattr(owner_client, method)(f"/test-plumbing/raise/{what}/")
    assert response.status_code == status
    assert _messages(response) == []


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("what", ["denied", "key_account"])
def test_any_other_denial_answers_403(owner_client: Client, method: str, what: str) -> None:
    response = getattr(owner_client, method)(f"/test-plumbing/raise/{what}/")
    assert response.status_code == 403
    assert _messages(response) == []


def test_a_refused_post_shows_the_service_message_and_returns_to_the_same_page(
    owner_client: Client,
) -> None:
    response = owner_client.post("/test-plumbing/raise/service/")
    assert response.status_code == 302
    assert response["Location"] == "/test-plumbing/raise/service/"
    assert _messages(response) == ["The day is closed."]


def test_a_validation_error_on_post_shows_every_message_in_one(owner_client: Client) -> None:
    response = owner_client.post("/test-plumbing/raise/validation/")
    assert response.status_code == 302
    assert _messages(response) == ["Name is required. Mobile is required."]


def test_the_view_names_where_a_refused_post_returns(owner_client: Client) -> None:
    response = owner_client.post("/test-plumbing/raise/service/", {"back": "1"})
    assert response["Location"] == "/customers/"


def test_a_local_next_wins_over_the_views_target(owner_client: Client) -> None:
    response = owner_client.post(
        "/test-plumbing/raise/service/", {"back": "1", "next": "/sales/catalogue/?x=1"}
    )
    assert response["Location"] == "/sales/catalogue/?x=1"
    assert _messages(response) == ["The day is closed."]


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "http://testserver/customers/",  # absolute, even to this host: not needed, not taken
        "javascript:alert(1)",
        "customers/",
    ],
)
def test_next_cannot_send_the_user_to_another_site(owner_client: Client, target: str) -> None:
    response = owner_client.post("/test-plumbing/raise/service/", {"next": target})
    assert response.status_code == 302
    assert response["Location"] == "/test-plumbing/raise/service/"
    with_back = owner_client.post("/test-plumbing/raise/service/", {"next": target, "back": "1"})
    assert with_back["Location"] == "/customers/"


def test_a_service_error_on_get_is_not_turned_into_a_redirect(owner_client: Client) -> None:
    # A GET has no form to go back to: a refusal there is a bug and reaches Django's handler.
    with pytest.raises(ServiceError):
        owner_client.get("/test-plumbing/raise/service/")


def test_the_api_keeps_its_own_error_shape(rf: RequestFactory) -> None:
    middleware = PageErrorMiddleware(lambda request: HttpResponse())
    request = rf.post("/api/v1/customers")
    for make in RAISED.values():
        assert middleware.process_exception(request, make()) is None


# --- the decorator -----------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_the_login_page(client: Client) -> None:
    response = client.get("/test-plumbing/merge/?a=1")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/test-plumbing/merge/%3Fa%3D1"
    assert client.post("/test-plumbing/raise/service/")["Location"].startswith("/login/?next=")


def test_the_view_gets_the_typed_staff_request(owner_client: Client) -> None:
    response = owner_client.get("/test-plumbing/merge/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.content.decode() == "hello owner, htmx=True"


def test_a_role_without_the_capability_is_refused_like_a_missing_page(
    beautician_a_client: Client, auditor_client: Client
) -> None:
    assert beautician_a_client.get("/test-plumbing/merge/").status_code == 404
    assert auditor_client.get("/test-plumbing/merge/").status_code == 404


def test_any_one_of_several_capabilities_is_enough(
    front_a_client: Client, beautician_a_client: Client
) -> None:
    assert front_a_client.get("/test-plumbing/either/").status_code == 200  # feedback.record
    assert beautician_a_client.get("/test-plumbing/either/").status_code == 404


def test_someone_who_is_not_staff_of_a_business_is_refused(
    client_for: Callable[[User], Client],
) -> None:
    loner = User.objects.create(username="loner")  # logged in, but of no business
    assert client_for(loner).get("/test-plumbing/raise/service/").status_code == 404
    assert client_for(loner).post("/test-plumbing/raise/service/").status_code == 404


def test_the_other_businesss_owner_passes_the_decorator_but_not_the_scope(
    outsider_client: Client,
) -> None:
    # The decorator asks "staff member with the capability?"; which customers is the scope's
    # question (the access matrix covers it route by route).
    assert outsider_client.get("/test-plumbing/merge/").status_code == 200


# --- the API's actor ---------------------------------------------------------------------------


def test_api_actor_is_the_authenticated_staff_member(rf: RequestFactory, owner: User) -> None:
    request = rf.get("/api/v1/me")
    request.auth = owner  # type: ignore[attr-defined]  # what ninja's authentication sets
    assert api_actor(request) is owner


def test_api_actor_refuses_a_request_without_a_staff_member(rf: RequestFactory) -> None:
    request: HttpRequest = rf.get("/api/v1/me")
    with pytest.raises(TypeError):
        api_actor(request)


def test_a_page_keeps_its_answer_when_the_service_denies(
    owner: User, front_a_client: Client, beautician_a_client: Client
) -> None:
    """Through real routes: a write whose page no longer checks the capability itself still
    answers 404 for a role without it (the service's `policy.require`), and the export's own
    denial stays 403, as before the plumbing moved."""
    customer = customer_make(actor=owner, name="林小雨")
    merge = reverse("customers:merge", args=[customer.pk])
    assert beautician_a_client.post(merge, {"duplicate_id": customer.pk}).status_code == 404
    export = reverse("customers:privacy_export", args=[customer.pk])
    assert front_a_client.post(export, {"reason": "客户要求"}).status_code == 403

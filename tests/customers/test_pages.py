"""The customer archive pages: create, edit, profile, list, search, to-confirm, duplicates.

Bad input re-renders the form with a clear message next to the field, and saves nothing."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape
from tests.factories import customer_make, visit_make

from liuke.accounts.models import Branch, User
from liuke.customers.models import Customer, CustomerMerge, FieldChange, Tag


def form_data(branch: Branch, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "李四",
        "gender": "F",
        "birthday": "1991-04-03",
        "mobile": "139 0000 1111",
        "wechat_id": "",
        "card_no": "",
        "branch_id": branch.pk,
        "owner_id": "",
        "source": "walk_in",
        "referrer_id": "",
        "tags": "VIP, 学生",
        "skin_type": "",
        "hair_type": "",
        "allergies": "",
        "contraindications": "",
        "preferences": "",
        "notes": "",
    }
    data.update(overrides)
    return data


def snapshot() -> tuple[int, int, int, list[tuple[Any, ...]]]:
    return (
        Customer.objects.count(),
        FieldChange.objects.count(),
        Tag.objects.count(),
        list(
            Customer.objects.order_by("pk").values_list(
                "pk", "name", "mobile", "card_no", "birthday", "notes", "updated_at"
            )
        ),
    )


def assert_form_error(response: Any, field: str, code: str | None = None) -> None:
    """The form came back (200, not a redirect) with the field's error shown on the page."""
    assert response.status_code == 200, response.status_code
    form = response.context["form"]
    assert field in form.errors, form.errors
    if code is not None:
        assert form.has_error(field, code), form.errors.as_data()
    body = response.content.decode()
    for message in form.errors[field]:
        assert escape(message) in body


# --- create and edit ----------------------------------------------------------------------------


def test_create_page_saves_and_redirects_to_the_profile(
    front_a_client: Client, branch_a: Branch
) -> None:
    response = front_a_client.post("/customers/new/", form_data(branch_a))
    customer = Customer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/customers/{customer.pk}/"
    assert customer.mobile == "13900001111"
    assert customer.name_initials == "ls"
    assert sorted(customer.tags.values_list("name", flat=True)) == ["VIP", "学生"]
    profile = front_a_client.get(response["Location"])
    assert profile.status_code == 200
    assert "李四" in profile.content.decode()


def test_create_page_offers_only_the_users_branches(
    front_a_client: Client, branch_a: Branch, branch_b: Branch
) -> None:
    response = front_a_client.get("/customers/new/")
    assert response.status_code == 200
    choices = dict(response.context["form"].fields["branch_id"].choices)
    assert set(choices) == {branch_a.pk}


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"mobile": "021 6234 5678"}, "mobile", "invalid_phone"),
        ({"mobile": "12345"}, "mobile", "invalid_phone"),
        ({"birthday": "2099-01-01"}, "birthday", "birthday_in_future"),
        ({"birthday": "2999-01-01"}, "birthday", "date_out_of_range"),  # past 2100
        ({"birthday": "1990-02-30"}, "birthday", None),
        ({"name": "张" * 51}, "name", "max_length"),
        ({"name": ""}, "name", "required"),
        ({"card_no": "A1001"}, "card_no", "duplicate_card"),
        ({"card_no": "a1001"}, "card_no", "duplicate_card"),
        ({"notes": "abc\x00def"}, "notes", None),
    ],
)
def test_create_page_with_bad_input_shows_the_error_and_saves_nothing(
    front_a_client: Client,
    front_a: User,
    branch_a: Branch,
    overrides: dict[str, Any],
    field: str,
    code: str | None,
) -> None:
    customer_make(actor=front_a, name="张三", card_no="A1001")
    before = snapshot()
    response = front_a_client.post("/customers/new/", form_data(branch_a, **overrides))
    assert_form_error(response, field, code)
    assert snapshot() == before
    # what was typed is kept in the form, so nothing needs typing again
    assert response.context["form"].data["name"] == form_data(branch_a, **overrides)["name"]


def test_create_page_birthday_tomorrow_is_refused(front_a_client: Client, branch_a: Branch) -> None:
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = front_a_client.post("/customers/new/", form_data(branch_a, birthday=tomorrow))
    assert_form_error(response, "birthday", "birthday_in_future")
    assert not Customer.objects.exists()


def test_create_page_in_another_branch_is_refused(front_a_client: Client, branch_b: Branch) -> None:
    response = front_a_client.post("/customers/new/", form_data(branch_b))
    assert_form_error(response, "branch_id")
    assert not Customer.objects.exists()


def test_create_page_hostile_raw_body_is_not_a_500(
    front_a_client: Client, branch_a: Branch
) -> None:
    # a lone surrogate percent-encoded (invalid UTF-8): refused before any form reads it
    # (liuke.core.middleware.Utf8InputMiddleware), as the API refuses it
    body = f"name=%ED%A0%80&branch_id={branch_a.pk}&source=walk_in&notes=" + "a" * 10_000
    response = front_a_client.post(
        "/customers/new/", data=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert not Customer.objects.exists()
    # a 10,000-character note: the form's own error
    body = f"name=x&branch_id={branch_a.pk}&source=walk_in&notes=" + "a" * 10_000
    response = front_a_client.post(
        "/customers/new/", data=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Customer.objects.exists()


def test_edit_page_saves_the_change_and_shows_it_in_the_history(
    front_a_client: Client, front_a: User, branch_a: Branch
) -> None:
    customer = customer_make(actor=front_a, name="张三", mobile="13812345678")
    page = front_a_client.get(f"/customers/{customer.pk}/edit/")
    assert page.status_code == 200
    assert page.context["form"].initial["mobile"] == "13812345678"

    response = front_a_client.post(
        f"/customers/{customer.pk}/edit/",
        form_data(branch_a, name="张三", mobile="13900001111", birthday="", gender="", tags=""),
    )

    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.mobile == "13900001111"
    change = FieldChange.objects.get(customer=customer, field="mobile")
    assert (change.old_value, change.new_value, change.changed_by_id) == (
        "13812345678",
        "13900001111",
        front_a.pk,
    )
    profile = front_a_client.get(f"/customers/{customer.pk}/").content.decode()
    assert "13900001111" in profile
    assert "13812345678" in profile  # the old value, in the history


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"mobile": "021 6234 5678"}, "mobile", "invalid_phone"),
        ({"birthday": "2099-01-01"}, "birthday", "birthday_in_future"),
        ({"birthday": "2999-01-01"}, "birthday", "date_out_of_range"),  # past 2100
        ({"name": "张" * 51}, "name", "max_length"),
        ({"card_no": "A1001"}, "card_no", "duplicate_card"),
    ],
)
def test_edit_page_with_bad_input_shows_the_error_and_changes_nothing(
    front_a_client: Client,
    front_a: User,
    branch_a: Branch,
    overrides: dict[str, Any],
    field: str,
    code: str,
) -> None:
    customer_make(actor=front_a, name="张三", card_no="A1001")
    customer = customer_make(actor=front_a, name="李四", mobile="13900001111")
    before = snapshot()
    response = front_a_client.post(
        f"/customers/{customer.pk}/edit/",
        form_data(
            branch_a, **{"notes": "新备注", "birthday": "", "gender": "", "tags": "", **overrides}
        ),
    )
    assert_form_error(response, field, code)
    assert snapshot() == before


class _BrowserForm(HTMLParser):
    """What a browser would submit for each POST form of a page, untouched by the user.

    A date input whose value is not ISO (yyyy-mm-dd) is submitted empty, as browsers do."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self.data: dict[str, str] = {}
        self._in_form = False
        self._select: str | None = None
        self._first_option: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self._in_form = True
            self.data = {}
            self.forms.append(self.data)
        if not self._in_form:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.data[name] = a.get("value", "on")
            elif kind == "date":
                value = a.get("value", "")
                self.data[name] = value if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else ""
            elif kind not in ("submit", "button", "file"):
                self.data[name] = a.get("value", "")
        elif tag == "select" and name:
            self._select, self._first_option = name, None
        elif tag == "option" and self._select:
            if self._first_option is None:
                self._first_option = a.get("value", "")
            if "selected" in a:
                self.data[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select:
            self.data.setdefault(self._select, self._first_option or "")
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._in_form = False

    def handle_data(self, data: str) -> None:
        if self._textarea:
            # the template starts a textarea's content on a new line, which browsers drop
            value = self.data[self._textarea] + data
            self.data[self._textarea] = value[1:] if value.startswith("\n") else value


def browser_form(html: str, field: str) -> dict[str, str]:
    """The POST form of the page that has an input called `field`."""
    parser = _BrowserForm()
    parser.feed(html)
    return next(form for form in parser.forms if field in form)


def test_edit_page_round_trips_every_field(
    front_a_client: Client, front_a: User, owner: User
) -> None:
    # given a customer with every field filled in
    referrer = customer_make(actor=front_a, name="介绍人")
    # (made by the owner: the front desk may not make a key account, issue 16)
    customer = customer_make(
        actor=owner,
        branch=front_a.branches.get(),
        name="张三",
        gender="F",
        birthday=dt.date(1988, 3, 15),
        mobile="13812345678",
        wechat_id="zs_wx",
        card_no="A1001",
        owner_id=front_a.pk,  # her own key account: she reads and edits the full file
        is_key_account=True,
        source="referral",
        referrer_id=referrer.pk,
        tags=["VIP", "敏感肌"],
        skin_type="dry",
        hair_type="fine",
        allergies="花粉\n青霉素",
        contraindications="孕期",
        preferences="安静",
        notes="第一行\n第二行",
        confidential_notes="只给负责人看",
        marketing_consent=True,
        photo_consent=True,
    )
    before = FieldChange.objects.filter(customer=customer).count()
    # when the edit page is saved as the browser shows it, with only the mobile changed
    page = front_a_client.get(f"/customers/{customer.pk}/edit/").content.decode()
    data = browser_form(page, "mobile")
    data["mobile"] = "13987654321"
    response = front_a_client.post(f"/customers/{customer.pk}/edit/", data)
    # then the mobile is the one and only change
    assert response.status_code == 302, response.context["form"].errors
    changed = list(
        FieldChange.objects.filter(customer=customer).order_by("id").values_list("field", flat=True)
    )[before:]
    assert changed == ["mobile"]
    customer.refresh_from_db()
    assert customer.birthday == dt.date(1988, 3, 15)


# --- profile, confirm, merge --------------------------------------------------------------------


def test_profile_shows_history_visits_and_duplicates(owner_client: Client, owner: User) -> None:
    customer = customer_make(actor=owner, name="王芳", mobile="13812345678")
    twin = customer_make(actor=owner, name="王小芳", mobile="13812345678")
    visit_make(customer=customer)
    response = owner_client.get(f"/customers/{customer.pk}/")
    assert response.status_code == 200
    assert list(response.context["duplicates"]) == [twin]
    assert len(response.context["visits"]) == 1
    assert "王小芳" in response.content.decode()


def test_confirm_from_the_queue(front_a_client: Client, front_a: User) -> None:
    t0 = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
    with time_machine.travel(t0, tick=False):
        customer = customer_make(actor=front_a, name="老客")
    queue = front_a_client.get("/customers/to-confirm/")
    assert queue.status_code == 200
    assert queue.context["page"].items == [customer]
    assert "老客" in queue.content.decode()

    response = front_a_client.post(f"/customers/{customer.pk}/confirm/")

    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.verified_at is not None
    assert customer.verified_at > t0
    assert front_a_client.get("/customers/to-confirm/").context["page"].items == []


def test_merge_page(manager_a_client: Client, front_a: User) -> None:
    survivor = customer_make(actor=front_a, name="王芳", mobile="13812345678")
    duplicate = customer_make(actor=front_a, name="王芳", mobile="13812345678", notes="旧档案")
    listing = manager_a_client.get("/customers/duplicates/")
    assert listing.status_code == 200
    assert len(listing.context["groups"]) == 1

    response = manager_a_client.post(
        f"/customers/{survivor.pk}/merge/", {"duplicate_id": duplicate.pk}
    )

    assert response.status_code == 302
    assert CustomerMerge.objects.filter(survivor=survivor, merged=duplicate).exists()
    assert manager_a_client.get(f"/customers/{duplicate.pk}/").status_code == 404
    survivor.refresh_from_db()
    assert survivor.notes == "旧档案"


def test_a_mistyped_number_in_a_customer_form_is_refused_with_a_message(
    manager_a_client: Client, front_a: User
) -> None:
    """The customers pages read their forms through typed inputs (liuke.customers.schemas):
    a duplicate's number that is not one was a server error; a group that does not exist was
    passed on as typed."""
    survivor = customer_make(actor=front_a, name="王芳", mobile="13812345678")
    duplicate = customer_make(actor=front_a, name="王芳", mobile="13812345678")
    response = manager_a_client.post(
        f"/customers/{survivor.pk}/merge/", {"duplicate_id": f"{duplicate.pk}x"}, follow=True
    )
    assert response.status_code == 200
    assert list(response.context["messages"])  # the refusal, shown on the profile
    assert not CustomerMerge.objects.exists()
    confirmed = manager_a_client.post(
        f"/customers/{survivor.pk}/confirm/", {"group": "no_such_group"}, follow=True
    )
    assert confirmed.status_code == 200
    assert [m.level_tag for m in confirmed.context["messages"]] == ["error"]


def test_front_desk_cannot_merge_or_see_the_duplicates_page(
    front_a_client: Client, front_a: User
) -> None:
    survivor = customer_make(actor=front_a, name="王芳")
    duplicate = customer_make(actor=front_a, name="王芳")
    assert front_a_client.get("/customers/duplicates/").status_code == 404
    response = front_a_client.post(
        f"/customers/{survivor.pk}/merge/", {"duplicate_id": duplicate.pk}
    )
    assert response.status_code == 404
    assert not CustomerMerge.objects.exists()


# --- list and search ----------------------------------------------------------------------------


def test_list_page_filters_and_searches(
    owner_client: Client, owner: User, branch_a: Branch, branch_b: Branch
) -> None:
    customer_make(actor=owner, branch=branch_a, name="张三")
    customer_make(actor=owner, branch=branch_b, name="李四")
    by_branch = owner_client.get("/customers/", {"branch": branch_b.pk}).content.decode()
    assert "李四" in by_branch
    assert "张三" not in by_branch
    by_initials = owner_client.get("/customers/", {"q": "zs"}).content.decode()
    assert "张三" in by_initials
    assert "李四" not in by_initials


def test_list_page_ignores_malformed_filters(owner_client: Client, owner: User) -> None:
    customer_make(actor=owner, name="张三")
    response = owner_client.get("/customers/", {"page": "x", "sort": "password", "branch": "-1"})
    assert response.status_code == 200


@pytest.mark.parametrize("name", ["q", "tag", "source"])
def test_list_page_with_a_nul_filter_is_not_a_500(owner_client: Client, name: str) -> None:
    assert owner_client.get(f"/customers/?{name}=a%00b").status_code == 200


def test_list_page_htmx_gets_the_rows_partial(owner_client: Client, owner: User) -> None:
    customer_make(actor=owner, name="张三")
    response = owner_client.get("/customers/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.templates[0].name == "customers/partials/list_rows.html"
    assert "张三" in response.content.decode()


@pytest.mark.parametrize("query", ["张三", "zhangsan", "zs", "5678", "13812345678", "A1001"])
def test_search_box(front_a_client: Client, front_a: User, query: str) -> None:
    customer_make(actor=front_a, name="张三", mobile="13812345678", card_no="A1001")
    customer_make(actor=front_a, name="李四", mobile="13900001111")
    body = front_a_client.get("/customers/search/", {"q": query}).content.decode()
    assert "张三" in body
    assert "李四" not in body


def test_search_box_with_hostile_query_is_not_a_500(front_a_client: Client) -> None:
    response = front_a_client.get("/customers/search/?q=%ED%A0%80%00" + "a" * 10_000)
    assert response.status_code == 200


# --- query count --------------------------------------------------------------------------------


@pytest.fixture
def many(owner: User, front_a: User, branch_a: Branch) -> Callable[[int], None]:
    def make(n: int) -> None:
        for i in range(n):
            customer_make(
                actor=owner,
                branch=branch_a,
                name=f"客人{i}",
                mobile=f"138{i:08d}",
                tags=["VIP", "学生"],
                owner_id=front_a.pk,
            )

    return make


def _queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["owner_client", "front_a_client"])
def test_list_page_query_count_does_not_grow_with_the_page(
    request: pytest.FixtureRequest,
    many: Callable[[int], None],
    persona: str,
    django_assert_max_num_queries: Callable[..., Any],
) -> None:
    client: Client = request.getfixturevalue(persona)
    many(2)
    _queries(client, "/customers/")  # the first request writes the session's idle clock
    small = _queries(client, "/customers/")
    many(30)
    # 10 to read, 5 to append one audit event.
    with django_assert_max_num_queries(15):
        response = client.get("/customers/")
    assert len(response.context["page"].items) == 25
    assert _queries(client, "/customers/") == small


def test_profile_query_count_is_bounded(
    owner_client: Client,
    owner: User,
    django_assert_max_num_queries: Callable[..., Any],
) -> None:
    customer = customer_make(actor=owner, name="王芳", mobile="13812345678", tags=["A", "B"])
    for _ in range(5):
        visit_make(customer=customer)
        customer_update_notes(owner, customer)
    # A bound with room (the session's idle clock may be written by this request); the exact
    # baselines per role, panels and the request's one audit event included, are in
    # test_profile.py.
    with django_assert_max_num_queries(50):
        assert owner_client.get(f"/customers/{customer.pk}/").status_code == 200


def customer_update_notes(actor: User, customer: Customer) -> None:
    from liuke.customers.services import customer_update

    customer_update(
        actor=actor,
        customer_id=customer.pk,
        data={"notes": f"{customer.notes}+", "wechat_id": f"wx{timezone.now():%f}"},
    )
    customer.refresh_from_db()

"""Branch scope, end to end: a front-desk user of branch A cannot list, open, edit or search
branch B's customers, through the selectors, the pages or the API. Out-of-scope ids answer
exactly like ids that do not exist (404), so nothing reveals that a customer exists."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from django.test import Client
from tests.factories import customer_make

from liuke.accounts.models import Branch, User
from liuke.core.errors import NotFound
from liuke.customers import selectors
from liuke.customers.models import Customer
from liuke.customers.selectors import CustomerFilters

MISSING_ID = 987_654_321


@dataclass
class World:
    a: Customer  # branch A
    b: Customer  # branch B
    other: Customer  # another business


@pytest.fixture
def world(owner: User, outsider: User, branch_a: Branch, branch_b: Branch) -> World:
    return World(
        a=customer_make(
            actor=owner, branch=branch_a, name="张静安", mobile="13811110001", card_no="JA0001"
        ),
        b=customer_make(
            actor=owner, branch=branch_b, name="张浦东", mobile="13822220002", card_no="PD0002"
        ),
        other=customer_make(actor=outsider, name="张别家", mobile="13833330003", card_no="OT0003"),
    )


def _ids(customers: list[Customer]) -> set[int]:
    return {c.pk for c in customers}


# --- selectors ----------------------------------------------------------------------------------


def test_selector_list_is_branch_scoped(world: World, front_a: User, front_b: User) -> None:
    assert _ids(selectors.customer_list(actor=front_a, filters=CustomerFilters()).items) == {
        world.a.pk
    }
    assert _ids(selectors.customer_list(actor=front_b, filters=CustomerFilters()).items) == {
        world.b.pk
    }


def test_selector_list_filter_by_another_branch_gives_nothing(
    world: World, front_a: User, branch_b: Branch
) -> None:
    page = selectors.customer_list(actor=front_a, filters=CustomerFilters(branch=branch_b.pk))
    assert page.items == []


def test_owner_and_auditor_see_both_branches_but_not_the_other_business(
    world: World, owner: User, auditor: User
) -> None:
    for user in (owner, auditor):
        assert _ids(selectors.customer_list(actor=user, filters=CustomerFilters()).items) == {
            world.a.pk,
            world.b.pk,
        }


@pytest.mark.parametrize("query", ["张浦东", "zhangpudong", "zpd", "13822220002", "0002", "PD0002"])
def test_selector_search_never_finds_another_branch(
    world: World, front_a: User, front_b: User, query: str
) -> None:
    assert selectors.customer_search(actor=front_a, query=query) == []
    # the same query does find it for branch B's desk: the search itself works
    assert _ids(selectors.customer_search(actor=front_b, query=query)) == {world.b.pk}


def test_selector_get_refuses_another_branch(world: World, front_a: User) -> None:
    assert selectors.customer_get(actor=front_a, customer_id=world.a.pk) == world.a
    with pytest.raises(NotFound):
        selectors.customer_get(actor=front_a, customer_id=world.b.pk)
    with pytest.raises(NotFound):
        selectors.customer_history(actor=front_a, customer_id=world.b.pk)


def test_outsider_sees_nothing_of_the_salon(world: World, outsider: User) -> None:
    listed = selectors.customer_list(actor=outsider, filters=CustomerFilters()).items
    assert _ids(listed) == {world.other.pk}
    assert selectors.customer_search(actor=outsider, query="张") == [world.other]
    for customer in (world.a, world.b):
        with pytest.raises(NotFound):
            selectors.customer_get(actor=outsider, customer_id=customer.pk)


def test_likely_duplicates_stay_in_scope(
    world: World, owner: User, front_a: User, branch_b: Branch
) -> None:
    # given a customer in branch B with the same mobile as branch A's customer
    customer_make(actor=owner, branch=branch_b, name="张静安", mobile="13811110001")
    # then branch A's desk is not shown it as a duplicate
    assert selectors.likely_duplicates(actor=front_a, customer=world.a) == []
    assert len(selectors.likely_duplicates(actor=owner, customer=world.a)) == 1


# --- pages --------------------------------------------------------------------------------------


def test_page_list_is_branch_scoped(world: World, front_a_client: Client) -> None:
    response = front_a_client.get("/customers/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "张静安" in body
    assert "张浦东" not in body
    assert "张别家" not in body


@pytest.mark.parametrize(
    "path",
    ["/customers/{id}/", "/customers/{id}/edit/"],
)
def test_pages_answer_404_for_another_branch_like_a_missing_id(
    world: World, front_a_client: Client, path: str
) -> None:
    ok = front_a_client.get(path.format(id=world.a.pk))
    other_branch = front_a_client.get(path.format(id=world.b.pk))
    other_business = front_a_client.get(path.format(id=world.other.pk))
    missing = front_a_client.get(path.format(id=MISSING_ID))
    assert ok.status_code == 200
    assert other_branch.status_code == 404
    assert other_business.status_code == 404
    assert missing.status_code == 404
    assert "张浦东" not in other_branch.content.decode()


def test_page_edit_post_to_another_branch_changes_nothing(
    world: World, front_a_client: Client, branch_a: Branch
) -> None:
    response = front_a_client.post(
        f"/customers/{world.b.pk}/edit/", {"name": "改名", "branch_id": branch_a.pk}
    )
    assert response.status_code == 404
    world.b.refresh_from_db()
    assert world.b.name == "张浦东"


@pytest.mark.parametrize("query", ["张浦东", "zpd", "0002", "PD0002"])
def test_page_search_never_shows_another_branch(
    world: World, front_a_client: Client, front_b_client: Client, query: str
) -> None:
    mine = front_b_client.get("/customers/search/", {"q": query})
    theirs = front_a_client.get("/customers/search/", {"q": query})
    assert mine.status_code == 200
    assert theirs.status_code == 200
    assert "张浦东" in mine.content.decode()
    assert "张浦东" not in theirs.content.decode()


def test_page_list_search_never_shows_another_branch(world: World, front_a_client: Client) -> None:
    response = front_a_client.get("/customers/", {"q": "zpd"})
    assert response.status_code == 200
    assert "张浦东" not in response.content.decode()


def test_outsider_pages_show_nothing_of_the_salon(world: World, outsider_client: Client) -> None:
    listing = outsider_client.get("/customers/").content.decode()
    assert "张别家" in listing
    assert "张静安" not in listing
    assert "张浦东" not in listing
    assert outsider_client.get(f"/customers/{world.a.pk}/").status_code == 404
    search = outsider_client.get("/customers/search/", {"q": "张"}).content.decode()
    assert "张静安" not in search


@pytest.mark.parametrize(
    "path",
    [
        "/customers/",
        "/customers/new/",
        "/customers/search/?q=zs",
        "/customers/to-confirm/",
        "/customers/duplicates/",
        "/customers/1/",
        "/customers/1/edit/",
    ],
)
def test_anonymous_pages_redirect_to_login(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


# --- API ----------------------------------------------------------------------------------------


def test_api_list_is_branch_scoped(world: World, front_a_client: Client) -> None:
    response = front_a_client.get("/api/v1/customers")
    assert response.status_code == 200
    assert {c["id"] for c in response.json()["items"]} == {world.a.pk}


@pytest.mark.parametrize("query", ["张浦东", "zpd", "13822220002", "0002", "PD0002"])
def test_api_search_never_finds_another_branch(
    world: World, front_a_client: Client, front_b_client: Client, query: str
) -> None:
    theirs = front_a_client.get("/api/v1/customers", {"q": query}).json()["items"]
    mine = front_b_client.get("/api/v1/customers", {"q": query}).json()["items"]
    assert theirs == []
    assert [c["id"] for c in mine] == [world.b.pk]


def test_api_list_filter_by_another_branch_gives_nothing(
    world: World, front_a_client: Client, branch_b: Branch
) -> None:
    response = front_a_client.get("/api/v1/customers", {"branch": branch_b.pk})
    assert response.status_code == 200
    assert response.json()["items"] == []


@pytest.mark.parametrize("suffix", ["", "/history"])
def test_api_get_answers_404_for_another_branch_like_a_missing_id(
    world: World, front_a_client: Client, suffix: str
) -> None:
    assert front_a_client.get(f"/api/v1/customers/{world.a.pk}{suffix}").status_code == 200
    answers = [
        front_a_client.get(f"/api/v1/customers/{pk}{suffix}")
        for pk in (world.b.pk, world.other.pk, MISSING_ID)
    ]
    assert [r.status_code for r in answers] == [404, 404, 404]
    # the same body whether the customer exists elsewhere or not at all
    assert answers[0].json() == answers[2].json()
    assert answers[0].json()["code"] == "not_found"


def test_api_patch_to_another_branch_is_404_and_changes_nothing(
    world: World, front_a_client: Client
) -> None:
    response = front_a_client.patch(
        f"/api/v1/customers/{world.b.pk}",
        data=json.dumps({"name": "改名"}),
        content_type="application/json",
    )
    missing = front_a_client.patch(
        f"/api/v1/customers/{MISSING_ID}",
        data=json.dumps({"name": "改名"}),
        content_type="application/json",
    )
    assert response.status_code == 404
    assert response.json() == missing.json()
    world.b.refresh_from_db()
    assert world.b.name == "张浦东"


def test_api_create_in_another_branch_is_refused(
    world: World, front_a_client: Client, branch_b: Branch
) -> None:
    response = front_a_client.post(
        "/api/v1/customers",
        data=json.dumps({"name": "新客", "branch_id": branch_b.pk}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_branch"
    assert not Customer.objects.filter(name="新客").exists()


def test_api_outsider_sees_nothing_of_the_salon(world: World, outsider_client: Client) -> None:
    listed = outsider_client.get("/api/v1/customers").json()["items"]
    assert [c["id"] for c in listed] == [world.other.pk]
    assert outsider_client.get(f"/api/v1/customers/{world.a.pk}").status_code == 404
    assert outsider_client.get("/api/v1/customers", {"q": "张静安"}).json()["items"] == []


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/customers"),
        ("get", "/api/v1/customers/1"),
        ("get", "/api/v1/customers/1/history"),
        ("get", "/api/v1/customers/duplicates"),
        ("get", "/api/v1/me"),
        ("post", "/api/v1/customers"),
        ("patch", "/api/v1/customers/1"),
    ],
)
def test_anonymous_api_gets_401(client: Client, method: str, path: str) -> None:
    if method == "get":
        response = client.get(path)
    else:
        response = getattr(client, method)(path, data="{}", content_type="application/json")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


# --- read-only and masked roles -----------------------------------------------------------------


def test_auditor_cannot_create_or_edit_through_the_pages(
    world: World, auditor_client: Client, branch_a: Branch
) -> None:
    assert auditor_client.get("/customers/new/").status_code in (403, 404)
    created = auditor_client.post("/customers/new/", {"name": "审计新客", "branch_id": branch_a.pk})
    assert created.status_code in (403, 404)
    assert auditor_client.get(f"/customers/{world.a.pk}/edit/").status_code in (403, 404)
    edited = auditor_client.post(
        f"/customers/{world.a.pk}/edit/", {"name": "改名", "branch_id": branch_a.pk}
    )
    assert edited.status_code in (403, 404)
    assert not Customer.objects.filter(name__in=["审计新客", "改名"]).exists()
    # but reading is allowed
    assert auditor_client.get(f"/customers/{world.a.pk}/").status_code == 200


def test_auditor_cannot_create_or_edit_through_the_api(
    world: World, auditor_client: Client, branch_a: Branch
) -> None:
    created = auditor_client.post(
        "/api/v1/customers",
        data=json.dumps({"name": "审计新客", "branch_id": branch_a.pk}),
        content_type="application/json",
    )
    edited = auditor_client.patch(
        f"/api/v1/customers/{world.a.pk}",
        data=json.dumps({"name": "改名"}),
        content_type="application/json",
    )
    assert created.status_code == 403
    assert created.json()["code"] == "permission_denied"
    assert edited.status_code == 403
    assert not Customer.objects.filter(name__in=["审计新客", "改名"]).exists()
    assert auditor_client.get(f"/api/v1/customers/{world.a.pk}").status_code == 200


def test_beautician_sees_masked_mobile_in_api(world: World, beautician_a_client: Client) -> None:
    detail = beautician_a_client.get(f"/api/v1/customers/{world.a.pk}").json()
    listed = beautician_a_client.get("/api/v1/customers").json()["items"]
    assert detail["mobile"] == "138****0001"
    assert listed[0]["mobile"] == "138****0001"


def test_beautician_sees_masked_mobile_in_history(
    world: World, owner: User, beautician_a_client: Client
) -> None:
    from liuke.customers.services import customer_update

    customer_update(actor=owner, customer_id=world.a.pk, data={"mobile": "13911112222"})
    history = beautician_a_client.get(f"/api/v1/customers/{world.a.pk}/history").json()
    change = next(h for h in history if h["field"] == "mobile")
    assert change["old_value"] == "138****0001"
    assert change["new_value"] == "139****2222"


def test_front_desk_sees_full_mobile_in_api(world: World, front_a_client: Client) -> None:
    detail = front_a_client.get(f"/api/v1/customers/{world.a.pk}").json()
    assert detail["mobile"] == "13811110001"


def test_beautician_sees_masked_mobile_on_the_profile_page(
    world: World, beautician_a_client: Client, front_a_client: Client
) -> None:
    masked = beautician_a_client.get(f"/customers/{world.a.pk}/").content.decode()
    full = front_a_client.get(f"/customers/{world.a.pk}/").content.decode()
    assert "138****0001" in masked
    assert "13811110001" not in masked
    assert "13811110001" in full


def test_beautician_search_by_mobile_does_not_leak_it_in_results(
    world: World, beautician_a_client: Client
) -> None:
    body = beautician_a_client.get("/customers/search/", {"q": "0001"}).content.decode()
    assert "张静安" in body
    assert "13811110001" not in body

"""The figures through the API and on the profile: the permission matrix, the audit trail, the
labels (model value beside the 20 × rule), and thin data told as such."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
from django.test import Client
from tests.analytics.test_refresh import TODAY, visits_make
from tests.db import built_once
from tests.factories import PERSONAS, branch_make, business_make, customer_make, persona_make

from liuke.accounts.models import Branch, Business, User
from liuke.analytics.models import CustomerFigures
from liuke.analytics.services import figures_refresh
from liuke.audit.models import AuditEvent
from liuke.customers.models import Customer

if TYPE_CHECKING:
    from pytest_django import DjangoDbBlocker


@dataclass(frozen=True)
class Archive:
    """Ids of what `_archive` built: the salon, its personas and the refreshed customers."""

    businesses: dict[str, int]
    branches: dict[str, int]
    users: dict[str, int]
    customers: list[int]


@pytest.fixture(scope="module")
def _archive(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[Archive]:
    """The salon of tests/conftest.py with 80 customers, their visits and one refresh, built
    once for the module (the model fit takes seconds); every test reads it in a savepoint."""
    with built_once(django_db_blocker):
        with django_db_blocker.unblock():
            business = business_make(name="丽颜美容")
            other_business = business_make(name="别家美容")
            branches = {
                "a": branch_make(business=business, name="静安店", code="JA"),
                "b": branch_make(business=business, name="浦东店", code="PD"),
                "other": branch_make(business=other_business, name="别家总店", code="OT"),
            }
            users = {
                name: persona_make(
                    name,
                    business=other_business if name == "outsider" else business,
                    branches=branches,
                )
                for name in PERSONAS
            }
            rng = np.random.default_rng(8)
            owner = users["owner"]
            customers = [
                customer_make(actor=owner, branch=branches["a" if i % 2 else "b"], name=f"客{i}")
                for i in range(80)
            ]
            visits_make(customers, rng, per_customer=8)
            figures_refresh(business=business, today=TODAY)
        yield Archive(
            businesses={"business": business.pk, "other_business": other_business.pk},
            branches={key: branch.pk for key, branch in branches.items()},
            users={name: user.pk for name, user in users.items()},
            customers=[c.pk for c in customers],
        )


def _read_back(name: str, model: type[Business | Branch | User], ids: str, key: str) -> Any:
    """The conftest fixture `name`, as a fresh object from the archive for every test."""

    @pytest.fixture(name=name)
    def fixture(db: None, _archive: Archive) -> Business | Branch | User:
        return model.objects.get(pk=getattr(_archive, ids)[key])

    return fixture


business = _read_back("business", Business, "businesses", "business")
other_business = _read_back("other_business", Business, "businesses", "other_business")
branch_a = _read_back("branch_a", Branch, "branches", "a")
branch_b = _read_back("branch_b", Branch, "branches", "b")
other_branch = _read_back("other_branch", Branch, "branches", "other")
owner, manager_a, front_a, front_b, beautician_a, auditor, outsider = (
    _read_back(name, User, "users", name) for name in PERSONAS
)


@pytest.fixture
def refreshed(db: None, _archive: Archive) -> list[Customer]:
    by_id = Customer.objects.in_bulk(_archive.customers)
    return [by_id[pk] for pk in _archive.customers]


def in_a(customers: list[Any], branch: Branch) -> Any:
    return next(c for c in customers if c.branch_id == branch.pk)


@pytest.mark.parametrize("persona", ["owner", "front_a", "auditor"])
def test_customer_figures_permission_matrix(
    request: pytest.FixtureRequest, refreshed: list[Any], branch_a: Branch, persona: str
) -> None:
    client: Client = request.getfixturevalue(f"{persona}_client")
    customer = in_a(refreshed, branch_a)
    response = client.get(f"/api/v1/analytics/customers/{customer.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["customer_id"] == customer.pk
    assert body["figures"]["rule_value_fen"] == 20 * body["figures"]["year_spend_fen"]
    assert body["run"]["customers"] == len(refreshed)
    assert set(body["run"]["params"]) == {"r", "alpha", "a", "b", "p", "q", "gamma"}


def test_a_beautician_reads_the_figures_without_money(
    beautician_a_client: Client, refreshed: list[Any], branch_a: Branch
) -> None:
    """Loyalty, segment and activity, yes; spend and value are money (finance.view): null."""
    customer = in_a(refreshed, branch_a)
    response = beautician_a_client.get(f"/api/v1/analytics/customers/{customer.pk}")
    assert response.status_code == 200
    figures = response.json()["figures"]
    assert figures["segment"]
    assert {k: v for k, v in figures.items() if k.endswith("_fen")} == {
        "spend_mean_fen": None,
        "total_spend_fen": None,
        "year_spend_fen": None,
        "expected_spend_fen": None,
        "value_fen": None,
        "rule_value_fen": None,
    }
    assert response.json()["run"]["total_value_fen"] is None


@pytest.mark.parametrize("persona", ["front_b", "outsider"])  # other branch, other business
def test_customer_figures_are_not_found_out_of_scope(
    request: pytest.FixtureRequest, refreshed: list[Any], branch_a: Branch, persona: str
) -> None:
    client: Client = request.getfixturevalue(f"{persona}_client")
    customer = in_a(refreshed, branch_a)
    response = client.get(f"/api/v1/analytics/customers/{customer.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_anonymous_gets_401(client: Client, refreshed: list[Any]) -> None:
    assert client.get(f"/api/v1/analytics/customers/{refreshed[0].pk}").status_code == 401
    assert client.get("/api/v1/analytics/figures").status_code == 401


def test_a_figures_read_is_audited(owner_client: Client, owner: User, refreshed: list[Any]) -> None:
    customer = refreshed[3]
    owner_client.get(f"/api/v1/analytics/customers/{customer.pk}")
    event = AuditEvent.objects.latest("seq")
    assert event.action == "view"
    assert event.fields == ["figures"]
    assert event.customer_ids == [customer.pk]


def test_list_is_scoped_ordered_and_audited(
    manager_a_client: Client, branch_a: Branch, refreshed: list[Any]
) -> None:
    response = manager_a_client.get("/api/v1/analytics/figures?order=rule_value&limit=10")
    assert response.status_code == 200
    rows = response.json()
    assert rows
    assert {r["branch_id"] for r in rows} == {branch_a.pk}  # the manager's branch only
    values = [r["rule_value_fen"] for r in rows]
    assert values == sorted(values, reverse=True)
    event = AuditEvent.objects.latest("seq")
    assert event.action == "list"
    assert sorted(event.customer_ids) == sorted(r["customer_id"] for r in rows)


def test_list_needs_the_analytics_capability(front_a_client: Client, refreshed: list[Any]) -> None:
    response = front_a_client.get("/api/v1/analytics/figures")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_bad_filters_are_422(owner_client: Client, refreshed: list[Any]) -> None:
    assert owner_client.get("/api/v1/analytics/figures?segment=vip").status_code == 422
    assert owner_client.get("/api/v1/analytics/figures?limit=5000").status_code == 422


def test_run_endpoint(owner_client: Client, refreshed: list[Any]) -> None:
    body = owner_client.get("/api/v1/analytics/run").json()
    assert body["customers"] == len(refreshed)
    assert body["bgnbd_status"] in {"ok", "not_converged"}


def test_profile_shows_model_value_beside_the_rule(
    owner_client: Client, branch_a: Branch, refreshed: list[Any]
) -> None:
    customer = in_a(refreshed, branch_a)
    html = owner_client.get(f"/customers/{customer.pk}/").content.decode()
    assert 'id="value"' in html
    assert 'id="value-model"' in html
    assert 'id="value-rule"' in html
    assert "20 ×" in html or "× 20" in html  # labelled as the rule, in either language
    assert 'id="segment"' in html
    assert 'id="loyalty"' in html
    assert 'id="satisfaction"' in html  # no survey answered: shown as such
    CustomerFigures.objects.filter(customer=customer).update(satisfaction=88, recommend=9)
    html = owner_client.get(f"/customers/{customer.pk}/").content.decode()
    assert "88 / 100" in html
    assert "9 / 10" in html
    body = owner_client.get(f"/api/v1/analytics/customers/{customer.pk}").json()
    assert (body["figures"]["satisfaction"], body["figures"]["recommend"]) == (88, 9)


@pytest.mark.parametrize(
    ("persona", "status"),
    [("owner", 200), ("manager_a", 200), ("auditor", 200), ("front_a", 404), ("beautician_a", 404)],
)
def test_dashboard_permission_matrix(
    request: pytest.FixtureRequest, refreshed: list[Any], persona: str, status: int
) -> None:
    client: Client = request.getfixturevalue(f"{persona}_client")
    assert client.get("/analytics/").status_code == status


def test_dashboard_anonymous_is_sent_to_login(client: Client) -> None:
    response = client.get("/analytics/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_dashboard_call_list_is_scoped_and_audited(
    manager_a_client: Client, branch_a: Branch, refreshed: list[Any]
) -> None:
    response = manager_a_client.get("/analytics/")
    html = response.content.decode()
    assert 'id="call-list"' in html
    assert 'id="rfm-chart"' in html
    assert "echarts-6.1.0" in html
    calls = response.context["calls"]
    assert calls
    assert {row["item"].figures.branch_id for row in calls} == {branch_a.pk}
    lost = [row["item"].value_lost_fen for row in calls]
    assert lost == sorted(lost, reverse=True)
    event = AuditEvent.objects.filter(fields=["at_risk"]).latest("seq")
    assert sorted(event.customer_ids) == sorted(row["item"].figures.customer_id for row in calls)
    cells = response.context["chart"]["cells"]
    in_branch = sum(1 for c in refreshed if c.branch_id == branch_a.pk)
    assert sum(cell[2] for cell in cells) == in_branch


def test_dashboard_branch_filter_ignores_other_businesses(
    owner_client: Client, other_branch: Branch, refreshed: list[Any]
) -> None:
    response = owner_client.get(f"/analytics/?branch={other_branch.pk}")
    assert response.status_code == 200
    assert response.context["branch_id"] is None
    assert owner_client.get("/analytics/?branch=abc").status_code == 200


def test_every_value_says_which_one_it_is(owner_client: Client, refreshed: list[Any]) -> None:
    """The call list's value lost and the key accounts' worth are two different values: each
    page that shows one says which (and when to use which)."""
    for url in ("/analytics/", "/analytics/key-accounts/", "/analytics/value/"):
        html = owner_client.get(url).content.decode()
        assert 'id="two-values"' in html, url
    dashboard = owner_client.get("/analytics/").content.decode()
    assert 'id="value-lost-basis"' in dashboard
    assert "损失价值" in dashboard
    profile = owner_client.get(f"/customers/{refreshed[0].pk}/").content.decode()
    assert 'id="two-values"' in profile

"""Shared personas and clients (after healthchecks' hc/test.py).

The business 丽颜美容 has two branches, 静安店 (A) and 浦东店 (B):

- owner          the owner, every branch
- manager_a      manager of branch A
- front_a        front desk of branch A
- front_b        front desk of branch B
- beautician_a   beautician of branch A (sees masked mobiles, cannot create)
- auditor        read-only, every branch
- outsider       the owner of another business (别家美容)

Each persona has a logged-in Django test client: `owner_client`, `front_a_client`, …
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.test import Client
from django.test.utils import override_settings
from tests.factories import branch_make, business_make, persona_make

from liuke.accounts.models import Branch, Business, User


@pytest.fixture(scope="session", autouse=True)
def _test_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Uploaded files go to a temporary folder, never to var/media; static files are served
    from the apps without a collectstatic manifest; passwords hash fast."""
    media = tmp_path_factory.mktemp("media")
    static = tmp_path_factory.mktemp("static")
    with override_settings(
        MEDIA_ROOT=media,
        STATIC_ROOT=static,
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    ):
        yield media


@pytest.fixture
def business(db: None) -> Business:
    return business_make(name="丽颜美容")


@pytest.fixture
def branch_a(business: Business) -> Branch:
    return branch_make(business=business, name="静安店", code="JA")


@pytest.fixture
def branch_b(business: Business) -> Branch:
    return branch_make(business=business, name="浦东店", code="PD")


@pytest.fixture
def owner(business: Business, branch_a: Branch, branch_b: Branch) -> User:
    return persona_make("owner", business=business, branches={"a": branch_a, "b": branch_b})


@pytest.fixture
def manager_a(business: Business, branch_a: Branch) -> User:
    return persona_make("manager_a", business=business, branches={"a": branch_a})


@pytest.fixture
def front_a(business: Business, branch_a: Branch) -> User:
    return persona_make("front_a", business=business, branches={"a": branch_a})


@pytest.fixture
def front_b(business: Business, branch_b: Branch) -> User:
    return persona_make("front_b", business=business, branches={"b": branch_b})


@pytest.fixture
def beautician_a(business: Business, branch_a: Branch) -> User:
    return persona_make("beautician_a", business=business, branches={"a": branch_a})


@pytest.fixture
def auditor(business: Business) -> User:
    return persona_make("auditor", business=business, branches={})


@pytest.fixture
def other_business(db: None) -> Business:
    return business_make(name="别家美容")


@pytest.fixture
def other_branch(other_business: Business) -> Branch:
    return branch_make(business=other_business, name="别家总店", code="OT")


@pytest.fixture
def outsider(other_business: Business, other_branch: Branch) -> User:
    return persona_make("outsider", business=other_business, branches={"other": other_branch})


@pytest.fixture
def client_for(db: None) -> Callable[[User], Client]:
    """A fresh test client logged in as the given user."""

    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def owner_client(client_for: Callable[[User], Client], owner: User) -> Client:
    return client_for(owner)


@pytest.fixture
def manager_a_client(client_for: Callable[[User], Client], manager_a: User) -> Client:
    return client_for(manager_a)


@pytest.fixture
def front_a_client(client_for: Callable[[User], Client], front_a: User) -> Client:
    return client_for(front_a)


@pytest.fixture
def front_b_client(client_for: Callable[[User], Client], front_b: User) -> Client:
    return client_for(front_b)


@pytest.fixture
def beautician_a_client(client_for: Callable[[User], Client], beautician_a: User) -> Client:
    return client_for(beautician_a)


@pytest.fixture
def auditor_client(client_for: Callable[[User], Client], auditor: User) -> Client:
    return client_for(auditor)


@pytest.fixture
def outsider_client(client_for: Callable[[User], Client], outsider: User) -> Client:
    return client_for(outsider)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--no-browser",
        action="store_true",
        help="deselect the browser tests (marker e2e); scripts/run_tests.py passes it to the "
        "PostgreSQL run when both databases run (see its docstring)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out the checks of the other database's behaviour (deselected, so no test is
    reported as skipped): `sqlite_only` on PostgreSQL, `postgres_only` on SQLite; and with
    `--no-browser` the browser tests (`e2e`)."""
    from django.conf import settings

    other = (
        "postgres_only"
        if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
        else "sqlite_only"
    )
    markers = [other, "e2e"] if config.getoption("--no-browser") else [other]

    def left_out(item: pytest.Item) -> bool:
        return any(item.get_closest_marker(marker) is not None for marker in markers)

    keep = [item for item in items if not left_out(item)]
    dropped = [item for item in items if left_out(item)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep

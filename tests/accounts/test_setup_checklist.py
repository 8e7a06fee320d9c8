"""The first-run checklist: the apps' steps, their predicates, ticking, hiding, and the home
page that shows it to owners until it is done."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client, override_settings

from liuke.accounts.errors import AccountsErrorCode
from liuke.accounts.models import Branch, User
from liuke.accounts.services import owner_create
from liuke.accounts.setup import checklist as setup
from liuke.core.errors import CapabilityDenied
from liuke.core.registry import ChecklistItem, Contribution, RegistryError, _check
from liuke.rosters.models import RosterSpan
from liuke.sales.models import CardTier, PackageTemplate, Service

pytestmark = pytest.mark.django_db


def _done(owner: User) -> dict[str, bool]:
    found = setup.checklist(actor=owner)
    assert found is not None
    return {step.key: step.done for step in found.steps}


@pytest.fixture
def new_owner(db: None) -> User:
    """A business as `liuke createowner` leaves it: one branch, one owner, nothing else."""
    return owner_create(
        username="boss", password="Liuke-new-2026!", business_name="新店", branch_name="总店"
    )


def test_the_apps_declare_their_steps_in_order(new_owner: User) -> None:
    assert [item.key for item in setup.items()] == [
        "branches", "staff", "rosters", "menu", "tiers", "templates", "followups", "complaints",
        "public_url",
    ]  # fmt: skip
    assert not any(_done(new_owner).values())


def test_each_step_is_done_by_what_it_asks(new_owner: User) -> None:
    business = new_owner.business
    assert business is not None
    branch = Branch.objects.get(business=business)
    branch.address, branch.phone = "人民路 1 号", "021-1234"
    branch.save()
    User.objects.create(username="mei", business=business, role="beautician")
    Service.objects.create(
        business=business, category="facial", name="补水", duration_min=60, price_fen=100
    )
    CardTier.objects.create(business=business, name="金卡", discount_pct=88)
    PackageTemplate.objects.create(business=business, name="补水 10 次", sessions=10, price_fen=100)
    with override_settings(LIUKE_PUBLIC_URL="https://salon.example.cn"):
        done = _done(new_owner)
    assert done == {
        "branches": True, "staff": True, "rosters": False, "menu": True, "tiers": True,
        "templates": True, "followups": False, "complaints": False, "public_url": True,
    }  # fmt: skip


def test_settings_steps_are_ticked_by_hand_and_can_be_unticked(new_owner: User) -> None:
    setup.checklist_tick(actor=new_owner, key="followups")
    assert _done(new_owner)["followups"]
    setup.checklist_tick(actor=new_owner, key="followups", done=False)
    assert not _done(new_owner)["followups"]
    with pytest.raises(ValidationError) as exc:
        setup.checklist_tick(actor=new_owner, key="nonsense")
    assert exc.value.code == AccountsErrorCode.UNKNOWN_CHECKLIST_ITEM


def test_only_owners_see_or_change_the_checklist(manager_a: User, auditor: User) -> None:
    for who in (manager_a, auditor):
        assert setup.checklist(actor=who) is None
        with pytest.raises(CapabilityDenied):
            setup.checklist_dismiss(actor=who)
        with pytest.raises(CapabilityDenied):
            setup.checklist_tick(actor=who, key="staff")


def _home(client: Client) -> str:
    """The home page's checklist: the slot on the "today" page, filled by htmx."""
    page = client.get("/today/").content.decode()
    assert 'id="checklist-slot"' in page
    return client.get("/account/setup/home/", HTTP_HX_REQUEST="true").content.decode()


def test_the_home_page_shows_the_checklist_until_it_is_hidden(new_owner: User) -> None:
    client = Client()
    client.force_login(new_owner)
    shown = _home(client)
    assert 'id="checklist"' in shown
    assert "邀请员工" in shown  # "Invite your staff", in the pages' default language
    assert client.post("/account/setup/hide/", {"hidden": "1"}).status_code == 302
    assert 'id="checklist"' not in _home(client)
    # still reachable from the settings, and shown again on request
    assert 'id="checklist"' in client.get("/account/setup/").content.decode()
    client.post("/account/setup/hide/", {"hidden": "0"})
    assert 'id="checklist"' in _home(client)


def test_the_home_page_shows_no_checklist_once_every_step_is_done(new_owner: User) -> None:
    client = Client()
    client.force_login(new_owner)
    # the rosters' step is done by a working span, not by a tick
    RosterSpan.objects.create(
        staff=new_owner,
        branch=Branch.objects.get(business=new_owner.business),
        weekday=0,
        kind="work",
        starts_at=dt.time(10),
        ends_at=dt.time(18),
    )
    for key in (
        "branches",
        "staff",
        "menu",
        "tiers",
        "templates",
        "followups",
        "complaints",
        "public_url",
    ):
        client.post("/account/setup/tick/", {"key": key})
    assert 'id="checklist"' not in _home(client)


def test_the_checklist_is_not_shown_to_other_roles(front_a_client: Client) -> None:
    assert 'id="checklist-slot"' not in front_a_client.get("/today/").content.decode()
    assert front_a_client.get("/account/setup/").status_code == 404
    assert front_a_client.get("/account/setup/home/").status_code == 404


def test_two_apps_cannot_declare_the_same_step() -> None:
    step = ChecklistItem("menu", "x", "web:home", order=1)
    with pytest.raises(RegistryError, match="checklist step 'menu'"):
        _check({"a": Contribution(checklist=[step]), "b": Contribution(checklist=[step])})

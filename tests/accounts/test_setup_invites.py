"""The one-time link to set a password (accounts.setup.invites) and its public page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from liuke.accounts.choices import Role
from liuke.accounts.errors import AccountsErrorCode
from liuke.accounts.models import Branch, StaffInvite, User
from liuke.accounts.schemas import PasswordIn
from liuke.accounts.setup.invites import invite_accept, invite_open
from liuke.accounts.setup.staff import staff_invite, staff_invite_again, staff_leave
from liuke.core.signed import SignedTokens

pytestmark = pytest.mark.django_db

PASSWORD = "Zhen-hao-mima-2026"


def _signed(link: str) -> str:
    found = re.search(r"/welcome/([^/]+)/$", link)
    assert found is not None, link
    return found.group(1)


@pytest.fixture
def invited(owner: User, branch_a: Branch) -> tuple[User, str]:
    member, link = staff_invite(
        actor=owner,
        data={
            "display_name": "小美",
            "mobile": "13912340001",
            "role": Role.BEAUTICIAN,
            "branch_ids": [branch_a.pk],
        },
    )
    return member, _signed(link)


def _accept(signed: str, password: str = PASSWORD, again: str | None = None) -> User:
    return invite_accept(
        signed=signed, data=PasswordIn(password=password, password_again=again or password)
    )


def test_the_link_sets_the_password_once(invited: tuple[User, str]) -> None:
    member, signed = invited
    assert invite_open(signed) is not None
    _accept(signed)
    member.refresh_from_db()
    assert member.check_password(PASSWORD)
    assert invite_open(signed) is None
    with pytest.raises(ValidationError) as exc:
        _accept(signed, "Another-password-2026")
    assert exc.value.code == AccountsErrorCode.INVITE_INVALID
    member.refresh_from_db()
    assert member.check_password(PASSWORD)


def test_an_expired_link_does_not_work(invited: tuple[User, str]) -> None:
    member, signed = invited
    StaffInvite.objects.filter(user=member).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert invite_open(signed) is None
    with pytest.raises(ValidationError) as exc:
        _accept(signed)
    assert exc.value.code == AccountsErrorCode.INVITE_INVALID


def test_a_new_link_replaces_the_old_one(invited: tuple[User, str], owner: User) -> None:
    member, old = invited
    new = _signed(staff_invite_again(actor=owner, staff_id=member.pk))
    assert invite_open(old) is None
    assert invite_open(new) is not None


def test_a_link_of_someone_who_left_does_not_work(
    invited: tuple[User, str], owner: User, front_a: User
) -> None:
    member, signed = invited
    staff_leave(actor=owner, staff_id=member.pk, data={"successor_id": front_a.pk})
    assert invite_open(signed) is None


@pytest.mark.parametrize(
    "tamper",
    [
        lambda s: s[:-1] + ("A" if s[-1] != "A" else "B"),  # the signature altered
        lambda s: "x" + s[1:],  # the token altered
        lambda s: SignedTokens("liuke.feedback.survey").sign(s.split(".")[0]),  # other purpose
        lambda s: s + "x" * 100,  # too long
        lambda s: "",
    ],
)
def test_an_altered_or_foreign_link_does_not_work(invited: tuple[User, str], tamper) -> None:  # type: ignore[no-untyped-def]
    _member, signed = invited
    assert invite_open(tamper(signed)) is None


def test_the_password_rules_apply(invited: tuple[User, str]) -> None:
    _member, signed = invited
    with pytest.raises(ValidationError) as exc:
        _accept(signed, "12345678")
    assert "password" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        _accept(signed, PASSWORD, PASSWORD + "x")
    assert [e.code for e in exc.value.error_dict["password_again"]] == ["password_mismatch"]
    assert invite_open(signed) is not None  # a refused try does not use the link up


def test_the_public_page_sets_the_password_and_sends_to_the_login(
    invited: tuple[User, str], client: Client
) -> None:
    member, signed = invited
    page = client.get(f"/welcome/{signed}/")
    assert page.status_code == 200
    assert "小美" in page.content.decode()
    assert page["X-Robots-Tag"] == "noindex, nofollow"
    mismatch = client.post(
        f"/welcome/{signed}/", {"password": PASSWORD, "password_again": "different"}
    )
    assert mismatch.status_code == 400
    done = client.post(f"/welcome/{signed}/", {"password": PASSWORD, "password_again": PASSWORD})
    assert done.status_code == 302
    assert done["Location"] == "/login/"
    login = client.post("/login/", {"username": "13912340001", "password": PASSWORD})
    assert login.status_code == 302
    assert login["Location"] == "/today/"  # everyone lands on their day (issue 16)
    assert client.get(f"/welcome/{signed}/").status_code == 404
    member.refresh_from_db()
    assert member.has_usable_password()


def test_a_bad_link_shows_the_same_page_whatever_the_reason(
    invited: tuple[User, str], client: Client
) -> None:
    _member, signed = invited
    bad = client.get(f"/welcome/{signed[:-2]}xx/")
    unknown = client.get(f"/welcome/{SignedTokens('liuke.accounts.invite').sign('y' * 22)}/")
    assert bad.status_code == unknown.status_code == 404
    # the same page but for the language switch's CSRF token and way back
    assert _without_csrf(bad.content) == _without_csrf(unknown.content)


def _without_csrf(content: bytes) -> str:
    text = content.decode()
    return re.sub(
        r'(csrfmiddlewaretoken" value=|X-CSRFToken": |"next" type="hidden" value=)"[^"]*"', "", text
    )

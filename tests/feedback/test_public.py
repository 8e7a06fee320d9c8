"""The public pages as a customer meets them: no login, CSRF enforced, one answer for every
kind of bad link, nothing personal beyond the given name, and a rate limit counted in the
database (so two app servers share it)."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.test import Client
from django.test.utils import override_settings
from tests.factories import customer_make
from tests.feedback.helpers import survey_link

from liuke.accounts.models import Branch, User
from liuke.customers.models import Customer
from liuke.feedback import links, services
from liuke.feedback.models import RateCounter, Suggestion, SurveyInvitation, SurveyResponse

if TYPE_CHECKING:
    # What the test client returns (a name only the type stubs define).
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

pytestmark = pytest.mark.django_db
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
MAIN = re.compile(r"<main.*</main>", re.S)


def _main(response: object) -> str:
    """The page's content (the header echoes the page's own address and a CSRF token)."""
    found = MAIN.search(response.content.decode())  # type: ignore[attr-defined]
    assert found
    return found.group(0)


@pytest.fixture
def customer(owner: User, branch_a: Branch, front_a: User) -> Customer:
    return customer_make(
        actor=owner,
        branch=branch_a,
        name="林小雨",
        gender="F",
        mobile="13911112222",
        allergies="芒果过敏",
        marketing_consent=True,
        owner_id=front_a.pk,
    )


def _browser() -> Client:
    return Client(enforce_csrf_checks=True)


def _post(client: Client, url: str, data: dict[str, str]) -> TestResponse:
    page = client.get(url)
    token = CSRF.search(page.content.decode())
    assert token, "the form carries a CSRF token"
    return client.post(url, {**data, "csrfmiddlewaretoken": token.group(1)})


def test_a_customer_answers_from_the_link_without_logging_in(
    customer: Customer, beautician_a: User, branch_a: Branch
) -> None:
    signed = survey_link(customer, served_by=beautician_a)
    url = f"/f/s/{signed}/"
    # the URL says nothing about who it is for
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}", signed)  # opaque, signed
    assert "13911112222" not in url
    assert "林" not in url
    client = _browser()
    page = client.get(url)
    text = page.content.decode()
    assert page.status_code == 200
    assert "林女士" in text  # greeted as a salon would, never by her full name
    assert branch_a.name in text
    assert str(beautician_a) in text
    assert "林小雨" not in text
    assert "13911112222" not in text
    assert "芒果过敏" not in text
    assert page["Cache-Control"].startswith("max-age=0") or "no-cache" in page["Cache-Control"]
    answered = _post(client, url, {"satisfaction": "5", "recommend": "9", "comment": "很好"})
    assert answered.status_code == 200
    assert 'id="thanks"' in answered.content.decode()
    assert SurveyResponse.objects.get().recommend == 9
    again = client.get(url)
    assert again.status_code == 404
    assert 'id="link-invalid"' in again.content.decode()


def test_the_form_refuses_a_post_without_its_csrf_token(customer: Customer) -> None:
    url = f"/f/s/{survey_link(customer)}/"
    response = _browser().post(url, {"satisfaction": "5"})
    assert response.status_code == 403
    assert SurveyResponse.objects.count() == 0
    assert SurveyInvitation.objects.get().answered_at is None


def test_bad_input_shows_the_message_and_keeps_the_link(customer: Customer) -> None:
    url = f"/f/s/{survey_link(customer)}/"
    client = _browser()
    refused = _post(client, url, {"recommend": "12", "comment": "一般"})
    assert refused.status_code == 400
    assert "0" in refused.content.decode()
    assert "一般" in refused.content.decode()  # what was typed is not lost
    assert SurveyResponse.objects.count() == 0
    assert _post(client, url, {"recommend": "8"}).status_code == 200


def test_every_bad_link_gets_the_same_answer(customer: Customer) -> None:
    signed = survey_link(customer)
    invitation = SurveyInvitation.objects.get()
    token, signature = signed.split(".")
    assert customer.owner is not None
    used = customer_make(actor=customer.owner, branch=customer.branch, marketing_consent=True)
    used_link = survey_link(used)
    services.survey_answer(signed=used_link, data={"satisfaction": "4"})
    bad = [
        f"{token}.{signature[::-1]}",  # tampered
        links.sign_survey(links.new_token()),  # well signed, unknown
        "nothing-here",  # not ours
        used_link,  # used
    ]
    client = Client()
    answers = set()
    for link in bad:
        response = client.get(f"/f/s/{link}/")
        answers.add((response.status_code, _main(response)))
    with time_machine.travel(invitation.expires_at + dt.timedelta(minutes=1)):
        response = client.get(f"/f/s/{signed}/")  # expired
        answers.add((response.status_code, _main(response)))
    assert len(answers) == 1
    ((status, body),) = answers
    assert status == 404
    assert 'id="link-invalid"' in body


@override_settings(LIUKE_PUBLIC_RATE_LIMIT=3, LIUKE_PUBLIC_RATE_WINDOW=600)
def test_probing_links_is_rate_limited_across_app_servers() -> None:
    # two clients stand for two app servers behind one proxy: the count is in the database
    server_1, server_2 = Client(), Client()
    statuses = [
        (server_1 if i % 2 else server_2)
        .get(f"/f/s/{links.sign_survey(links.new_token())}/")
        .status_code
        for i in range(5)
    ]
    assert statuses == [404, 404, 404, 429, 429]
    row = RateCounter.objects.get()
    assert row.hits == 5
    assert "127.0.0.1" not in row.key_hash
    assert len(row.key_hash) == 64
    # another address is not affected
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.get(f"/f/s/{links.sign_survey(links.new_token())}/").status_code == 404
    # the next window starts afresh
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=11)):
        assert server_1.get(f"/f/s/{links.sign_survey(links.new_token())}/").status_code == 404


@override_settings(LIUKE_PUBLIC_RATE_LIMIT=2)
def test_suggestions_are_rate_limited(manager_a: User, branch_a: Branch) -> None:
    box = services.box_ensure(actor=manager_a, branch_id=branch_a.pk)
    url = f"/f/b/{links.sign_box(box.token)}/"
    client = _browser()
    assert _post(client, url, {"body": "一"}).status_code == 200
    assert _post(client, url, {"body": "二"}).status_code == 200
    limited = _post(client, url, {"body": "三"})
    assert limited.status_code == 429
    assert 'id="rate-limited"' in limited.content.decode()
    assert Suggestion.objects.count() == 2


def test_the_suggestion_box_page(manager_a: User, branch_a: Branch, branch_b: Branch) -> None:
    box = services.box_ensure(actor=manager_a, branch_id=branch_a.pk)
    url = f"/f/b/{links.sign_box(box.token)}/"
    assert re.fullmatch(r"/f/b/[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}/", url)  # opaque, signed
    client = _browser()
    page = client.get(url)
    assert page.status_code == 200
    assert branch_a.name in page.content.decode()
    bad = _post(client, url, {"body": "建议", "contact_phone": "123"})
    assert bad.status_code == 400
    assert Suggestion.objects.count() == 0
    ok = _post(
        client, url, {"body": "希望有儿童等候区", "contact_name": "陈女士", "contact_phone": ""}
    )
    assert ok.status_code == 200
    s = Suggestion.objects.get()
    assert (s.branch, s.contact_name, s.contact_phone) == (branch_a, "陈女士", "")
    # a survey-signed token does not open a box, nor the other way round
    assert client.get(f"/f/b/{links.sign_survey(box.token)}/").status_code == 404
    # a closed box refuses
    box.is_open = False
    box.save()
    assert client.get(url).status_code == 404
    assert branch_b.name not in page.content.decode()


def test_an_erased_customer_s_open_link_answers_nothing(customer: Customer, owner: User) -> None:
    from liuke.customers.services import customer_anonymise
    from liuke.feedback import services

    signed = survey_link(customer)
    customer_anonymise(actor=owner, customer_ids=[customer.pk], reason="顾客要求删除")
    assert services.survey_open(signed) is None
    assert _browser().get(f"/f/s/{signed}/").status_code == 404
    assert SurveyResponse.objects.count() == 0

"""The demo salon's feedback: surveys sent and answered in Chinese, suggestions, a focus
group and a "you said, we did" notice; and a demo reset still removes all of it."""

from __future__ import annotations

import pytest
from django.test import Client

from liuke.accounts.models import User
from liuke.demo.generator import demo_business, generate_demo
from liuke.engagement.choices import MessageKind, TaskKind
from liuke.engagement.models import Message, Task
from liuke.feedback.demo import demo_feedback
from liuke.feedback.models import (
    Conversation,
    Improvement,
    Suggestion,
    SurveyInvitation,
    SurveyResponse,
)

pytestmark = pytest.mark.django_db


def _demo() -> None:
    generate_demo(customers=300, seed=7, username="owner", password="demo-pass-2026")


def test_the_demo_salon_has_feedback() -> None:
    _demo()
    business = demo_business()
    assert business is not None
    report = demo_feedback(business=business)
    assert report["surveys"] > 20
    assert 0.25 < report["answered"] / report["surveys"] < 0.6
    assert SurveyResponse.objects.count() == report["answered"]
    assert SurveyResponse.objects.exclude(comment="").filter(comment__regex=r"[\u4e00-\u9fff]")
    # unhappy answers were routed like production routes them
    unhappy = SurveyResponse.objects.filter(is_detractor=True)
    assert unhappy.count() == report["unhappy"] > 0
    assert Task.objects.filter(kind=TaskKind.FEEDBACK).count() >= unhappy.count()
    # every invitation is dated after its visit
    invitations = list(SurveyInvitation.objects.select_related("visit")[:50])
    assert invitations
    for invitation in invitations:
        assert invitation.created_at > invitation.visit.visited_at
    assert Suggestion.objects.count() == report["suggestions"] > 0
    assert Conversation.objects.count() == 1
    improvement = Improvement.objects.get()
    assert improvement.notified_count == Message.objects.filter(kind=MessageKind.YOU_SAID).count()
    owner = User.objects.get(username="owner")
    client = Client()
    client.force_login(owner)
    page = client.get("/feedback/").content.decode()
    assert "NPS" in page


def test_a_demo_reset_removes_the_feedback_too() -> None:
    _demo()
    business = demo_business()
    assert business is not None
    demo_feedback(business=business)
    generate_demo(customers=120, seed=9, username="owner", password="x-pass-2026", reset=True)
    assert SurveyResponse.objects.count() == 0
    assert Improvement.objects.count() == 0
    assert Suggestion.objects.count() == 0

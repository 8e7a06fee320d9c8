"""The demo salon's feedback: two months of surveys after visits (about four in ten
answered, a few unhappy ones called back), suggestions in each branch's box, a focus group,
and a "you said, we did" notice told to the customers who raised it.

Run by `liuke serve` after the engagement history. Deterministic for a seed; past events with
past timestamps, written through the models (nobody read them), except that unhappy answers
go through `route_detractor` so their callback tasks are the ones production would open.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from liuke.accounts.choices import Role
from liuke.accounts.models import Branch, Business, User
from liuke.engagement import services as engagement
from liuke.engagement.choices import MessageKind, MessageStatus
from liuke.engagement.models import Message
from liuke.feedback import links, services
from liuke.feedback.choices import ConversationKind, SuggestionStatus
from liuke.feedback.models import (
    Conversation,
    ConversationParticipant,
    Improvement,
    Suggestion,
    SuggestionBox,
    SurveyInvitation,
    SurveyResponse,
    SurveySettings,
)
from liuke.sales.choices import VisitStatus
from liuke.sales.models import Visit

_HAPPY = ["美容师手法很专业，做完皮肤很舒服", "环境干净，服务周到", "前台很热情，预约很方便",
          "补水效果很好，会再来", "", "", "谢谢小林的耐心讲解"]  # fmt: skip
_UNHAPPY = ["等了四十分钟才开始做", "美容师一直推销产品，体验不好",
            "做完脸有点发红，希望有人联系我", "价格和上次说的不一样", "房间有点冷"]  # fmt: skip
_SUGGESTIONS = [
    ("希望周末营业时间能延长到晚上九点", "", ""),
    ("等候区可以放一些杂志和热茶", "", ""),
    ("停车不太方便，能否和隔壁商场合作停车优惠", "陈女士", "13800001234"),
    ("希望能在微信上直接预约和查余额", "", ""),
    ("洗手间的洗手液用完了两次", "", ""),
]


@transaction.atomic
def demo_feedback(*, business: Business, seed: int = 42, days: int = 60) -> dict[str, int]:
    rng = random.Random(seed)
    now = timezone.now()
    engagement.defaults_ensure(business_id=business.pk)
    config = services.survey_settings(business.pk)
    config.save()
    visits = _invite(business, config, now=now, days=days)
    surveys, answered, unhappy = _answer(business, config, visits, rng=rng, now=now)
    # suggestion boxes and what was left in them
    manager = (
        User.objects.filter(business=business, role=Role.MANAGER, is_active=True)
        .order_by("id")
        .first()
        or User.objects.filter(business=business, role=Role.OWNER).order_by("id").first()
    )
    branches = list(Branch.objects.filter(business=business).order_by("id"))
    suggestions = _suggestions(business, branches, manager, rng=rng, now=now)
    made_notes = 0
    if manager is not None and branches:
        made_notes = _focus_group(business, branches[0], manager, now=now)
        _you_said_we_did(business, manager, suggestions, now=now)
    return {
        "surveys": surveys,
        "answered": answered,
        "unhappy": unhappy,
        "suggestions": len(suggestions),
        "conversations": made_notes,
    }


def _invite(
    business: Business, config: SurveySettings, *, now: dt.datetime, days: int
) -> list[Mapping[str, Any]]:
    """One survey for the latest visit of each consenting customer in the window."""
    seen: set[int] = set()
    visits: list[Mapping[str, Any]] = []
    for v in (
        Visit.objects.filter(
            business=business,
            visited_at__gte=now - dt.timedelta(days=days),
            visited_at__lte=now - dt.timedelta(hours=config.delay_hours),
            customer__marketing_consent=True,
            customer__merged_into__isnull=True,
        )
        .exclude(status=VisitStatus.REFUNDED)
        .order_by("-visited_at")
        .values("id", "customer_id", "branch_id", "served_by_id", "visited_at")[:3000]
    ):
        if v["customer_id"] not in seen:
            seen.add(v["customer_id"])
            visits.append(v)
    SurveyInvitation.objects.bulk_create(
        [
            SurveyInvitation(
                business=business,
                branch_id=v["branch_id"],
                customer_id=v["customer_id"],
                visit_id=v["id"],
                staff_id=v["served_by_id"],
                token=links.new_token(),
                expires_at=v["visited_at"] + dt.timedelta(days=config.valid_days, hours=2),
            )
            for v in visits
        ],
        ignore_conflicts=True,
    )
    return visits


def _answer(
    business: Business,
    config: SurveySettings,
    visits: list[Mapping[str, Any]],
    *,
    rng: random.Random,
    now: dt.datetime,
) -> tuple[int, int, int]:
    """About four in ten answered; returns (surveys, answered, unhappy)."""
    by_visit = {i.visit_id: i for i in SurveyInvitation.objects.filter(business=business)}
    answered, unhappy = 0, 0
    for v in visits:
        invitation = by_visit.get(v["id"])
        if invitation is None or invitation.answered_at or rng.random() > 0.42:
            continue
        sent = v["visited_at"] + dt.timedelta(hours=config.delay_hours)
        at = min(sent + dt.timedelta(hours=rng.uniform(0.2, 60)), now)
        bad = rng.random() < 0.12
        satisfaction = rng.choice([1, 2, 3]) if bad else rng.choice([4, 4, 5, 5, 5])
        recommend = rng.randint(2, 6) if bad else rng.choice([7, 8, 9, 9, 10, 10, 10])
        invitation.answered_at = at
        invitation.save(update_fields=["answered_at"])
        response = SurveyResponse.objects.create(
            invitation=invitation,
            business=business,
            branch_id=invitation.branch_id,
            customer_id=invitation.customer_id,
            visit_id=invitation.visit_id,
            staff_id=invitation.staff_id,
            satisfaction=satisfaction,
            recommend=recommend,
            ease=rng.choice([3, 4, 5, 5]),
            staff_rating=(rng.choice([2, 3]) if bad else rng.choice([4, 5, 5]))
            if invitation.staff_id
            else None,
            comment=rng.choice(_UNHAPPY if bad else _HAPPY),
            wants_contact=bad and rng.random() < 0.5,
            answered_at=at,
        )
        services.route_detractor(response, now=at)
        answered += 1
        unhappy += int(response.is_detractor)
    # sent `delay_hours` after each visit, not now
    for invitation in SurveyInvitation.objects.filter(business=business).select_related("visit"):
        created = invitation.visit.visited_at + dt.timedelta(hours=config.delay_hours)
        SurveyInvitation.objects.filter(pk=invitation.pk).update(
            created_at=created, updated_at=invitation.answered_at or created
        )
    return len(by_visit), answered, unhappy


def _suggestions(
    business: Business,
    branches: list[Branch],
    manager: User | None,
    *,
    rng: random.Random,
    now: dt.datetime,
) -> list[Suggestion]:
    branches = list(Branch.objects.filter(business=business).order_by("id"))
    suggestions = []
    for branch in branches:
        SuggestionBox.objects.get_or_create(branch=branch, defaults={"token": links.new_token()})
        for k, (body, name, phone) in enumerate(rng.sample(_SUGGESTIONS, 3)):
            s = Suggestion.objects.create(
                business=business,
                branch=branch,
                body=body,
                contact_name=name,
                contact_phone=phone,
                status=SuggestionStatus.NEW if k == 0 else SuggestionStatus.REVIEWED,
                handled_by=None if k == 0 else manager,
                handled_at=None if k == 0 else now - dt.timedelta(days=rng.randint(1, 20)),
            )
            suggestions.append(s)
    return suggestions


def _focus_group(business: Business, branch: Branch, manager: User, *, now: dt.datetime) -> int:
    """A focus group with customers who answered a survey in `branch`; 1 if held."""
    customer_ids = list(
        SurveyResponse.objects.filter(business=business, branch=branch)
        .order_by("id")
        .values_list("customer_id", flat=True)[:5]
    )
    if customer_ids:
        conversation = Conversation.objects.create(
            business=business,
            branch=branch,
            kind=ConversationKind.FOCUS_GROUP,
            held_on=timezone.localdate(now) - dt.timedelta(days=10),
            topic="新项目“光子嫩肤”体验座谈",
            notes="五位老顾客参加。普遍认可效果；两位希望疗程后有书面护理建议；"
            "一位提出等候时间偏长，建议增加预约提醒。",
            recorded_by=manager,
        )
        ConversationParticipant.objects.bulk_create(
            [
                ConversationParticipant(conversation=conversation, customer_id=c)
                for c in dict.fromkeys(customer_ids)
            ]
        )
        return 1
    return 0


def _you_said_we_did(
    business: Business, manager: User, suggestions: list[Suggestion], *, now: dt.datetime
) -> None:
    """Those who said they waited too long are told what was done about it."""
    waiting = list(SurveyResponse.objects.filter(business=business, comment__contains="等了")[:20])
    improvement = Improvement.objects.create(
        business=business,
        branch=None,
        you_said="等候时间太长，希望准时开始护理",
        we_did="周末增加一位前台，并在到店前一小时发送预约提醒",
        created_by=manager,
    )
    improvement.responses.set(waiting)
    improvement.suggestions.set([s for s in suggestions if "等候" in s.body])
    Suggestion.objects.filter(improvements=improvement).update(
        status=SuggestionStatus.ACTED, handled_by=manager, handled_at=now
    )
    told = Message.objects.bulk_create(
        [
            Message(
                business=business,
                branch_id=r.branch_id,
                customer_id=r.customer_id,
                kind=MessageKind.YOU_SAID,
                key=f"improvement:{improvement.pk}",
                is_marketing=True,
                occasion_on=timezone.localdate(now),
                detail=improvement.we_did,
                status=MessageStatus.QUEUED,
            )
            for r in {r.customer_id: r for r in waiting}.values()
        ],
        ignore_conflicts=True,
    )
    improvement.notified_at = now
    improvement.notified_count = len(told)
    improvement.save()

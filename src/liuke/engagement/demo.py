"""The demo salon's engagement history: what a month of front-desk work leaves behind, so the
follow-up lists, the contact log and the reports of a fresh demo look like a real salon's.

Run by `liuke serve` right after it builds the demo: the daily job plans the follow-ups of the
demo's recent visits, then most of the past ones are done (a few late, a few with an issue),
and the front desk has logged calls and WeChat messages over the last 30 days with the usual
mix of reasons and outcomes. Deterministic for a seed; a few hundred rows, written through the
models (not the services: these are past events with past timestamps, and nobody read them)."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from liuke.accounts.choices import Role
from liuke.accounts.models import Business, User
from liuke.customers.models import Customer
from liuke.engagement import jobs
from liuke.engagement.choices import (
    CALLBACK_OUTCOMES,
    FollowUpOutcome,
    FollowUpStatus,
    Outcome,
    TaskKind,
)
from liuke.engagement.models import Contact, ContactReason, FollowUp, Task

#: reason code → (weight, outcomes with weights, a typical note)
_CONTACTS: dict[str, tuple[int, list[tuple[str, int]], list[str]]] = {
    "booking": (30, [(Outcome.BOOKED, 8), (Outcome.RESOLVED, 1), (Outcome.NO_ANSWER, 1)],
                ["想约周六下午做补水护理", "问明天上午有没有空位", "帮闺蜜一起预约"]),
    "reschedule": (10, [(Outcome.BOOKED, 6), (Outcome.RESOLVED, 3), (Outcome.CALLBACK, 1)],
                   ["临时加班，改到下周", "孩子生病，取消本周预约"]),
    "price": (14, [(Outcome.RESOLVED, 6), (Outcome.BOOKED, 2), (Outcome.CALLBACK, 2)],
              ["问光子嫩肤疗程价格", "问储值卡有什么优惠"]),
    "result": (6, [(Outcome.CALLBACK, 4), (Outcome.RESOLVED, 3), (Outcome.COMPLAINT, 2)],
               ["说上次做完肤色不均匀", "觉得补水效果维持时间短"]),
    "allergy": (3, [(Outcome.COMPLAINT, 3), (Outcome.CALLBACK, 2), (Outcome.RESOLVED, 1)],
                ["做完面部护理后脸颊发红发痒", "用了新精华后起小红疹"]),
    "balance": (12, [(Outcome.RESOLVED, 9), (Outcome.CALLBACK, 1)],
                ["查储值卡余额", "问疗程卡还剩几次"]),
    "complaint": (3, [(Outcome.COMPLAINT, 4), (Outcome.CALLBACK, 1)],
                  ["等了四十分钟才开始做", "美容师一直推销产品"]),
    "product": (8, [(Outcome.RESOLVED, 6), (Outcome.BOOKED, 1)],
                ["问敏感肌适合哪款面霜", "上次买的面膜还有货吗"]),
    "hours": (8, [(Outcome.RESOLVED, 9)], ["问国庆营业时间", "问停车位置"]),
    "other": (4, [(Outcome.RESOLVED, 3), (Outcome.CALLBACK, 1)], ["咨询开发票"]),
}  # fmt: skip


def _pick(rng: random.Random, pairs: list[tuple[str, int]]) -> str:
    return rng.choices([p for p, _w in pairs], weights=[w for _p, w in pairs])[0]


@transaction.atomic
def demo_history(*, business: Business, seed: int = 42, contacts: int = 240) -> dict[str, int]:
    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate(now)
    jobs.daily_run(now=now)
    done = _followups_done(business, rng=rng, now=now, today=today)
    # The front desk's contacts of the last 30 days.
    front = list(
        User.objects.filter(business=business, role=Role.FRONT_DESK, is_active=True)
        .prefetch_related("branches")
        .order_by("id")
    )
    works_in = {u.pk: {b.pk for b in u.branches.all()} for u in front}
    reasons = {r.code: r for r in ContactReason.objects.filter(business=business)}
    customers = list(
        Customer.objects.filter(business=business, merged_into__isnull=True)
        .order_by("id")
        .values_list("id", "branch_id")[:2000]
    )
    made = 0
    if front and customers and reasons:
        codes = [c for c in _CONTACTS if c in reasons]
        weights = [_CONTACTS[c][0] for c in codes]
        for _ in range(contacts):
            code = rng.choices(codes, weights=weights)[0]
            _w, outcomes, notes = _CONTACTS[code]
            customer_id, branch_id = rng.choice(customers)
            staff = rng.choice([u for u in front if branch_id in works_in[u.pk]] or front)
            when = now - dt.timedelta(days=rng.uniform(0.1, 30))
            contact = Contact.objects.create(
                business=business,
                branch_id=branch_id,
                customer_id=customer_id,
                channel=rng.choices(["phone", "wechat", "walk_in", "sms"], [5, 6, 2, 1])[0],
                direction="in" if rng.random() < 0.8 else "out",
                reason=reasons[code],
                outcome=_pick(rng, outcomes),
                notes=rng.choice(notes),
                staff=staff,
                occurred_at=when,
                wait_seconds=rng.choice([0, 0, 10, 30, 60, 120, 300]),
                handle_seconds=rng.randint(60, 600),
            )
            if contact.outcome in CALLBACK_OUTCOMES:
                # Older callbacks were made; the last two days' are still open.
                recent = when > now - dt.timedelta(days=2)
                Task.objects.create(
                    business=business,
                    branch_id=branch_id,
                    customer_id=customer_id,
                    kind=TaskKind.CALLBACK,
                    key=f"contact:{contact.pk}",
                    contact=contact,
                    assignee=staff,
                    due_at=when + dt.timedelta(hours=2),
                    status="open" if recent else "done",
                    done_at=None if recent else when + dt.timedelta(hours=1),
                    done_by=None if recent else staff,
                )
            made += 1
    return {"followups_done": len(done), "contacts": made}


def _followups_done(
    business: Business, *, rng: random.Random, now: dt.datetime, today: dt.date
) -> list[FollowUp]:
    # Past follow-ups: 85 % done (most on the day, some a day or two late), the rest overdue.
    done = []
    for f in FollowUp.objects.filter(
        business=business, status=FollowUpStatus.OPEN, planned_on__lt=today
    ).order_by("id"):
        if rng.random() < 0.15:
            continue
        late = 0 if rng.random() < 0.8 else rng.choice([1, 2])
        day = min(f.planned_on + dt.timedelta(days=late), today - dt.timedelta(days=1))
        f.status = FollowUpStatus.DONE
        f.outcome = _pick(
            rng,
            [(FollowUpOutcome.SATISFIED, 14), (FollowUpOutcome.REBOOKED, 4),
             (FollowUpOutcome.NO_ANSWER, 3), (FollowUpOutcome.ISSUE, 1)],
        )  # fmt: skip
        f.note = {"issue": "说有点干，建议加一次补水", "rebooked": "约了下次护理"}.get(
            f.outcome, ""
        )
        f.done_on = day
        f.done_at = dt.datetime.combine(day, dt.time(15, 30), tzinfo=now.tzinfo)
        f.done_by_id = f.assignee_id
        done.append(f)
    FollowUp.objects.bulk_update(
        done, ["status", "outcome", "note", "done_on", "done_at", "done_by"]
    )
    return done

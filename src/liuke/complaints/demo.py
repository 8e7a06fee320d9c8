"""The demo salon's complaints: what two months of a real salon's complaints leave behind, so
the list, the guided page, the approval queue and the reports of a fresh demo have something
to show. Some are still open (one waiting for the customer, one escalated, one past its
target), one compensation waits for approval, and most are closed; of those, the customers who
came back later in the demo's history show as recovered.

Run by `liuke serve` right after it builds the demo (after the engagement history).
Deterministic for a seed; a few dozen rows, written through the models with past timestamps
(these are past events: nobody read them, and the services would stamp them "now")."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from liuke.accounts.choices import Role
from liuke.accounts.models import Business, User
from liuke.complaints import services
from liuke.complaints.choices import ActionSide, ResolutionKind, ResolutionStatus, Status, Step
from liuke.complaints.models import (
    Complaint,
    ComplaintAction,
    ComplaintCause,
    ComplaintResolution,
    ComplaintSettings,
    ComplaintStep,
)
from liuke.complaints.services import case as complaint_case
from liuke.sales.models import Visit

#: (cause, severity, channel, in the customer's words, restated, resolution, value in fen,
#: agreed action (ours), agreed action (theirs), cause fix)
CASES: list[tuple[str, str, str, str, str, str, int, str, str, str]] = [
    ("allergy", "high", "in_person",
     "做完补水护理第二天脸上发红发痒，美容师说是正常反应，我觉得不正常。",
     "护理后出现过敏反应，顾客希望我们负责并说明用了什么产品。",
     ResolutionKind.REDO, 0, "三天后电话回访皮肤状况", "发一张现在的照片给店长",
     "敏感肌顾客护理前一律做耳后皮试，并在档案里记录所用产品。"),
    ("waiting", "medium", "phone",
     "预约了下午三点，等了四十分钟才开始，也没人跟我解释。",
     "预约后等待过久且没有人解释，顾客觉得不被尊重。",
     ResolutionKind.VOUCHER, 3000, "下次预约优先安排并提前确认", "下次来前一天确认时间",
     "前台每半小时核对一次排班，迟到超过十分钟主动告知并致歉。"),
    ("conflicting_staff", "medium", "wechat",
     "前台说疗程卡可以转给我妈妈用，美容师又说不行，到底听谁的？",
     "两位员工对疗程卡能否转让说法不一，顾客不知道该信谁。",
     ResolutionKind.APOLOGY, 0, "店长书面说明转卡规则", "带身份证来办理转卡",
     "整理了一页《储值卡与疗程卡规则》，全体员工培训并贴在前台。"),
    ("rudeness", "high", "phone",
     "我打电话问价格，接电话的人很不耐烦，直接挂了我电话。",
     "电话咨询时员工不耐烦并挂断电话，顾客很生气。",
     ResolutionKind.VOUCHER, 5000, "店长亲自回电道歉", "",
     "电话礼仪纳入每周例会演练，接听满三声内，结束前询问是否还有问题。"),
    ("broken_promise", "medium", "in_person",
     "上次说好这次给我升级成精华护理，结果还是做的普通护理，价格却一样。",
     "答应的升级没有兑现，顾客觉得被骗。",
     ResolutionKind.REDO, 18800, "本周内免费补做一次精华护理", "约一个方便的时间",
     "承诺给顾客的事写进到店记录备注，下次到店时前台先看备注。"),
    ("result", "low", "wechat",
     "做了三次美白疗程，感觉没什么变化。",
     "三次疗程后效果不明显，顾客怀疑疗程是否适合自己。",
     ResolutionKind.APOLOGY, 0, "美容师重新评估肤质并调整方案", "按新方案坚持两周",
     "疗程开始前拍对比照并说明预期效果和所需次数。"),
    ("hygiene", "high", "in_person",
     "毛巾有股味道，我怀疑没有消毒。",
     "毛巾有异味，顾客担心卫生。",
     ResolutionKind.VOUCHER, 5000, "当天全部毛巾重新消毒并检查消毒柜", "",
     "毛巾消毒登记表每天由店长签字；消毒柜每周检修。"),
    ("price", "medium", "phone",
     "结账时比说好的价格多收了八十块。",
     "结账金额比事先说好的高，顾客要求退回差价。",
     ResolutionKind.VOUCHER, 8000, "核对价目表并退还差价", "",
     "价目表统一更新，收银前向顾客报一遍金额。"),
]  # fmt: skip

#: The still-open ones: (cause, severity, channel, in the customer's words, state)
OPEN: list[tuple[str, str, str, str, str]] = [
    ("waiting", "medium", "phone", "今天又等了半个小时，这已经是第二次了。", "open"),
    ("not_listened", "medium", "wechat",
     "我说了好几次不要推销产品，美容师还是一直推。", "waiting"),
    ("allergy", "critical", "in_person",
     "用了店里推荐的精华后起了一片小红疹，现在很痒。", "escalated"),
    ("transferred", "low", "phone", "打电话问预约，被转了三次还没人说清楚。", "breached"),
    ("result", "high", "in_person",
     "做完睫毛嫁接三天就掉了一半，要求重做或者退钱。", "approval"),
]  # fmt: skip


def _steps(c: Complaint, actor: User | None, start: dt.datetime, upto: int) -> None:
    ComplaintStep.objects.bulk_create(
        [
            ComplaintStep(
                complaint=c,
                customer_id=c.customer_id,
                step=n,
                done_at=start + dt.timedelta(minutes=4 * n),
                done_by=actor,
                note="" if n not in (5, 8) else ("了解了经过" if n == 5 else "顾客选择了方案"),
            )
            for n in range(1, upto + 1)
        ]
    )


@dataclass
class _Demo:
    """What every demo case draws on; `rng` is drawn from in the order the cases are written."""

    business: Business
    rng: random.Random
    now: dt.datetime
    settings: ComplaintSettings
    causes: dict[str, ComplaintCause]
    staff: list[User]

    def person(self, branch_id: int, roles: tuple[str, ...]) -> User:
        found = [
            u
            for u in self.staff
            if u.role in roles and branch_id in {b.pk for b in u.branches.all()}
        ]
        return self.rng.choice(found or self.staff)


@transaction.atomic
def demo_complaints(*, business: Business, seed: int = 42) -> dict[str, int]:
    """Write the demo complaints for `business`; returns how many of each kind."""
    rng = random.Random(seed)
    now = timezone.now()
    settings = services.defaults_ensure(business_id=business.pk)
    causes = {c.code: c for c in ComplaintCause.objects.filter(business=business)}
    staff = list(
        User.objects.filter(business=business, is_active=True)
        .exclude(role=Role.AUDITOR)
        .prefetch_related("branches")
        .order_by("id")
    )
    if not staff:
        return {"closed": 0, "open": 0}
    # Customers with a visit 40–75 days ago; those with a later visit will show as recovered.
    visits = list(
        Visit.objects.filter(
            business=business,
            visited_at__lt=now - dt.timedelta(days=40),
            visited_at__gte=now - dt.timedelta(days=75),
        )
        .select_related("branch")
        .order_by("id")[:400]
    )
    recent = list(
        Visit.objects.filter(business=business, visited_at__gte=now - dt.timedelta(days=10))
        .select_related("branch")
        .order_by("id")[:400]
    )
    if not visits or not recent:
        return {"closed": 0, "open": 0}
    rng.shuffle(visits)
    rng.shuffle(recent)
    demo = _Demo(business, rng, now, settings, causes, staff)
    made = {"closed": 0, "open": 0}
    used: set[int] = set()
    for i, case in enumerate(CASES):
        visit = next(v for v in visits if v.customer_id not in used)
        used.add(visit.customer_id)
        _closed_case(demo, i, case, visit)
        made["closed"] += 1
    for open_case in OPEN:
        visit = next(v for v in recent if v.customer_id not in used)
        used.add(visit.customer_id)
        _open_case(demo, open_case, visit)
        made["open"] += 1
    return made


def _complaint(
    demo: _Demo, visit: Visit, handler: User, what: tuple[str, str, str, str], **more: Any
) -> Complaint:
    """A complaint about `visit`, taken by `handler`; `what` = (cause, severity, channel, words)."""
    code, severity, channel, words = what
    return Complaint(
        business=demo.business,
        branch_id=visit.branch_id,
        customer_id=visit.customer_id,
        channel=channel,
        severity=severity,
        cause=demo.causes.get(code),
        description=words,
        visit=visit,
        staff_id=visit.served_by_id,
        handler=handler,
        opened_by=handler,
        **more,
    )


def _closed_case(
    demo: _Demo, i: int, case: tuple[str, str, str, str, str, str, int, str, str, str], visit: Visit
) -> None:
    """A case worked through all ten steps, resolved and closed some weeks ago."""
    code, severity, channel, words, restated, kind, value, ours, theirs, fix = case
    rng = demo.rng
    handler = demo.person(visit.branch_id, (Role.FRONT_DESK, Role.MANAGER))
    opened = visit.visited_at + dt.timedelta(days=1, hours=rng.randint(1, 6))
    response = opened + dt.timedelta(minutes=rng.choice([12, 25, 40, 90, 300]))
    resolved = response + dt.timedelta(hours=rng.choice([2, 6, 20, 30]))
    closed = resolved + dt.timedelta(hours=1)
    c = _complaint(
        demo,
        visit,
        handler,
        (code, severity, channel, words),
        opened_at=opened,
        first_response_at=response,
        resolved_at=resolved,
        closed_at=closed,
        closed_by=handler,
        status=Status.CLOSED,
        restated_problem=restated,
        restatement_confirmed_at=response + dt.timedelta(minutes=20),
        summary=f"我方：{ours}。" + (f"顾客：{theirs}。" if theirs else ""),
        cause_fix=fix if i % 3 != 2 else "",
    )
    complaint_case._set_targets(c, demo.settings)
    if severity == "high":
        c.escalated_at = opened
        c.escalated_to = demo.person(visit.branch_id, (Role.MANAGER, Role.OWNER))
        c.escalation_reason = "severity"
    if c.cause_fix:
        c.cause_fix_at = closed + dt.timedelta(days=2)
        c.cause_fix_by = c.escalated_to or handler
        c.customer_told_at = closed + dt.timedelta(days=3)
        c.customer_told_note = "微信告知"
    c.save()
    _steps(c, handler, response, 10)
    ComplaintAction.objects.create(
        complaint=c,
        customer_id=c.customer_id,
        side=ActionSide.OURS,
        text=ours,
        owner=handler,
        due_on=timezone.localdate(resolved) + dt.timedelta(days=2),
        done_at=resolved + dt.timedelta(days=1),
        done_by=handler,
    )
    if theirs:
        ComplaintAction.objects.create(
            complaint=c, customer_id=c.customer_id, side=ActionSide.THEIRS, text=theirs
        )
    ComplaintResolution.objects.create(
        complaint=c,
        customer_id=c.customer_id,
        kind=kind,
        status=ResolutionStatus.APPLIED,
        amount_fen=value,
        voucher_code=f"TS{c.pk}-DEMO" if kind == ResolutionKind.VOUCHER else "",
        visit=visit if kind == ResolutionKind.REDO else None,
        requested_by=handler,
        applied_at=resolved,
    )


def _open_case(demo: _Demo, case: tuple[str, str, str, str, str], visit: Visit) -> None:
    """A case opened in the last days, left in `state` (open, waiting, escalated, ...)."""
    code, severity, channel, words, state = case
    handler = demo.person(visit.branch_id, (Role.FRONT_DESK,))
    hours_ago = {"open": 1, "waiting": 20, "escalated": 2, "breached": 30, "approval": 5}
    opened = demo.now - dt.timedelta(hours=hours_ago[state])
    c = _complaint(demo, visit, handler, (code, severity, channel, words), opened_at=opened)
    complaint_case._set_targets(c, demo.settings)
    if state in ("escalated", "approval") or complaint_case._severe(demo.settings, severity):
        c.escalated_at = opened + dt.timedelta(minutes=1)
        c.escalated_to = demo.person(visit.branch_id, (Role.MANAGER, Role.OWNER))
        c.escalation_reason = "severity"
    if state == "waiting":
        c.first_response_at = opened + dt.timedelta(minutes=30)
        c.status = Status.WAITING
        c.paused_at = opened + dt.timedelta(hours=2)
    if state == "breached":
        c.response_breached_at = c.response_due_at
        c.escalated_at = c.response_warn_at
        c.escalated_to = demo.person(visit.branch_id, (Role.MANAGER, Role.OWNER))
        c.escalation_reason = "response"
    if state == "approval":
        c.first_response_at = opened + dt.timedelta(minutes=10)
    c.save()
    if state == "waiting":
        _steps(c, handler, c.first_response_at or opened, 5)
    if state == "approval":
        _steps(c, handler, c.first_response_at or opened, 8)
        ComplaintStep.objects.filter(complaint=c, step=Step.RESTATE).update(note="睫毛三天掉了一半")
        Complaint.objects.filter(pk=c.pk).update(
            restated_problem="嫁接睫毛三天掉了一半，顾客要求重做或退款。",
            restatement_confirmed_at=opened + dt.timedelta(minutes=30),
        )
        ComplaintResolution.objects.create(
            complaint=c,
            customer_id=c.customer_id,
            kind=ResolutionKind.VOUCHER,
            status=ResolutionStatus.PENDING,
            amount_fen=12000,
            note="顾客不想重做，申请120元代金券",
            requested_by=handler,
        )


def summary(business: Business) -> dict[str, Any]:
    """What the demo shows (for `liuke serve`'s log)."""
    qs = Complaint.objects.filter(business=business)
    return {"complaints": qs.count(), "open": qs.exclude(status=Status.CLOSED).count()}

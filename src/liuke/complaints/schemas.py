"""Request and response shapes of the complaints API (`liuke.complaints.api`)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import BeforeValidator, StrictBool

from liuke.core.api import JsonObjectIn
from liuke.core.inputs import PlannedDay
from liuke.core.money import FenOrZero

Id = Annotated[int, Field(ge=1, le=2**62)]
_NO_NUL = r"^[^\x00]*$"
SeverityIn = Literal["low", "medium", "high", "critical"]


class ComplaintOpenIn(JsonObjectIn):
    customer_id: Id
    channel: Literal["in_person", "phone", "wechat", "sms", "review", "feedback", "other"]
    description: str = Field(max_length=4000, pattern=_NO_NUL)
    severity: SeverityIn | None = None
    cause_code: str | None = Field(None, max_length=40, pattern=r"^[a-z0-9_-]*$")
    visit_id: Id | None = None
    staff_id: Id | None = None
    branch_id: Id | None = None


class ComplaintUpdateIn(JsonObjectIn):
    severity: SeverityIn | None = None
    cause_code: str | None = Field(None, max_length=40, pattern=r"^[a-z0-9_-]*$")
    handler_id: Id | None = None
    staff_id: Id | None = None


class ComplaintStepIn(JsonObjectIn):
    step: int = Field(ge=1, le=9)
    note: str = Field("", max_length=2000, pattern=_NO_NUL)
    restated_problem: str | None = Field(None, max_length=2000, pattern=_NO_NUL)
    confirmed: StrictBool = False
    summary: str | None = Field(None, max_length=2000, pattern=_NO_NUL)


class ComplaintActionIn(JsonObjectIn):
    side: Literal["ours", "theirs"]
    text: str = Field(max_length=500, pattern=_NO_NUL)
    owner_id: Id | None = None
    due_on: PlannedDay | None = None


class ComplaintExchangeLineIn(JsonObjectIn):
    service_id: Id | None = None
    product_id: Id | None = None
    quantity: int = Field(1, ge=1, le=99)
    staff_id: Id | None = None


class ComplaintExchangePaymentIn(JsonObjectIn):
    method: Literal["cash", "bank_card", "wechat", "alipay", "stored_value"]
    amount_fen: FenOrZero
    card_id: Id | None = None


class ComplaintExchangeIn(JsonObjectIn):
    lines: list[ComplaintExchangeLineIn] = Field(min_length=1, max_length=20)
    payments: list[ComplaintExchangePaymentIn] = Field(default_factory=list, max_length=5)


class ComplaintResolveIn(JsonObjectIn):
    kind: Literal["redo", "refund", "exchange", "voucher", "card_bonus", "apology"]
    amount_fen: FenOrZero = 0
    note: str = Field("", max_length=500, pattern=_NO_NUL)
    visit_id: Id | None = None
    line_id: Id | None = None
    card_id: Id | None = None
    voucher_code: str = Field("", max_length=40, pattern=r"^[A-Za-z0-9_-]*$")
    exchange: ComplaintExchangeIn | None = None


class ComplaintDecideIn(JsonObjectIn):
    approve: StrictBool
    note: str = Field("", max_length=500, pattern=_NO_NUL)


class ComplaintNoteIn(JsonObjectIn):
    note: str = Field("", max_length=2000, pattern=_NO_NUL)


class ComplaintCauseFixIn(JsonObjectIn):
    cause_fix: str = Field(max_length=2000, pattern=_NO_NUL)


class ComplaintStepOut(Schema):
    step: int
    label: str
    done_at: dt.datetime
    done_by_id: int | None
    note: str


class ComplaintActionOut(Schema):
    id: int
    side: str
    text: str
    owner_id: int | None
    due_on: dt.date | None
    done_at: dt.datetime | None
    task_id: int | None


class ComplaintResolutionOut(Schema):
    id: int
    complaint_id: int
    customer_id: int
    kind: str
    status: str
    amount_fen: int
    note: str
    voucher_code: str
    visit_id: int | None
    line_id: int | None
    card_id: int | None
    refund_id: int | None
    exchange_visit_id: int | None
    card_entry_id: int | None
    requested_by_id: int | None
    decided_by_id: int | None
    decided_at: dt.datetime | None
    applied_at: dt.datetime | None


class ComplaintTimerOut(Schema):
    label: str
    due_at: dt.datetime
    met_at: dt.datetime | None
    state: str
    minutes_left: int | None


class ComplaintRecoveryOut(Schema):
    came_back: bool
    visits: int
    spend_fen: int
    window_days: int
    window_over: bool


class ComplaintRowOut(Schema):
    id: int
    customer_id: int
    customer_name: str
    branch_id: int
    channel: str
    severity: str
    cause_code: str | None
    status: str
    handler_id: int | None
    opened_at: dt.datetime
    response_due_at: dt.datetime
    resolution_due_at: dt.datetime
    first_response_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    escalated_at: dt.datetime | None
    escalated_to_id: int | None
    breached: bool
    word_of_mouth_reach: int


class ComplaintOut(ComplaintRowOut):
    description: str
    visit_id: int | None
    service_id: int | None
    staff_id: int | None
    paused_at: dt.datetime | None
    paused_seconds: int
    restated_problem: str
    restatement_confirmed_at: dt.datetime | None
    summary: str
    cause_fix: str
    customer_told_at: dt.datetime | None
    steps: list[ComplaintStepOut]
    actions: list[ComplaintActionOut]
    resolutions: list[ComplaintResolutionOut]
    timers: list[ComplaintTimerOut]
    close_blockers: list[str]
    recovery: ComplaintRecoveryOut | None


class ComplaintDashboardOut(Schema):
    unresolved: int
    waiting: int
    escalated: int
    breached: int
    pending_approvals: int
    reach_each: int
    reach_total: int


class ComplaintCountOut(Schema):
    key: str
    label: str
    n: int


class ComplaintTargetOut(Schema):
    severity: str
    label: str
    n: int
    response_n: int
    response_on_time: int
    response_avg_min: int | None
    response_target_min: int
    resolution_n: int
    resolution_on_time: int
    resolution_avg_h: float | None
    resolution_target_h: int


class ComplaintReportOut(Schema):
    days: int
    total: int
    by_cause: list[ComplaintCountOut]
    by_branch: list[ComplaintCountOut]
    by_staff: list[ComplaintCountOut]
    by_service: list[ComplaintCountOut]
    targets: list[ComplaintTargetOut]
    closed: int
    recovery_counted: int
    recovered: int
    recovery_rate: float | None
    recovery_spend_fen: int
    repeat_customers: int
    repeat_complaints: int
    escalated: int
    breached: int


class ComplaintReportQuery(Schema):
    days: int = Field(90, ge=1, le=3660)
    branch: Id | None = None


class ComplaintCauseOut(Schema):
    code: str
    name: str
    name_zh: str
    name_en: str
    is_active: bool


# --- the settings page's forms (managers) ------------------------------------------------------

#: A whole number typed in a settings box; the service says its range.
_Whole = int


def _blank_is_100(value: object) -> object:
    """A blank position box keeps the default place (100)."""
    return 100 if value in (None, "") else value


class ComplaintSettingsFormIn(JsonObjectIn):
    """The targets per severity, escalation, word-of-mouth factors and recovery window."""

    response_low_min: _Whole
    response_medium_min: _Whole
    response_high_min: _Whole
    response_critical_min: _Whole
    resolution_low_h: _Whole
    resolution_medium_h: _Whole
    resolution_high_h: _Whole
    resolution_critical_h: _Whole
    warn_pct: _Whole
    wom_first: _Whole
    wom_second: _Whole
    recovery_days: _Whole
    escalate_severity: str = Field("", max_length=20)


class ComplaintLimitFormIn(JsonObjectIn):
    """A role's compensation limit, in yuan as typed (blank: no limit of its own)."""

    role: str = Field("", max_length=20)
    limit: str = Field("", max_length=20)


class ComplaintCauseFormIn(JsonObjectIn):
    """A cause added (no `cause_id`) or changed; a mistyped id is refused, not read as new."""

    cause_id: Id | None = None
    code: str = Field("", pattern=_NO_NUL)
    name_zh: str = Field("", pattern=_NO_NUL)
    name_en: str = Field("", pattern=_NO_NUL)
    position: Annotated[int, BeforeValidator(_blank_is_100)] = 100
    is_active: bool = False

"""The access table and the policy's helpers (accounts/policy.py)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from tests.factories import user_make

from liuke.accounts import policy
from liuke.accounts.choices import Role
from liuke.accounts.models import Branch, Business, User
from liuke.accounts.policy import ROLE_CAPABILITIES, Cap
from liuke.analytics.capabilities import AnalyticsCap
from liuke.appointments.capabilities import AppointmentCap
from liuke.audit.capabilities import AuditCap
from liuke.complaints.capabilities import ComplaintCap
from liuke.core.registry import Capability
from liuke.customers.capabilities import CustomerCap
from liuke.engagement.capabilities import EngagementCap
from liuke.feedback.capabilities import FeedbackCap
from liuke.notices.capabilities import NoticeCap
from liuke.rosters.capabilities import RosterCap
from liuke.sales.capabilities import SalesCap

#: The audit app's capabilities (issue 3): owners and auditors only.
AUDIT_CAPS = {AuditCap.AUDIT_VIEW, AuditCap.AUDIT_EXPORT, AuditCap.AUDIT_FLAG_ACK}

#: The table as the product promises it (docs/security.md). Changing the policy means
#: changing this table on purpose.
ALL_CAPS: set[Capability] = set(policy.all_capabilities())
EXPECTED: dict[str, set[Capability]] = {
    Role.OWNER: ALL_CAPS,
    # plans, closing a commission month and adjusting it are the owner's
    Role.MANAGER: ALL_CAPS - {Cap.SETTINGS_MANAGE, SalesCap.COMMISSION_MANAGE} - AUDIT_CAPS,
    Role.FRONT_DESK: {
        Cap.CUSTOMER_VIEW,
        CustomerCap.CUSTOMER_CREATE,
        CustomerCap.CUSTOMER_EDIT,
        CustomerCap.CUSTOMER_CONFIRM,
        Cap.CUSTOMER_VIEW_FULL_MOBILE,
        Cap.STAFF_VIEW,
        SalesCap.SALE_CHECKOUT,
        SalesCap.CARD_MANAGE,
        SalesCap.PACKAGE_SELL,
        SalesCap.SALES_VIEW,
        SalesCap.DAILY_CLOSE_VIEW,
        Cap.FINANCE_VIEW,
    },
    Role.BEAUTICIAN: {
        Cap.CUSTOMER_VIEW,
        CustomerCap.CUSTOMER_EDIT,
        CustomerCap.CUSTOMER_CONFIRM,
        SalesCap.SALES_VIEW,
    },
    Role.AUDITOR: {
        Cap.CUSTOMER_VIEW,
        Cap.CUSTOMER_VIEW_FULL_MOBILE,
        Cap.BRANCH_STATS_VIEW,
        Cap.STAFF_VIEW,
        SalesCap.SALES_VIEW,
        SalesCap.DAILY_CLOSE_VIEW,
        Cap.FINANCE_VIEW,
        Cap.COMMISSION_VIEW,
        AnalyticsCap.ANALYTICS_VIEW,
        *AUDIT_CAPS,
    },
}

WRITE_CAPS = {
    CustomerCap.CUSTOMER_CREATE,
    CustomerCap.CUSTOMER_EDIT,
    CustomerCap.CUSTOMER_CONFIRM,
    CustomerCap.CUSTOMER_MERGE,
    Cap.STAFF_MANAGE,
    Cap.SETTINGS_MANAGE,
    SalesCap.SALE_CHECKOUT,
    SalesCap.CARD_MANAGE,
    SalesCap.PACKAGE_SELL,
    SalesCap.PACKAGE_EXTEND,
    SalesCap.SALE_REFUND,
    SalesCap.COMMISSION_MANAGE,
    SalesCap.COMMISSION_ASSIGN,
    SalesCap.CATALOGUE_MANAGE,
    SalesCap.STOCK_MANAGE,
    Cap.CUSTOMER_GRANT_DECIDE,
    CustomerCap.CUSTOMER_HANDOVER,
    Cap.CUSTOMER_ACCESS_REQUEST,  # a request others must decide (issue 15: not the auditor)
}
# Asking to borrow a key account's file: everyone who works on customers.
EXPECTED[Role.FRONT_DESK] |= {Cap.CUSTOMER_ACCESS_REQUEST}
EXPECTED[Role.BEAUTICIAN] |= {Cap.CUSTOMER_ACCESS_REQUEST}

# engagement (issue 5): contacts, follow-ups, the outbox, reports.
EXPECTED[Role.FRONT_DESK] |= {
    EngagementCap.ENGAGEMENT_VIEW,
    EngagementCap.CONTACT_LOG,
    EngagementCap.FOLLOWUP_WORK,
    EngagementCap.OUTBOX_SEND,
}
EXPECTED[Role.BEAUTICIAN] |= {
    EngagementCap.ENGAGEMENT_VIEW,
    EngagementCap.CONTACT_LOG,
    EngagementCap.FOLLOWUP_WORK,
}
EXPECTED[Role.AUDITOR] |= {EngagementCap.ENGAGEMENT_VIEW, EngagementCap.ENGAGEMENT_REPORTS}
WRITE_CAPS |= {
    EngagementCap.CONTACT_LOG,
    EngagementCap.FOLLOWUP_WORK,
    EngagementCap.OUTBOX_SEND,
    EngagementCap.REASON_MANAGE,
}

# complaints (issue 6): front desk and beauticians open and handle; auditors read and report.
EXPECTED[Role.FRONT_DESK] |= {ComplaintCap.COMPLAINT_VIEW, ComplaintCap.COMPLAINT_HANDLE}
EXPECTED[Role.BEAUTICIAN] |= {ComplaintCap.COMPLAINT_VIEW, ComplaintCap.COMPLAINT_HANDLE}
EXPECTED[Role.AUDITOR] |= {ComplaintCap.COMPLAINT_VIEW, ComplaintCap.COMPLAINT_REPORTS}
# the menu (issue 12): the owner sets it up; managers price their branches, see costs and
# sell a package at another price; auditors see costs.
EXPECTED[Role.MANAGER] -= {SalesCap.MENU_MANAGE}
EXPECTED[Role.AUDITOR] |= {SalesCap.COST_VIEW}
WRITE_CAPS |= {SalesCap.MENU_MANAGE, SalesCap.PACKAGE_PRICE_OVERRIDE}

# rosters (issue 13): everyone reads the roster of their branches; owners and managers set it.
for _role in Role.values:
    EXPECTED[_role] |= {RosterCap.ROSTER_VIEW}
EXPECTED[Role.OWNER] |= {RosterCap.ROSTER_MANAGE}
EXPECTED[Role.MANAGER] |= {RosterCap.ROSTER_MANAGE}
WRITE_CAPS |= {RosterCap.ROSTER_MANAGE}

WRITE_CAPS |= {
    ComplaintCap.COMPLAINT_HANDLE,
    ComplaintCap.COMPLAINT_APPROVE,
    ComplaintCap.COMPLAINT_MANAGE,
}
# feedback (issue 6): front desk reads answers and records conversations; auditors read.
EXPECTED[Role.FRONT_DESK] |= {FeedbackCap.FEEDBACK_VIEW, FeedbackCap.FEEDBACK_RECORD}
EXPECTED[Role.AUDITOR] |= {FeedbackCap.FEEDBACK_VIEW}
WRITE_CAPS |= {FeedbackCap.FEEDBACK_RECORD, FeedbackCap.FEEDBACK_MANAGE}


# setting up (issue 12): owners and managers edit branches (managers: their own, counter details)
WRITE_CAPS |= {Cap.BRANCH_EDIT}

# appointments (issue 13): everyone reads the book, beauticians their own column only; the front
# desk books, moves and cancels; owners and managers keep the resources and override the hours.
EXPECTED[Role.FRONT_DESK] |= {
    AppointmentCap.APPOINTMENT_VIEW,
    AppointmentCap.APPOINTMENT_VIEW_ALL,
    AppointmentCap.APPOINTMENT_BOOK,
}
EXPECTED[Role.BEAUTICIAN] |= {AppointmentCap.APPOINTMENT_VIEW}
EXPECTED[Role.AUDITOR] |= {AppointmentCap.APPOINTMENT_VIEW, AppointmentCap.APPOINTMENT_VIEW_ALL}
WRITE_CAPS |= {
    AppointmentCap.APPOINTMENT_BOOK,
    AppointmentCap.APPOINTMENT_MANAGE,
    AppointmentCap.APPOINTMENT_OVERRIDE,
}

# staff notices (issue 16): everyone reads the notices addressed to them.
for _role in (Role.FRONT_DESK, Role.BEAUTICIAN, Role.AUDITOR):
    EXPECTED[_role] |= {NoticeCap.NOTICE_VIEW}

#: Every capability the apps declare, by value: the 42 the registry first collected,
#: `customer.access_request` (issue 15), the menu's three and branch.edit (issue 12).
DECLARED = {
    "customer.view", "customer.create", "customer.edit", "customer.confirm", "customer.merge",
    "customer.view_full_mobile", "branch.stats_view", "staff.view", "staff.manage", "branch.edit",
    "settings.manage", "sale.checkout", "card.manage", "package.sell", "package.extend",
    "sale.refund", "catalogue.manage", "stock.manage", "sales.view", "sales.daily_close",
    "customer.grant_decide", "customer.handover", "finance.view", "customer.export",
    "customer.access_request",
    "engagement.view", "engagement.contact_log", "engagement.followup_work",
    "engagement.reason_manage", "engagement.outbox_send", "engagement.reports", "analytics.view",
    "analytics.refresh", "audit.view", "audit.export", "audit.flag_ack", "complaint.view",
    "complaint.handle", "complaint.approve", "complaint.manage", "complaint.reports",
    "feedback.view", "feedback.record", "feedback.manage",
    "menu.manage", "cost.view", "package.price_override",
    "roster.view", "roster.manage",
    "commission.view", "commission.manage", "commission.assign",
    "appointments.view", "appointments.view_all", "appointments.book", "appointments.manage",
    "appointments.override",
    "transfer.import",
    "notice.view",
}  # fmt: skip


def test_the_apps_declare_every_capability_once() -> None:
    values = [str(cap) for cap in policy.all_capabilities()]
    assert sorted(values) == sorted(DECLARED)
    assert len({cap.name for cap in policy.all_capabilities()}) == len(values)


def test_every_role_is_in_the_table() -> None:
    assert set(ROLE_CAPABILITIES) == set(Role.values)


@pytest.mark.parametrize("role", Role.values)
def test_role_capabilities_match_the_published_table(role: str) -> None:
    assert set(ROLE_CAPABILITIES[role]) == EXPECTED[role]


def test_auditor_is_read_only() -> None:
    assert not (ROLE_CAPABILITIES[Role.AUDITOR] & WRITE_CAPS)


def test_only_the_owner_manages_settings() -> None:
    holders = {role for role, caps in ROLE_CAPABILITIES.items() if Cap.SETTINGS_MANAGE in caps}
    assert holders == {Role.OWNER}


@pytest.mark.parametrize(
    ("persona", "cap", "allowed"),
    [
        ("owner", Cap.SETTINGS_MANAGE, True),
        ("manager_a", CustomerCap.CUSTOMER_MERGE, True),
        ("manager_a", Cap.SETTINGS_MANAGE, False),
        ("front_a", CustomerCap.CUSTOMER_CREATE, True),
        ("front_a", CustomerCap.CUSTOMER_MERGE, False),
        ("beautician_a", CustomerCap.CUSTOMER_EDIT, True),
        ("beautician_a", CustomerCap.CUSTOMER_CREATE, False),
        ("auditor", Cap.CUSTOMER_VIEW, True),
        ("auditor", CustomerCap.CUSTOMER_EDIT, False),
    ],
)
def test_can_answers_from_the_table(
    request: pytest.FixtureRequest, persona: str, cap: Capability, allowed: bool
) -> None:
    user: User = request.getfixturevalue(persona)
    assert policy.can(user, cap) is allowed
    assert (cap in policy.capabilities(user)) is allowed


def test_anonymous_has_no_capability() -> None:
    anonymous = AnonymousUser()
    assert not policy.is_staff_member(anonymous)
    assert policy.capabilities(anonymous) == frozenset()
    assert not any(policy.can(anonymous, cap) for cap in policy.all_capabilities())


def test_inactive_staff_has_no_capability(owner: User) -> None:
    owner.is_active = False
    owner.save()
    assert not policy.can(owner, Cap.CUSTOMER_VIEW)
    assert policy.customer_scope(owner) is None


@pytest.mark.django_db
def test_a_user_without_business_has_no_capability() -> None:
    # e.g. a Django superuser created by hand: no business, so nothing in the archive
    root = user_make(business=None, role=Role.OWNER, is_superuser=True, is_staff=True)
    assert not policy.can(root, Cap.CUSTOMER_VIEW)
    assert policy.capabilities(root) == frozenset()


def test_owner_and_auditor_see_every_branch(owner: User, auditor: User) -> None:
    assert policy.branch_ids(owner) is None
    assert policy.branch_ids(auditor) is None


def test_branch_staff_see_their_branches(
    front_a: User, front_b: User, manager_a: User, branch_a: Branch, branch_b: Branch
) -> None:
    assert policy.branch_ids(front_a) == [branch_a.pk]
    assert policy.branch_ids(manager_a) == [branch_a.pk]
    assert policy.branch_ids(front_b) == [branch_b.pk]


def test_scope_branches(
    owner: User, front_a: User, outsider: User, branch_a: Branch, branch_b: Branch
) -> None:
    all_branches = Branch.objects.all()
    assert set(policy.scope_branches(owner, all_branches)) == {branch_a, branch_b}
    assert list(policy.scope_branches(front_a, all_branches)) == [branch_a]
    assert branch_a not in policy.scope_branches(outsider, all_branches)
    assert not policy.scope_branches(AnonymousUser(), all_branches).exists()


def test_may_use_branch(
    owner: User, front_a: User, outsider: User, branch_a: Branch, branch_b: Branch
) -> None:
    assert policy.may_use_branch(owner, branch_b)
    assert policy.may_use_branch(front_a, branch_a)
    assert not policy.may_use_branch(front_a, branch_b)
    assert not policy.may_use_branch(outsider, branch_a)


def test_customer_scope_filters_business_branch_and_merged(
    front_a: User, owner: User, business: Business, branch_a: Branch
) -> None:
    assert policy.customer_scope(front_a) == {
        "business_id": business.pk,
        "merged_into__isnull": True,
        "branch_id__in": [branch_a.pk],
    }
    assert policy.customer_scope(owner) == {
        "business_id": business.pk,
        "merged_into__isnull": True,
    }
    assert policy.customer_scope(front_a, prefix="customer") == {
        "customer__business_id": business.pk,
        "customer__merged_into__isnull": True,
        "customer__branch_id__in": [branch_a.pk],
    }


def test_mobile_is_masked_for_beautician_and_full_for_front_desk(
    beautician_a: User, front_a: User, auditor: User
) -> None:
    assert policy.present_mobile(beautician_a, "13812345678") == "138****5678"
    assert policy.present_mobile(front_a, "13812345678") == "13812345678"
    assert policy.present_mobile(auditor, "13812345678") == "13812345678"
    assert policy.present_mobile(AnonymousUser(), "13812345678") == "138****5678"
    assert policy.present_mobile(beautician_a, "") == ""

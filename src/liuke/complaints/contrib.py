"""What the complaints app contributes (liuke.core.registry)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from liuke.complaints import capabilities, privacy
from liuke.complaints.capabilities import ComplaintCap
from liuke.core.registry import (
    ApiMount,
    BriefCases,
    ChecklistItem,
    Contribution,
    DemoStep,
    NavEntry,
    NavGroup,
    PeriodicJob,
    ProfilePanel,
    TodaySection,
    UrlMount,
)

#: The codes the app's audit events carry, as the audit log shows them.
AUDIT_WORDS = {
    "complaint": pgettext_lazy("audit log", "complaint"),
    "complaints": pgettext_lazy("audit log", "complaints"),
    "complaint_approvals": pgettext_lazy("audit log", "compensations to approve"),
    "complaint_settings": pgettext_lazy("audit log", "complaint settings"),
    "complaint_cause": pgettext_lazy("audit log", "complaint cause"),
    "compensation_limit": pgettext_lazy("audit log", "compensation limit"),
    "action": pgettext_lazy("audit log", "agreed action"),
    "action_done": pgettext_lazy("audit log", "action done"),
    "cause_fix": pgettext_lazy("audit log", "cause fixed"),
    "close": pgettext_lazy("audit log", "closed"),
    "customer_told": pgettext_lazy("audit log", "customer told"),
    "note": pgettext_lazy("audit log", "note"),
    "resume": pgettext_lazy("audit log", "resumed"),
    "update": pgettext_lazy("audit log", "update"),
    "wait": pgettext_lazy("audit log", "waiting for the customer"),
    "approve": pgettext_lazy("audit log", "approved"),
    "refuse": pgettext_lazy("audit log", "refused"),
    "step": pgettext_lazy("audit log", "step"),
    "resolution": pgettext_lazy("audit log", "resolution"),
    "escalate": pgettext_lazy("audit log", "escalated"),
}

CONTRIBUTION = Contribution(
    today_sections=[
        TodaySection(
            "complaints",
            _("Complaints waiting for you"),
            order=35,
            render="liuke.complaints.today:complaints_section",
            capability=ComplaintCap.COMPLAINT_REPORTS,
        ),
    ],
    checklist=[
        ChecklistItem(
            "complaints",
            _("Complaint targets, escalation and compensation limits: check the defaults"),
            "complaints:settings",
            order=70,
        )
    ],
    provision=["liuke.complaints.services.limits:defaults_ensure"],
    capabilities=ComplaintCap,
    roles=capabilities.ROLES,
    privacy_models=privacy.MODELS,
    privacy_api=privacy.API_PROPERTIES,
    navigation=[
        NavEntry(
            "complaints:list",
            _("Complaints"),
            ComplaintCap.COMPLAINT_VIEW,
            weight=110,
            group=NavGroup.FEEDBACK,
            badge="liuke.complaints.selectors:waiting_for",
        ),
    ],
    urls=[UrlMount("complaints/", "liuke.complaints.urls")],
    api=[ApiMount("/", "liuke.complaints.api:router")],
    demo=DemoStep(
        "liuke.complaints.demo:demo_complaints", "open, escalated and recovered complaints"
    ),
    jobs=[PeriodicJob("liuke.complaints.tasks:complaints_sweep", "every 5 minutes")],
    profile_panels=[
        ProfilePanel(
            "complaints",
            _("Complaints"),
            order=20,
            render="liuke.complaints.panels:complaints_panel",
            capability=ComplaintCap.COMPLAINT_VIEW,
            url_name="complaints:customer_panel",
        ),
    ],
    brief_cases=[
        BriefCases(
            "complaints",
            ComplaintCap.COMPLAINT_VIEW,
            fetch="liuke.complaints.selectors:unresolved_for_brief",
            item_template="complaints/partials/brief_case.html",
            action=_(
                "Resolve the open complaint first: ask how things are now and what would help."
            ),
        ),
    ],
    audit_words=AUDIT_WORDS,
)

"""What the engagement app contributes (liuke.core.registry)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from liuke.core.registry import (
    ApiMount,
    ChecklistItem,
    Contribution,
    DemoStep,
    NavEntry,
    PeriodicJob,
    ProfilePanel,
    TodaySection,
    UrlMount,
)
from liuke.engagement import capabilities, privacy
from liuke.engagement.capabilities import EngagementCap

#: The codes the app's audit events carry, as the audit log shows them.
AUDIT_WORDS = {
    "contact": pgettext_lazy("audit log", "contact"),
    "contacts": pgettext_lazy("audit log", "contacts"),
    "task": pgettext_lazy("audit log", "task"),
    "tasks": pgettext_lazy("audit log", "tasks"),
    "followup": pgettext_lazy("audit log", "follow-up"),
    "followups": pgettext_lazy("audit log", "follow-ups"),
    "followups_today": pgettext_lazy("audit log", "today's follow-ups"),
    "followups_overdue": pgettext_lazy("audit log", "overdue follow-ups"),
    "followups_upcoming": pgettext_lazy("audit log", "upcoming follow-ups"),
    "followups_done": pgettext_lazy("audit log", "follow-ups done"),
    "today_arrivals": pgettext_lazy("audit log", "today's arrivals"),
    "followup_rule": pgettext_lazy("audit log", "follow-up rule"),
    "message": pgettext_lazy("audit log", "message"),
    "message_template": pgettext_lazy("audit log", "message template"),
    "reminder_settings": pgettext_lazy("audit log", "reminder settings"),
    "contact_reason": pgettext_lazy("audit log", "contact reason"),
    "outbox": pgettext_lazy("audit log", "outbox"),
    "brief_today": pgettext_lazy("audit log", "today's briefs"),
    "prospect_call": pgettext_lazy("audit log", "call from a new number"),
    "prospect_calls": pgettext_lazy("audit log", "calls from new numbers"),
    "messages": pgettext_lazy("audit log", "messages"),
}

CONTRIBUTION = Contribution(
    today_sections=[
        TodaySection(
            "arrivals",
            _("Expected today"),
            order=10,
            render="liuke.engagement.today:arrivals_section",
            capability=EngagementCap.ENGAGEMENT_VIEW,
        ),
        TodaySection(
            "due",
            _("Follow-ups and callbacks due"),
            order=20,
            render="liuke.engagement.today:due_section",
            capability=EngagementCap.ENGAGEMENT_VIEW,
        ),
        TodaySection(
            "prospects",
            _("Calls from new numbers"),
            order=25,
            render="liuke.engagement.today_prospects:prospects_section",
            capability=EngagementCap.CONTACT_LOG,
        ),
    ],
    checklist=[
        ChecklistItem(
            "followups",
            _("Follow-up rules and reminders: check the defaults"),
            "engagement:settings",
            order=60,
        )
    ],
    provision=["liuke.engagement.services.rules:defaults_ensure"],
    capabilities=EngagementCap,
    roles=capabilities.ROLES,
    privacy_models=privacy.MODELS,
    privacy_api=privacy.API_PROPERTIES,
    navigation=[
        NavEntry(
            "engagement:followups",
            _("Follow-ups"),
            EngagementCap.ENGAGEMENT_VIEW,
            100,
            badge="liuke.engagement.selectors:due_for",
        ),
    ],
    urls=[
        UrlMount("engagement/", "liuke.engagement.urls"),
        # public, no login: provider webhooks (secret URL token) and the opt-out link (signed)
        UrlMount("m/", "liuke.engagement.delivery_urls"),
    ],
    api=[ApiMount("/engagement", "liuke.engagement.api:router")],
    demo=DemoStep("liuke.engagement.demo:demo_history", "follow-ups and a month of contacts"),
    jobs=[
        PeriodicJob("liuke.engagement.tasks:engagement_daily", "daily at 06:00"),
        PeriodicJob("liuke.engagement.tasks:engagement_followups", "every 15 minutes"),
        PeriodicJob("liuke.engagement.tasks:engagement_dispatch", "every 5 minutes"),
        PeriodicJob("liuke.engagement.tasks:engagement_overdue", "hourly at :10"),
        PeriodicJob("liuke.engagement.tasks:engagement_callbacks_due", "every 5 minutes"),
    ],
    profile_panels=[
        ProfilePanel(
            "engagement",
            _("Contacts and follow-ups"),
            order=30,
            render="liuke.engagement.panels:contacts_panel",
            capability=EngagementCap.ENGAGEMENT_VIEW,
            url_name="engagement:customer_panel",
        ),
        ProfilePanel(
            "messages",
            _("Messages"),
            order=35,
            render="liuke.engagement.delivery_panels:messages_panel",
            capability=EngagementCap.ENGAGEMENT_VIEW,
        ),
    ],
    audit_words=AUDIT_WORDS,
)

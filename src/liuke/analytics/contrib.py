"""What the analytics app contributes (liuke.core.registry)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from liuke.analytics import capabilities, privacy
from liuke.analytics.capabilities import AnalyticsCap
from liuke.core.registry import (
    ApiMount,
    Contribution,
    NavEntry,
    NavGroup,
    PeriodicJob,
    ProfilePanel,
    TodaySection,
    UrlMount,
)
from liuke.sales.capabilities import SalesCap

#: The codes the app's audit events carry, as the audit log shows them.
AUDIT_WORDS = {
    "figures": pgettext_lazy("audit log", "figures"),
    "at_risk": pgettext_lazy("audit log", "customers at risk"),
    "key_accounts": pgettext_lazy("audit log", "key accounts"),
    "cohort": pgettext_lazy("audit log", "cohort"),
    "segment": pgettext_lazy("audit log", "segment"),
}

CONTRIBUTION = Contribution(
    today_sections=[
        TodaySection(
            "at_risk",
            _("At-risk customers to call"),
            order=50,
            render="liuke.analytics.today:at_risk_section",
            capability=AnalyticsCap.ANALYTICS_VIEW,
        ),
    ],
    capabilities=AnalyticsCap,
    roles=capabilities.ROLES,
    privacy_models=privacy.MODELS,
    privacy_api=privacy.API_PROPERTIES,
    navigation=[
        NavEntry(
            "analytics:dashboard",
            _("Customer value"),
            AnalyticsCap.ANALYTICS_VIEW,
            90,
            NavGroup.ANALYSIS,
        ),
    ],
    urls=[UrlMount("analytics/", "liuke.analytics.urls")],
    api=[ApiMount("/", "liuke.analytics.api:router")],
    jobs=[PeriodicJob("liuke.analytics.tasks:nightly_figures", "daily at 03:15")],
    profile_panels=[
        ProfilePanel(
            "value",
            _("Value and loyalty"),
            order=50,
            render="liuke.analytics.panels:value_panel",
            capability=SalesCap.SALES_VIEW,
            framed=False,
        ),
    ],
    audit_words=AUDIT_WORDS,
)

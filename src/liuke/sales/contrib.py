"""What the sales app contributes (liuke.core.registry)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from liuke.core.registry import (
    ApiMount,
    ChecklistItem,
    Contribution,
    DemoStep,
    NavEntry,
    NavGroup,
    ProfilePanel,
    TodaySection,
    UrlMount,
)
from liuke.sales import capabilities, privacy
from liuke.sales.capabilities import SalesCap

#: The codes the app's audit events carry, as the audit log shows them.
AUDIT_WORDS = {
    "visit": pgettext_lazy("audit log", "visit"),
    "visits": pgettext_lazy("audit log", "visits"),
    "card": pgettext_lazy("audit log", "stored-value card"),
    "package": pgettext_lazy("audit log", "package"),
    "bonus": pgettext_lazy("audit log", "bonus"),
    "sales_summary": pgettext_lazy("audit log", "sales summary"),
    "checkout": pgettext_lazy("audit log", "checkout"),
    "template": pgettext_lazy("audit log", "package template"),
    "price_fen": pgettext_lazy("audit log", "price (fen)"),
    "line": pgettext_lazy("audit log", "sale line"),
    "refund": pgettext_lazy("audit log", "refund"),
    "product": pgettext_lazy("audit log", "product"),
    "service": pgettext_lazy("audit log", "service"),
    "tier": pgettext_lazy("audit log", "card tier"),
    "category": pgettext_lazy("audit log", "menu category"),
}

MONEY = NavGroup.MONEY

CONTRIBUTION = Contribution(
    today_sections=[
        TodaySection(
            "takings",
            _("Takings so far today"),
            order=40,
            render="liuke.sales.today:takings_section",
            capability=SalesCap.DAILY_CLOSE_VIEW,
        ),
    ],
    checklist=[
        ChecklistItem(
            "menu",
            _("The service menu and its prices"),
            "sales:catalogue",
            order=30,
            done="liuke.sales.selectors:menu_exists",
        ),
        ChecklistItem(
            "tiers",
            _("Card tiers and top-up bonuses"),
            "sales:menu_tiers",
            order=40,
            done="liuke.sales.selectors:tiers_exist",
        ),
        ChecklistItem(
            "templates",
            _("Package templates the front desk sells from"),
            "sales:menu_templates",
            order=45,
            done="liuke.sales.selectors:templates_exist",
        ),
    ],
    capabilities=SalesCap,
    roles=capabilities.ROLES,
    privacy_models=privacy.MODELS,
    privacy_api=privacy.API_PROPERTIES,
    navigation=[
        NavEntry("sales:checkout", _("Checkout"), SalesCap.SALE_CHECKOUT, 60, NavGroup.DAILY),
        NavEntry("sales:daily_close", _("Daily close"), SalesCap.DAILY_CLOSE_VIEW, 70, MONEY),
        NavEntry("sales:catalogue", _("Menu"), SalesCap.SALES_VIEW, 75, MONEY),
        NavEntry("sales:commission_statements", _("Commissions"), SalesCap.SALES_VIEW, 78, MONEY),
    ],
    urls=[UrlMount("sales/", "liuke.sales.urls")],
    api=[
        ApiMount("/", "liuke.sales.api:router"),
        ApiMount("/", "liuke.sales.api.menu:router"),
        ApiMount("/", "liuke.sales.api.commission:router"),
    ],
    profile_panels=[
        ProfilePanel(
            "sales",
            _("Sales"),
            order=10,
            render="liuke.sales.panels:sales_panel",
            framed=False,
        ),
    ],
    staff_sections=["liuke.sales.views.commission:staff_section"],
    demo=DemoStep(
        "liuke.sales.demo:demo_sales",
        "the menu (products and stock, card tiers, bonus rules, package templates) and the till"
        " in use: cards, packages and today's checkouts",
    ),
    audit_words=AUDIT_WORDS,
)

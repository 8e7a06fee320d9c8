"""What the customers app contributes (liuke.core.registry)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from liuke.accounts.capabilities import Cap
from liuke.core.registry import (
    ApiMount,
    Contribution,
    NavEntry,
    NavGroup,
    PeriodicJob,
    TodaySection,
    UrlMount,
)
from liuke.customers import capabilities, privacy
from liuke.customers.capabilities import CustomerCap

CUSTOMERS, SETTINGS = NavGroup.CUSTOMERS, NavGroup.SETTINGS

CONTRIBUTION = Contribution(
    today_sections=[
        TodaySection(
            "access_requests",
            _("Key-account requests waiting for you"),
            order=30,
            render="liuke.customers.today:approvals_section",
        ),
    ],
    # a staff member who leaves hands their customers to a successor (accounts' staff_leave)
    staff_handover=["liuke.customers.services:customer_handover"],
    capabilities=CustomerCap,
    roles=capabilities.ROLES,
    privacy_models=privacy.MODELS,
    privacy_api=privacy.API_PROPERTIES,
    navigation=[
        NavEntry("customers:list", _("Customers"), Cap.CUSTOMER_VIEW, 10, CUSTOMERS),
        NavEntry("customers:create", _("New customer"), CustomerCap.CUSTOMER_CREATE, 20, CUSTOMERS),
        NavEntry("customers:stale", _("To confirm"), CustomerCap.CUSTOMER_CONFIRM, 30, CUSTOMERS),
        NavEntry(
            "customers:duplicates", _("Duplicates"), CustomerCap.CUSTOMER_MERGE, 40, CUSTOMERS
        ),
        NavEntry("customers:access", _("Key-account access"), Cap.CUSTOMER_VIEW, 50, CUSTOMERS),
        NavEntry("customers:retention", _("Retention"), Cap.SETTINGS_MANAGE, 140, SETTINGS),
    ],
    urls=[UrlMount("customers/", "liuke.customers.urls")],
    api=[
        ApiMount("/customers", "liuke.customers.api:router"),
        ApiMount("/", "liuke.customers.api:access_router"),
    ],
    jobs=[
        PeriodicJob("liuke.customers.tasks:nightly_data_quality", "daily at 02:30"),
        PeriodicJob(
            "liuke.customers.tasks:nightly_erasure_scrub", "daily at 03:40, after an erasure"
        ),
    ],
)

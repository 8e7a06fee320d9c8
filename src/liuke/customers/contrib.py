"""What the customers app contributes (liuke.core.registry)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from liuke.accounts.capabilities import Cap
from liuke.core.registry import ApiMount, Contribution, NavEntry, PeriodicJob, UrlMount
from liuke.customers import capabilities, privacy
from liuke.customers.capabilities import CustomerCap

CONTRIBUTION = Contribution(
    # a staff member who leaves hands their customers to a successor (accounts' staff_leave)
    staff_handover=["liuke.customers.services:customer_handover"],
    capabilities=CustomerCap,
    roles=capabilities.ROLES,
    privacy_models=privacy.MODELS,
    privacy_api=privacy.API_PROPERTIES,
    navigation=[
        NavEntry("customers:list", _("Customers"), Cap.CUSTOMER_VIEW, weight=10),
        NavEntry("customers:create", _("New customer"), CustomerCap.CUSTOMER_CREATE, weight=20),
        NavEntry("customers:stale", _("To confirm"), CustomerCap.CUSTOMER_CONFIRM, weight=30),
        NavEntry("customers:duplicates", _("Duplicates"), CustomerCap.CUSTOMER_MERGE, weight=40),
        NavEntry(
            "customers:access",
            _("Key-account access"),
            Cap.CUSTOMER_VIEW,
            weight=50,
            badge="liuke.customers.selectors.access:decisions_waiting",
        ),
        NavEntry("customers:retention", _("Retention"), Cap.SETTINGS_MANAGE, weight=140),
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

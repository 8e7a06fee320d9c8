"""What the customers app contributes (liuke.core.registry)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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
from liuke.customers.choices import FieldGroup, PhotoKind

#: The codes customers' events carry: the file's fields (by their labels), the views of it, the
#: lists that show customers. (The same msgids as the model's labels, so one translation.)
AUDIT_WORDS = {
    "name": _("name"),
    "gender": _("gender"),
    "birthday": _("birthday"),
    "address_as": _("form of address"),
    "mobile": _("mobile"),
    "wechat_id": _("WeChat id"),
    "card_no": _("card number"),
    "is_key_account": _("key account"),
    "owner": pgettext_lazy("audit log", "responsible staff member"),
    "owner_id": pgettext_lazy("audit log", "responsible staff member"),
    "source": _("source"),
    "referrer": pgettext_lazy("audit log", "referred by"),
    "referrer_id": pgettext_lazy("audit log", "referred by"),
    "skin_type": _("skin type"),
    "hair_type": _("hair type"),
    "allergies": _("allergies"),
    "contraindications": _("contraindications"),
    "preferences": _("preferences"),
    "notes": _("notes"),
    "confidential_notes": _("confidential notes"),
    "marketing_consent": _("marketing consent"),
    "photo_consent": _("photo consent"),
    "service_notices": _("service notices"),
    "tags": pgettext_lazy("audit log", "tags"),
    **{group.value: group.label for group in FieldGroup},
    **{kind.value: kind.label for kind in PhotoKind},
    "profile": pgettext_lazy("audit log", "profile"),
    "edit": pgettext_lazy("audit log", "edit form"),
    "photo": pgettext_lazy("audit log", "photo"),
    "history": pgettext_lazy("audit log", "change history"),
    "export": pgettext_lazy("audit log", "export"),
    "brief": pgettext_lazy("audit log", "customer brief"),
    "privacy": pgettext_lazy("audit log", "personal data page"),
    "list": pgettext_lazy("audit log", "customer list"),
    "search": pgettext_lazy("audit log", "search"),
    "grants": pgettext_lazy("audit log", "access requests"),
    "grant": pgettext_lazy("audit log", "access grant"),
    "grantee": pgettext_lazy("audit log", "for staff member"),
    "to": pgettext_lazy("audit log", "to staff member"),
    "retention": pgettext_lazy("audit log", "retention list"),
    "duplicates": pgettext_lazy("audit log", "possible duplicates"),
    "referrals": pgettext_lazy("audit log", "referrals"),
    "to_confirm": pgettext_lazy("audit log", "data to confirm"),
    "subject_access": pgettext_lazy("audit log", "copy of personal data"),
}

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
        NavEntry(
            "customers:access",
            _("Key-account access"),
            Cap.CUSTOMER_VIEW,
            50,
            CUSTOMERS,
            badge="liuke.customers.selectors.access:decisions_waiting",
        ),
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
    audit_words=AUDIT_WORDS,
)

"""What the appointments app contributes (liuke.core.registry)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from liuke.appointments import capabilities, privacy
from liuke.appointments.capabilities import AppointmentCap
from liuke.core.registry import (
    ApiMount,
    Contribution,
    DemoStep,
    ProfilePanel,
    ReportSection,
    UrlMount,
)

#: The codes the app's audit events carry, as the audit log shows them.
AUDIT_WORDS = {
    "appointments_day": pgettext_lazy("audit log", "the day's appointments"),
    "appointments": pgettext_lazy("audit log", "appointments"),
    "appointment": pgettext_lazy("audit log", "appointment"),
    "appointment_checkout": pgettext_lazy("audit log", "appointment checked out"),
    "booking_settings": pgettext_lazy("audit log", "booking rules"),
}

CONTRIBUTION = Contribution(
    audit_words=AUDIT_WORDS,
    capabilities=AppointmentCap,
    roles=capabilities.ROLES,
    privacy_models=privacy.MODELS,
    privacy_api=privacy.API_PROPERTIES,
    urls=[UrlMount("appointments/", "liuke.appointments.urls")],
    api=[
        # first: its fixed paths (/appointments/settings) before the book's /appointments/{id}
        ApiMount("/", "liuke.appointments.api_visits:router"),
        ApiMount("/", "liuke.appointments.api:router"),
    ],
    profile_panels=[
        ProfilePanel(
            "appointments_attendance",
            _("Appointments kept"),
            order=45,
            render="liuke.appointments.panels:attendance_panel",
            capability=AppointmentCap.APPOINTMENT_VIEW,
        ),
    ],
    report_sections=[
        ReportSection(
            "appointments_book",
            _("The appointment book"),
            order=10,
            render="liuke.appointments.panels:report_panel",
            capability=AppointmentCap.APPOINTMENT_VIEW_ALL,
        ),
    ],
    checkout_hooks=["liuke.appointments.services.checkout:on_checkout"],
    refund_hooks=["liuke.appointments.services.checkout:on_refund"],
    demo=DemoStep(
        "liuke.appointments.demo:demo_appointments",
        "resources and a book of past and coming appointments for each branch",
    ),
)

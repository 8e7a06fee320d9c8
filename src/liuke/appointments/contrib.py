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
    NavEntry,
    NavGroup,
    PeriodicJob,
    ProfilePanel,
    ReportSection,
    TodaySection,
    UrlMount,
)

#: The codes the app's audit events carry, as the audit log shows them.
AUDIT_WORDS = {
    "appointments_day": pgettext_lazy("audit log", "the day's appointments"),
    "appointments": pgettext_lazy("audit log", "appointments"),
    "appointment": pgettext_lazy("audit log", "appointment"),
    "appointment_online": pgettext_lazy("audit log", "online booking"),
    "appointment_online_move": pgettext_lazy("audit log", "online booking moved"),
    "appointment_online_cancel": pgettext_lazy("audit log", "online booking cancelled"),
    "appointment_confirmed_by_customer": pgettext_lazy(
        "audit log", "appointment confirmed by the customer"
    ),
    "booking_settings": pgettext_lazy("audit log", "booking settings"),
    "online_booking_page": pgettext_lazy("audit log", "online booking page"),
    "calendar_feed": pgettext_lazy("audit log", "calendar feed"),
    "appointment_checkout": pgettext_lazy("audit log", "appointment checked out"),
    "waitlist": pgettext_lazy("audit log", "waitlist"),
}

CONTRIBUTION = Contribution(
    audit_words=AUDIT_WORDS,
    capabilities=AppointmentCap,
    roles=capabilities.ROLES,
    privacy_models=privacy.MODELS,
    privacy_api=privacy.API_PROPERTIES,
    urls=[
        UrlMount("appointments/", "liuke.appointments.urls"),
        # public, no login: the booking pages, reminders' confirmation links, calendar feeds
        UrlMount("book/", "liuke.appointments.public.urls"),
    ],
    navigation=[
        NavEntry(
            "appointments:day",
            _("Appointment book"),
            AppointmentCap.APPOINTMENT_VIEW,
            3,  # after "Today", before the notices: the front desk's main page
            NavGroup.DAILY,
        )
    ],
    today_sections=[
        TodaySection(
            "appointments",
            _("Today's appointments"),
            order=5,
            render="liuke.appointments.arrivals:today_section",
            capability=AppointmentCap.APPOINTMENT_VIEW,
        )
    ],
    api=[
        ApiMount("/", "liuke.appointments.api_availability:router"),
        # before the book's: its fixed paths (/appointments/settings) before /appointments/{id}
        ApiMount("/", "liuke.appointments.api_visits:router"),
        ApiMount("/", "liuke.appointments.api:router"),
    ],
    jobs=[
        PeriodicJob("liuke.appointments.tasks:appointments_notices", "every 15 minutes (from :03)"),
        PeriodicJob("liuke.appointments.tasks:appointments_codes_purge", "hourly at :41"),
    ],
    message_links={"appointment_reminder": "liuke.appointments.public.links:confirm_url"},
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

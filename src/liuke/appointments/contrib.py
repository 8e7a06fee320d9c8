"""What the appointments app contributes (liuke.core.registry)."""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

from liuke.appointments import capabilities, privacy
from liuke.appointments.capabilities import AppointmentCap
from liuke.core.registry import ApiMount, Contribution, DemoStep, UrlMount

#: The codes the app's audit events carry, as the audit log shows them.
AUDIT_WORDS = {
    "appointments_day": pgettext_lazy("audit log", "the day's appointments"),
    "appointments": pgettext_lazy("audit log", "appointments"),
    "appointment": pgettext_lazy("audit log", "appointment"),
}

CONTRIBUTION = Contribution(
    audit_words=AUDIT_WORDS,
    capabilities=AppointmentCap,
    roles=capabilities.ROLES,
    privacy_models=privacy.MODELS,
    privacy_api=privacy.API_PROPERTIES,
    urls=[UrlMount("appointments/", "liuke.appointments.urls")],
    api=[
        ApiMount("/", "liuke.appointments.availability_api:router"),
        ApiMount("/", "liuke.appointments.api:router"),
    ],
    demo=DemoStep(
        "liuke.appointments.demo:demo_appointments",
        "resources and a book of past and coming appointments for each branch",
    ),
)

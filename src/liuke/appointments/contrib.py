"""What the appointments app contributes (liuke.core.registry)."""

from __future__ import annotations

from liuke.appointments import capabilities, privacy
from liuke.appointments.capabilities import AppointmentCap
from liuke.core.registry import ApiMount, Contribution, DemoStep, UrlMount

CONTRIBUTION = Contribution(
    capabilities=AppointmentCap,
    roles=capabilities.ROLES,
    privacy_models=privacy.MODELS,
    privacy_api=privacy.API_PROPERTIES,
    urls=[UrlMount("appointments/", "liuke.appointments.urls")],
    api=[ApiMount("/", "liuke.appointments.api:router")],
    demo=DemoStep(
        "liuke.appointments.demo:demo_appointments",
        "resources and a book of past and coming appointments for each branch",
    ),
)

"""What the feedback app contributes (liuke.core.registry)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from liuke.core.registry import (
    ApiMount,
    Contribution,
    DemoStep,
    NavEntry,
    NavGroup,
    PeriodicJob,
    ProfilePanel,
    UrlMount,
)
from liuke.feedback import capabilities, privacy
from liuke.feedback.capabilities import FeedbackCap

#: The codes the app's audit events carry, as the audit log shows them.
AUDIT_WORDS = {
    "survey_response": pgettext_lazy("audit log", "survey answer"),
    "survey_responses": pgettext_lazy("audit log", "survey answers"),
    "survey_settings": pgettext_lazy("audit log", "survey settings"),
    "suggestion": pgettext_lazy("audit log", "suggestion"),
    "suggestions": pgettext_lazy("audit log", "suggestions"),
    "suggestion_box": pgettext_lazy("audit log", "suggestion box"),
    "suggestion_contacts": pgettext_lazy("audit log", "suggestions' contact details"),
    "conversation": pgettext_lazy("audit log", "conversation"),
    "conversations": pgettext_lazy("audit log", "conversations"),
    "improvement": pgettext_lazy("audit log", "improvement"),
    "improvement_notice": pgettext_lazy("audit log", "improvement notice"),
}

CONTRIBUTION = Contribution(
    provision=["liuke.feedback.services.suggestions:boxes_provision"],
    capabilities=FeedbackCap,
    roles=capabilities.ROLES,
    privacy_models=privacy.MODELS,
    privacy_api=privacy.API_PROPERTIES,
    navigation=[
        NavEntry(
            "feedback:results",
            _("Feedback"),
            FeedbackCap.FEEDBACK_VIEW,
            weight=120,
            group=NavGroup.FEEDBACK,
        ),
    ],
    urls=[
        UrlMount("feedback/", "liuke.feedback.urls"),
        # public pages, no login: survey answers and the suggestion box (opaque tokens only)
        UrlMount("f/", "liuke.feedback.public_urls"),
    ],
    api=[ApiMount("/feedback", "liuke.feedback.api:router")],
    demo=DemoStep("liuke.feedback.demo:demo_feedback", 'surveys, suggestions, "you said, we did"'),
    jobs=[
        PeriodicJob("liuke.feedback.tasks:feedback_surveys", "every 15 minutes (from :07)"),
        PeriodicJob("liuke.feedback.tasks:feedback_counters_purge", "hourly at :25"),
    ],
    profile_panels=[
        ProfilePanel(
            "feedback",
            _("Feedback"),
            order=40,
            render="liuke.feedback.panels:feedback_panel",
            capability=FeedbackCap.FEEDBACK_VIEW,
            url_name="feedback:customer_panel",
        ),
    ],
    message_links={"survey": "liuke.feedback.links:survey_url"},
    audit_words=AUDIT_WORDS,
)

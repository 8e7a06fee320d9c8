from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "liuke.feedback"
    label = "feedback"
    verbose_name = _("Customer feedback")

    def provision_business(self, *, business_id: int) -> None:
        """A new business's defaults (called by `accounts.services.business_provision`)."""
        from liuke.feedback.services import boxes_provision

        boxes_provision(business_id=business_id)

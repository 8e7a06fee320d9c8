from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngagementConfig(AppConfig):
    name = "liuke.engagement"
    label = "engagement"
    verbose_name = _("Contacts, follow-ups and reminders")

    def provision_business(self, *, business_id: int) -> None:
        """A new business's defaults (called by `accounts.services.business_provision`)."""
        from liuke.engagement.services import defaults_ensure

        defaults_ensure(business_id=business_id)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "liuke.complaints"
    label = "complaints"
    verbose_name = _("Complaints")

    def provision_business(self, *, business_id: int) -> None:
        """A new business's defaults (called by `accounts.services.business_provision`)."""
        from liuke.complaints.services import defaults_ensure

        defaults_ensure(business_id=business_id)

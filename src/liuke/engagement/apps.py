from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngagementConfig(AppConfig):
    name = "liuke.engagement"
    label = "engagement"
    order = 50  # its place among the Liuke apps (liuke.settings.liuke_apps)
    verbose_name = _("Contacts, follow-ups and reminders")

    def ready(self) -> None:
        # Sales sits below engagement and cannot call it: it announces its deductions.
        from liuke.engagement.services.notices import consumption_notice_queue
        from liuke.sales.signals import prepaid_deducted

        prepaid_deducted.connect(
            consumption_notice_queue, dispatch_uid="engagement.consumption_notice"
        )

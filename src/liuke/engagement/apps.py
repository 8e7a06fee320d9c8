from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngagementConfig(AppConfig):
    name = "liuke.engagement"
    label = "engagement"
    order = 50  # its place among the Liuke apps (liuke.settings.liuke_apps)
    verbose_name = _("Contacts, follow-ups and reminders")

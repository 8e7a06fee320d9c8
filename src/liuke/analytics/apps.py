from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "liuke.analytics"
    label = "analytics"
    order = 70  # its place among the Liuke apps (liuke.settings.liuke_apps)
    verbose_name = _("customer analytics")

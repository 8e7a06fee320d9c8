from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RostersConfig(AppConfig):
    name = "liuke.rosters"
    label = "rosters"
    order = 45  # its place among the Liuke apps (liuke.settings.liuke_apps)
    verbose_name = _("Rosters")

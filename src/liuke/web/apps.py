from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "liuke.web"
    label = "web"
    order = 100  # its place among the Liuke apps (liuke.settings.liuke_apps)
    verbose_name = _("web")

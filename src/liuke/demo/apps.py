from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    name = "liuke.demo"
    label = "demo"
    order = 90  # its place among the Liuke apps (liuke.settings.liuke_apps)
    verbose_name = _("demo")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "liuke.notices"
    label = "notices"
    order = 25  # its place among the Liuke apps (liuke.settings.liuke_apps)
    verbose_name = _("Staff notices")

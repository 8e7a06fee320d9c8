from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "liuke.complaints"
    label = "complaints"
    order = 60  # its place among the Liuke apps (liuke.settings.liuke_apps)
    verbose_name = _("Complaints")

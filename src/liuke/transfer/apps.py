from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransferConfig(AppConfig):
    name = "liuke.transfer"
    label = "transfer"
    order = (
        85  # its place among the Liuke apps (liuke.settings.liuke_apps): above every app it fills
    )
    verbose_name = _("Import and export")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "liuke.sales"
    label = "sales"
    order = 40  # its place among the Liuke apps (liuke.settings.liuke_apps)
    verbose_name = _("sales")

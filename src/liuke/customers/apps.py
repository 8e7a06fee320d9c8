from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "liuke.customers"
    label = "customers"
    order = 30  # its place among the Liuke apps (liuke.settings.liuke_apps)
    verbose_name = _("customers")

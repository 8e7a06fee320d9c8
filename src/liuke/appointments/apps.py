from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppointmentsConfig(AppConfig):
    name = "liuke.appointments"
    label = "appointments"
    order = 55  # its place among the Liuke apps (liuke.settings.liuke_apps)
    verbose_name = _("Appointments")

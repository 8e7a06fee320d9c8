from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "liuke.audit"
    label = "audit"
    order = 20  # its place among the Liuke apps (liuke.settings.liuke_apps)
    verbose_name = _("audit log")

    def ready(self) -> None:
        from liuke.audit import checks  # noqa: F401 (registers the deploy check)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "liuke.audit"
    label = "audit"
    verbose_name = _("audit log")

    def ready(self) -> None:
        from liuke.audit import checks  # noqa: F401 (registers the deploy check)

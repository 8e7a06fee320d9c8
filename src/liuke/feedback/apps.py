from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "liuke.feedback"
    label = "feedback"
    order = 80  # its place among the Liuke apps (liuke.settings.liuke_apps)
    verbose_name = _("Customer feedback")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "liuke.accounts"
    label = "accounts"
    order = 10  # its place among the Liuke apps (liuke.settings.liuke_apps)
    verbose_name = _("accounts")

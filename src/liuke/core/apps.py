from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "liuke.core"
    label = "core"

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "liuke.core"
    label = "core"

    def ready(self) -> None:
        from liuke.core.registry import registry

        # Every app's contribution is loaded and checked at startup, not at the first request.
        registry.contributions()

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "liuke.core"
    label = "core"
    order = 0  # its place among the Liuke apps (liuke.settings.liuke_apps)

    def ready(self) -> None:
        from liuke.core import public_url  # noqa: F401 (registers the deploy check)
        from liuke.core.registry import registry

        # Every app's contribution is loaded and checked at startup, not at the first request.
        registry.contributions()

"""The root URLconf: the API, the language switch, and every app's pages as it declares them
in its `contrib.py` (liuke.core.registry), in layer order; the web shell's root pages last."""

from django.urls import include, path

from liuke.api import api
from liuke.core.registry import registry

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    *(path(mount.prefix, include(mount.module)) for mount in registry.items("urls")),
]

"""The root URLconf: the API, the language switch, and every app's pages as it declares them
in its `contrib.py` (liuke.core.registry), in layer order; the web shell's root pages last.
Django's error handlers answer the API in its error shape and pages with a friendly page
(liuke.web.error_views)."""

from django.urls import include, path

from liuke.api import api
from liuke.core.registry import registry

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    *(path(mount.prefix, include(mount.module)) for mount in registry.items("urls")),
]

handler400 = "liuke.web.error_views.bad_request"
handler403 = "liuke.web.error_views.permission_denied"
handler404 = "liuke.web.error_views.page_not_found"
handler500 = "liuke.web.error_views.server_error"

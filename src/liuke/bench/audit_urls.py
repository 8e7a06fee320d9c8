"""URLs of the audit benchmark's server only (liuke.bench.audit_server): Liuke's own plus the
bare one-row view. Production never loads this module."""

from django.urls import include, path

from liuke.bench.audit_server import bare_customer

urlpatterns = [
    path("bench/bare/<int:pk>", bare_customer),
    path("", include("liuke.urls")),
]

"""URLs of the audit benchmark's server only (`liuke.bench_audit:application()`): Liuke's own,
plus the bare one-row view that gives the floor. Production never loads this module."""

from django.urls import include, path

from liuke.bench_audit import bare_customer

urlpatterns = [
    path("bench/bare/<int:pk>", bare_customer),
    path("", include("liuke.urls")),
]

"""Public pages of accounts, no login: an invited staff member sets their password (an opaque
signed token only)."""

from django.urls import path

from liuke.accounts import views_setup

app_name = "accounts_public"
urlpatterns = [
    path("<str:token>/", views_setup.welcome, name="welcome"),
]

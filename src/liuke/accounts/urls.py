from django.urls import path

from liuke.accounts import views

app_name = "accounts"
urlpatterns = [
    path("settings/", views.business_settings, name="settings"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
]

"""Public routes of delivery: provider webhooks and the opt-out link (no login)."""

from django.urls import path

from liuke.engagement import delivery_hooks

app_name = "engagement_public"
urlpatterns = [
    path("hooks/<str:token>/receipts/", delivery_hooks.receipts, name="receipts"),
    path("hooks/<str:token>/replies/", delivery_hooks.replies, name="replies"),
    path("stop/<str:token>/", delivery_hooks.optout, name="optout"),
]

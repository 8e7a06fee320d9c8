from django.urls import include, path

from liuke.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("customers/", include("liuke.customers.urls")),
    path("account/", include("liuke.accounts.urls")),
    path("sales/", include("liuke.sales.urls")),
    path("engagement/", include("liuke.engagement.urls")),
    path("analytics/", include("liuke.analytics.urls")),
    path("audit/", include("liuke.audit.urls")),
    path("complaints/", include("liuke.complaints.urls")),
    path("feedback/", include("liuke.feedback.urls")),
    # public pages, no login: survey answers and the suggestion box (opaque tokens only)
    path("f/", include("liuke.feedback.public_urls")),
    path("", include("liuke.web.urls")),
]

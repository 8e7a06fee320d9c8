from django.urls import path

from liuke.analytics import views

app_name = "analytics"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("revenue/", views.revenue, name="revenue"),
    path("rates/", views.rates, name="rates"),
    path("cohorts/", views.cohorts, name="cohorts"),
    path("value/", views.value, name="value"),
    path("key-accounts/", views.key_accounts, name="key_accounts"),
    path("referrals/", views.referrals, name="referrals"),
    path("book/", views.book, name="book"),
    path("refresh/", views.refresh, name="refresh"),
    path("refresh/status/", views.refresh_status, name="refresh_status"),
]

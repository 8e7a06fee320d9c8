from django.urls import path

from liuke.accounts import views as account_views
from liuke.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("today/", views.today, name="today"),
    path("login/", account_views.LoginView.as_view(), name="login"),
    path("login/verify/", account_views.two_factor_verify, name="login_verify"),
    path("logout/", account_views.logout_view, name="logout"),
    path("branches/", views.branches, name="branches"),
    path("branches/refresh-quality/", views.refresh_quality, name="refresh_quality"),
    path("healthz", views.healthz, name="healthz"),
]

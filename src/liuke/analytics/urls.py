from django.urls import path
from django.utils.translation import gettext_lazy as _

from liuke.analytics import views

app_name = "analytics"
#: The navigation label (kept here so that it is in this app's catalogue).
NAV_LABEL = _("Customer value")
urlpatterns = [path("", views.dashboard, name="dashboard")]

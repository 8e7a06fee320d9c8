from django.urls import path

from liuke.appointments import views, views_online

app_name = "appointments"
urlpatterns = [
    path("", views.day, name="day"),
    path("online/", views_online.online_settings, name="online_settings"),
    path("calendar-feed/", views_online.calendar_feed, name="calendar_feed"),
]

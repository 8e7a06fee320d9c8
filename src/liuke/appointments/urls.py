from django.urls import path

from liuke.appointments import views, views_online

app_name = "appointments"
urlpatterns = [
    path("", views.day, name="day"),
    path("week/", views.week, name="week"),
    path("arrivals/", views.arrivals, name="arrivals"),
    path("new/", views.new, name="new"),
    path("customers/", views.customers, name="customers"),
    path("<int:appointment_id>/", views.detail, name="detail"),
    path("<int:appointment_id>/status/", views.status, name="status"),
    path("<int:appointment_id>/cancel/", views.cancel, name="cancel"),
    path("online/", views_online.online_settings, name="online_settings"),
    path("calendar-feed/", views_online.calendar_feed, name="calendar_feed"),
    path("<int:appointment_id>/checkout/", views.checkout, name="checkout"),
    path("waitlist/", views.waitlist, name="waitlist"),
    path("waitlist/<int:entry_id>/", views.waitlist_act, name="waitlist_act"),
]

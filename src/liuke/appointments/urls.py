from django.urls import path

from liuke.appointments import views

app_name = "appointments"
urlpatterns = [
    path("", views.day, name="day"),
    path("<int:appointment_id>/checkout/", views.checkout, name="checkout"),
    path("waitlist/", views.waitlist, name="waitlist"),
    path("waitlist/<int:entry_id>/", views.waitlist_act, name="waitlist_act"),
]

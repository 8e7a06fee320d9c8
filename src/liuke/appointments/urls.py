from django.urls import path

from liuke.appointments import views

app_name = "appointments"
urlpatterns = [
    path("", views.day, name="day"),
]

from django.urls import path

from liuke.notices import views

app_name = "notices"
urlpatterns = [
    path("", views.notice_list, name="list"),
    path("read/", views.notices_read, name="read_all"),
    path("<int:notice_id>/open/", views.notice_open, name="open"),
]

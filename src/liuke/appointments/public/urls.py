from django.urls import path

from liuke.appointments.public import feed, views

app_name = "appointments_public"
urlpatterns = [
    path("c/<str:token>/", views.confirm, name="confirm"),
    path("f/<str:token>.ics", feed.feed, name="feed"),
    path("<str:token>/", views.page, name="page"),
    path("<str:token>/book/", views.book, name="book"),
    path("<str:token>/code/", views.code, name="code"),
    path("<str:token>/verify/", views.verify, name="verify"),
    path("<str:token>/mine/", views.mine, name="mine"),
    path("<str:token>/change/", views.change, name="change"),
]

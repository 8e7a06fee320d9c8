from django.urls import path

from liuke.rosters import views

app_name = "rosters"
urlpatterns = [
    path("", views.roster_index, name="index"),
    path("<int:branch_id>/", views.roster_branch, name="branch"),
    path("<int:branch_id>/staff/<int:staff_id>/", views.roster_staff, name="staff"),
    path(
        "<int:branch_id>/staff/<int:staff_id>/days/<int:weekday>/",
        views.roster_day,
        name="day",
    ),
    path(
        "<int:branch_id>/staff/<int:staff_id>/exceptions/",
        views.exception_add,
        name="exception_add",
    ),
    path("exceptions/<int:exception_id>/remove/", views.exception_remove, name="exception_remove"),
]

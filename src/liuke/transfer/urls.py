from __future__ import annotations

from django.urls import path

from liuke.transfer import views

app_name = "transfer"

urlpatterns = [
    path("", views.batch_list, name="list"),
    path("upload/", views.batch_upload, name="upload"),
    path("template/<str:kind>/<str:language>.xlsx", views.template_download, name="template"),
    path("<int:batch_id>/", views.batch_detail, name="detail"),
    path("<int:batch_id>/progress/", views.batch_progress, name="progress"),
    path("<int:batch_id>/mapping/", views.batch_mapping, name="mapping"),
    path("<int:batch_id>/start/", views.batch_start, name="start"),
    path("<int:batch_id>/undo/", views.batch_undo, name="undo"),
    path("<int:batch_id>/errors.xlsx", views.batch_errors, name="errors"),
]

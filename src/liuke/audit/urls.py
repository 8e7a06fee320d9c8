from django.urls import path

from liuke.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.audit_log, name="log"),
    path("export/", views.audit_export, name="export"),
    path("flags/", views.audit_flags, name="flags"),
    path("flags/thresholds/", views.audit_thresholds, name="thresholds"),
    path("flags/branches/<int:branch_id>/hours/", views.branch_hours, name="branch_hours"),
    path("flags/<int:flag_id>/acknowledge/", views.audit_flag_ack, name="flag_ack"),
]

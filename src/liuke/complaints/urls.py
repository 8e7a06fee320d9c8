from django.urls import path

from liuke.complaints import views

app_name = "complaints"
urlpatterns = [
    path("", views.complaint_list, name="list"),
    path("new/", views.complaint_new, name="new"),
    path("approvals/", views.approvals, name="approvals"),
    path("approvals/<int:resolution_id>/", views.decide, name="decide"),
    path("settings/", views.settings_manage, name="settings"),
    path("reports/", views.reports, name="reports"),
    path("actions/<int:action_id>/done/", views.action_done, name="action_done"),
    path("customers/<int:customer_id>/panel/", views.customer_panel, name="customer_panel"),
    path("<int:complaint_id>/", views.complaint_detail, name="detail"),
    path("<int:complaint_id>/step/", views.step_record, name="step"),
    path("<int:complaint_id>/wait/", views.wait_toggle, name="wait"),
    path("<int:complaint_id>/update/", views.update, name="update"),
    path("<int:complaint_id>/actions/", views.action_add, name="action_add"),
    path("<int:complaint_id>/resolve/", views.resolve, name="resolve"),
    path("<int:complaint_id>/close/", views.close, name="close"),
    path("<int:complaint_id>/after/", views.after, name="after"),
]

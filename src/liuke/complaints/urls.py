from django.urls import path

from liuke.complaints.views import cases, manage, working

app_name = "complaints"
urlpatterns = [
    path("", cases.complaint_list, name="list"),
    path("new/", cases.complaint_new, name="new"),
    path("from-followup/<int:followup_id>/", cases.from_followup, name="from_followup"),
    path("approvals/", manage.approvals, name="approvals"),
    path("approvals/<int:resolution_id>/", manage.decide, name="decide"),
    path("settings/", manage.settings_manage, name="settings"),
    path("reports/", manage.reports, name="reports"),
    path("actions/<int:action_id>/done/", working.action_done, name="action_done"),
    path("customers/<int:customer_id>/panel/", manage.customer_panel, name="customer_panel"),
    path("<int:complaint_id>/", cases.complaint_detail, name="detail"),
    path("<int:complaint_id>/step/", working.step_record, name="step"),
    path("<int:complaint_id>/wait/", working.wait_toggle, name="wait"),
    path("<int:complaint_id>/update/", working.update, name="update"),
    path("<int:complaint_id>/actions/", working.action_add, name="action_add"),
    path("<int:complaint_id>/resolve/", working.resolve, name="resolve"),
    path("<int:complaint_id>/close/", working.close, name="close"),
    path("<int:complaint_id>/after/", working.after, name="after"),
]

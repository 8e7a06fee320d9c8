from django.urls import path

from liuke.engagement import views, views_prospects

app_name = "engagement"
urlpatterns = [
    path("followups/", views.followup_list, name="followups"),
    path("followups/<int:followup_id>/done/", views.followup_complete, name="followup_complete"),
    path(
        "followups/<int:followup_id>/reschedule/",
        views.followup_reschedule,
        name="followup_reschedule",
    ),
    path("tasks/", views.task_list, name="tasks"),
    path("tasks/<int:task_id>/done/", views.task_complete, name="task_complete"),
    path("contacts/", views.contact_list, name="contacts"),
    path("contacts/new/", views.contact_new, name="contact_new"),
    path("calls/new-numbers/", views_prospects.prospects, name="prospects"),
    path(
        "calls/new-numbers/<int:call_id>/customer/",
        views_prospects.prospect_make_customer,
        name="prospect_customer",
    ),
    path("contacts/best-response/", views.reason_response, name="reason_response"),
    path("reasons/", views.reason_manage, name="reasons"),
    path("settings/", views.settings_manage, name="settings"),
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/<int:message_id>/sent/", views.outbox_sent, name="outbox_sent"),
    path("reports/", views.reports, name="reports"),
    path("brief/", views.brief_today, name="brief_today"),
    path("brief/<int:customer_id>/", views.brief_customer, name="brief"),
    path("customers/<int:customer_id>/panel/", views.customer_panel, name="customer_panel"),
]

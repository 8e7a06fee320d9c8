from django.urls import path

from liuke.feedback import views

app_name = "feedback"
urlpatterns = [
    path("", views.results, name="results"),
    path("responses/", views.response_list, name="responses"),
    path("responses/<int:response_id>/", views.response_detail, name="response"),
    path("customers/<int:customer_id>/panel/", views.customer_panel, name="customer_panel"),
    path("suggestions/", views.suggestion_list, name="suggestions"),
    path(
        "suggestions/<int:suggestion_id>/handle/",
        views.suggestion_handle,
        name="suggestion_handle",
    ),
    path("box/", views.box, name="box"),
    path("conversations/", views.conversations, name="conversations"),
    path("improvements/", views.improvements, name="improvements"),
    path(
        "improvements/<int:improvement_id>/notify/",
        views.improvement_notify,
        name="improvement_notify",
    ),
    path("settings/", views.settings_page, name="settings"),
]

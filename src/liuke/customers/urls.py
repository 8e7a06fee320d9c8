from django.urls import path

from liuke.customers import views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("search/", views.customer_search, name="search"),
    path("referrer-pick/", views.referrer_pick, name="referrer_pick"),
    path("new/", views.customer_create, name="create"),
    path("to-confirm/", views.stale_queue, name="stale"),
    path("duplicates/", views.duplicates, name="duplicates"),
    path("access/", views.access_grants, name="access"),
    path("access/<int:grant_id>/<str:decision>/", views.access_decide, name="access_decide"),
    path("handover/", views.handover, name="handover"),
    path("retention/", views.retention, name="retention"),
    path("<int:customer_id>/privacy/", views.privacy, name="privacy"),
    path("<int:customer_id>/privacy/export/", views.privacy_export, name="privacy_export"),
    path("<int:customer_id>/privacy/erase/", views.privacy_erase, name="privacy_erase"),
    path("<int:customer_id>/access/", views.access_request, name="access_request"),
    path("<int:customer_id>/", views.customer_detail, name="detail"),
    path("<int:customer_id>/edit/", views.customer_edit, name="edit"),
    path("<int:customer_id>/confirm/", views.customer_confirm, name="confirm"),
    path("<int:customer_id>/merge/", views.customer_merge, name="merge"),
    path("<int:customer_id>/photos/", views.photo_upload, name="photo_upload"),
    path("<int:customer_id>/photos/<int:photo_id>/", views.photo_file, name="photo"),
]

from django.urls import path

from liuke.accounts import views, views_brand, views_setup

app_name = "accounts"
urlpatterns = [
    path("settings/", views.business_settings, name="settings"),
    path("settings/logo/", views_brand.logo_upload, name="logo"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("branches/", views_setup.branches, name="branches"),
    path("branches/<int:branch_id>/", views_setup.branch_edit, name="branch"),
    path("branches/<int:branch_id>/close/", views_setup.branch_close, name="branch_close"),
    path("branches/<int:branch_id>/reopen/", views_setup.branch_reopen, name="branch_reopen"),
    path("staff/", views_setup.staff, name="staff"),
    path("staff/<int:staff_id>/", views_setup.staff_edit, name="staff_member"),
    path("staff/<int:staff_id>/leave/", views_setup.staff_leave, name="staff_leave"),
    path("staff/<int:staff_id>/rejoin/", views_setup.staff_rejoin, name="staff_rejoin"),
    path("staff/<int:staff_id>/link/", views_setup.staff_link, name="staff_link"),
    path("setup/", views_setup.checklist, name="checklist"),
    path("setup/home/", views_setup.checklist_home, name="checklist_home"),
    path("setup/tick/", views_setup.checklist_tick, name="checklist_tick"),
    path("setup/hide/", views_setup.checklist_hide, name="checklist_hide"),
]

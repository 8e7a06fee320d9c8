from django.urls import path

from liuke.sales import views

app_name = "sales"
urlpatterns = [
    path("checkout/", views.checkout, name="checkout"),
    path("checkout/search/", views.checkout_search, name="checkout_search"),
    path("checkout/quote/", views.checkout_quote, name="checkout_quote"),
    path("visits/<int:visit_id>/", views.visit_detail, name="visit"),
    path("visits/<int:visit_id>/refund/", views.visit_refund, name="visit_refund"),
    path("customers/<int:customer_id>/cards/", views.card_issue, name="card_issue"),
    path("customers/<int:customer_id>/packages/", views.package_sell, name="package_sell"),
    path("cards/<int:card_id>/", views.card_detail, name="card"),
    path("cards/<int:card_id>/topup/", views.card_topup, name="card_topup"),
    path("cards/<int:card_id>/refund/", views.card_refund, name="card_refund"),
    path("packages/<int:package_id>/", views.package_detail, name="package"),
    path("packages/<int:package_id>/extend/", views.package_extend, name="package_extend"),
    path("daily-close/", views.daily_close, name="daily_close"),
    path("daily-close/export/", views.daily_close_export, name="daily_close_export"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/stock/", views.stock_receive, name="stock_receive"),
]

from django.urls import path

from liuke.sales.views import cards, catalogue, checkout, close, packages, visits

app_name = "sales"
urlpatterns = [
    path("checkout/", checkout.checkout, name="checkout"),
    path("checkout/search/", checkout.checkout_search, name="checkout_search"),
    path("checkout/quote/", checkout.checkout_quote, name="checkout_quote"),
    path("visits/<int:visit_id>/", visits.visit_detail, name="visit"),
    path("visits/<int:visit_id>/refund/", visits.visit_refund, name="visit_refund"),
    path("customers/<int:customer_id>/cards/", cards.card_issue, name="card_issue"),
    path("customers/<int:customer_id>/packages/", packages.package_sell, name="package_sell"),
    path("cards/<int:card_id>/", cards.card_detail, name="card"),
    path("cards/<int:card_id>/topup/", cards.card_topup, name="card_topup"),
    path("cards/<int:card_id>/refund/", cards.card_refund, name="card_refund"),
    path("packages/<int:package_id>/", packages.package_detail, name="package"),
    path("packages/<int:package_id>/extend/", packages.package_extend, name="package_extend"),
    path("daily-close/", close.daily_close, name="daily_close"),
    path("daily-close/export/", close.daily_close_export, name="daily_close_export"),
    path("catalogue/", catalogue.catalogue, name="catalogue"),
    path("catalogue/stock/", catalogue.stock_receive, name="stock_receive"),
]

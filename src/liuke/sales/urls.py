from django.urls import path

from liuke.sales.views import (
    cards,
    catalogue,
    checkout,
    close,
    menu,
    packages,
    receipts,
    visits,
)

app_name = "sales"
urlpatterns = [
    path("checkout/", checkout.checkout, name="checkout"),
    path("checkout/search/", checkout.checkout_search, name="checkout_search"),
    path("checkout/quote/", checkout.checkout_quote, name="checkout_quote"),
    path("checkout/staff/", checkout.checkout_staff, name="checkout_staff"),
    path("visits/<int:visit_id>/", visits.visit_detail, name="visit"),
    path("visits/<int:visit_id>/refund/", visits.visit_refund, name="visit_refund"),
    path("visits/<int:visit_id>/receipt/", receipts.visit_receipt, name="visit_receipt"),
    path("customers/<int:customer_id>/cards/", cards.card_issue, name="card_issue"),
    path("customers/<int:customer_id>/packages/", packages.package_sell, name="package_sell"),
    path("cards/<int:card_id>/", cards.card_detail, name="card"),
    path("cards/<int:card_id>/topup/", cards.card_topup, name="card_topup"),
    path("cards/<int:card_id>/refund/", cards.card_refund, name="card_refund"),
    path("packages/<int:package_id>/", packages.package_detail, name="package"),
    path("packages/<int:package_id>/extend/", packages.package_extend, name="package_extend"),
    path("daily-close/", close.daily_close, name="daily_close"),
    path("daily-close/export/", close.daily_close_export, name="daily_close_export"),
    path("catalogue/", menu.catalogue, name="catalogue"),
    path("catalogue/stock/", catalogue.stock_receive, name="stock_receive"),
    path("catalogue/stock/count/", menu.stock_count, name="stock_count"),
    path("catalogue/categories/", menu.category_create, name="menu_category_create"),
    path(
        "catalogue/categories/<int:category_id>/",
        menu.category_update,
        name="menu_category_update",
    ),
    path("catalogue/services/new/", menu.service_create, name="menu_service_create"),
    path("catalogue/services/<int:service_id>/", menu.service_edit, name="menu_service"),
    path(
        "catalogue/services/<int:service_id>/branch-price/",
        menu.service_branch_price,
        name="menu_service_branch_price",
    ),
    path(
        "catalogue/services/<int:service_id>/consumables/",
        menu.service_consumable,
        name="menu_service_consumable",
    ),
    path("catalogue/products/new/", menu.product_create, name="menu_product_create"),
    path("catalogue/products/<int:product_id>/", menu.product_edit, name="menu_product"),
    path(
        "catalogue/products/<int:product_id>/branch-price/",
        menu.product_branch_price,
        name="menu_product_branch_price",
    ),
    path("catalogue/tiers/", menu.tiers, name="menu_tiers"),
    path("catalogue/tiers/<int:tier_id>/", menu.tier_update, name="menu_tier_update"),
    path("catalogue/bonus-rules/", menu.bonus_rule_create, name="menu_bonus_rule_create"),
    path(
        "catalogue/bonus-rules/<int:rule_id>/",
        menu.bonus_rule_update,
        name="menu_bonus_rule_update",
    ),
    path("catalogue/templates/", menu.templates, name="menu_templates"),
    path(
        "catalogue/templates/<int:template_id>/",
        menu.template_update,
        name="menu_template_update",
    ),
]

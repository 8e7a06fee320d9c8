"""The access-matrix rows of this app (the format: tests/accounts/test_access_matrix.py)."""

from __future__ import annotations

from typing import Any

ROUTES: dict[str, str] = {
    "sales:checkout": "list",
    "sales:checkout_search": "list",
    "sales:checkout_quote": "list",
    # the staff who may perform a line's service: staff names, no customer
    "sales:checkout_staff": "none",
    "sales:visit": "customer",
    "sales:visit_refund": "customer",
    "sales:visit_receipt": "customer",
    "sales:card_issue": "customer",
    "sales:package_sell": "customer",
    "sales:card": "customer",
    "sales:card_topup": "customer",
    "sales:card_refund": "customer",
    "sales:package": "customer",
    "sales:package_extend": "customer",
    "sales:daily_close": "list",
    "sales:daily_close_export": "list",
    "sales:catalogue": "none",
    "sales:stock_receive": "none",
    # The menu's set-up: the business's menu, no customer on any of them.
    "sales:stock_count": "none",
    "sales:menu_category_create": "none",
    "sales:menu_category_update": "none",
    "sales:menu_service_create": "none",
    "sales:menu_service": "none",
    "sales:menu_service_branch_price": "none",
    "sales:menu_service_consumable": "none",
    "sales:menu_product_create": "none",
    "sales:menu_product": "none",
    "sales:menu_product_branch_price": "none",
    "sales:menu_tiers": "none",
    "sales:menu_tier_update": "none",
    "sales:menu_bonus_rule_create": "none",
    "sales:menu_bonus_rule_update": "none",
    "sales:menu_templates": "none",
    "sales:menu_template_update": "none",
}
API_KINDS: dict[str, str] = {
    "/api/v1/catalogue/services": "none",
    "/api/v1/catalogue/products": "none",
    "/api/v1/catalogue/services/{service_id}/performers": "none",
    "/api/v1/stock/receipts": "none",
    "/api/v1/stock/counts": "none",
    "/api/v1/menu/categories": "none",
    "/api/v1/menu/categories/{category_id}": "none",
    "/api/v1/menu/services": "none",
    "/api/v1/menu/services/{service_id}": "none",
    "/api/v1/menu/services/{service_id}/branch-prices/{branch_id}": "none",
    "/api/v1/menu/services/{service_id}/consumables": "none",
    "/api/v1/menu/products": "none",
    "/api/v1/menu/products/{product_id}": "none",
    "/api/v1/menu/products/{product_id}/branch-prices/{branch_id}": "none",
    "/api/v1/menu/card-tiers": "none",
    "/api/v1/menu/card-tiers/{tier_id}": "none",
    "/api/v1/menu/bonus-rules": "none",
    "/api/v1/menu/bonus-rules/{rule_id}": "none",
    "/api/v1/menu/package-templates": "none",
    "/api/v1/menu/package-templates/{template_id}": "none",
    "/api/v1/daily-close": "list",
    "/api/v1/checkout/quote": "customer",
    "/api/v1/visits": "customer",
    "/api/v1/cards": "customer",
    "/api/v1/packages": "customer",
}
BODIES: dict[str, dict[str, Any]] = {
    "POST /api/v1/checkout/quote": {
        "customer_id": "{customer_id}",
        "branch_id": "{branch_id}",
        "lines": [{"service_id": "{service_id}", "staff_id": "{staff_id}"}],
    },
    "POST /api/v1/visits": {
        "customer_id": "{customer_id}",
        "branch_id": "{branch_id}",
        "lines": [{"service_id": "{service_id}", "staff_id": "{staff_id}"}],
        "payments": [{"method": "cash", "amount_fen": 10000}],
    },
    "POST /api/v1/cards": {
        "customer_id": "{customer_id}",
        "branch_id": "{branch_id}",
        "number": "NEW-1",
    },
    "POST /api/v1/packages": {
        "customer_id": "{customer_id}",
        "branch_id": "{branch_id}",
        "name": "新套餐",
        "service_ids": ["{service_id}"],
        "sessions": 2,
        "price_fen": 100,
        "method": "cash",
    },
    "POST /api/v1/visits/{visit_id}/refunds": {"reason": "not_satisfied"},
    "POST /api/v1/visits/{visit_id}/exchanges": {
        "line_id": "{line_id}",
        "lines": [{"service_id": "{service_id}", "staff_id": "{staff_id}"}],
        "payments": [{"method": "cash", "amount_fen": 10000}],
    },
    "POST /api/v1/cards/{card_id}/deductions": {"amount_fen": 100},
    "POST /api/v1/cards/{card_id}/refund": {"method": "cash"},
    "POST /api/v1/packages/{package_id}/extend": {"expires_on": "2099-01-01", "reason": "延期"},
    "POST /api/v1/cards/{card_id}/topups": {"amount_fen": 10000, "method": "cash"},
    "POST /api/v1/stock/receipts": {
        "product_id": "{product_id}",
        "branch_id": "{branch_id}",
        "quantity": 5,
        "note": "到货",
    },
    "POST /api/v1/stock/counts": {
        "product_id": "{product_id}",
        "branch_id": "{branch_id}",
        "counted": 999,
        "reason": "盘点",
    },
}
FORMS: dict[str, dict[str, Any]] = {
    "sales:card_topup": {"amount": "100", "method": "cash"},
    "sales:card_issue": {"number": "NEW-2", "branch_id": "{branch_id}"},
    "sales:card_refund": {"method": "cash"},
    "sales:package_sell": {
        "name": "新套餐",
        "service_ids": "{service_id}",
        "sessions": "2",
        "price": "1",
        "method": "cash",
        "branch_id": "{branch_id}",
    },
    "sales:package_extend": {"expires_on": "2099-01-01", "reason": "延期"},
    "sales:visit_refund": {"reason": "not_satisfied"},
    "sales:stock_receive": {
        "product_id": "{product_id}",
        "branch_id": "{branch_id}",
        "quantity": "5",
    },
    "sales:stock_count": {
        "product_id": "{product_id}",
        "branch_id": "{branch_id}",
        "counted": "999",
        "reason": "盘点",
    },
    "sales:checkout": {
        "customer_id": "{customer_id}",
        "branch_id": "{branch_id}",
        "line_item": "s:{service_id}",
        "line_staff": "{staff_id}",
        "line_qty": "1",
        "pay_method": "cash",
        "pay_amount": "100",
    },
}


def world(
    *, customer: Any, visit: Any, owner: Any, front_desk: Any, beautician: Any
) -> dict[str, int]:
    """The product the matrix's shop sells (tests/sales/shop.py), for the stock receipt."""
    from liuke.sales.models import Product

    product = Product.objects.filter(business_id=customer.business_id).order_by("pk").first()
    assert product is not None, "the matrix's shop sells a product"
    return {"product_id": product.pk}

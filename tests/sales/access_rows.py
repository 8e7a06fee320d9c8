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
    # Commissions: staff members' figures, no customer on any of them.
    "sales:commission_statements": "none",
    "sales:commission_month_close": "none",
    "sales:commission_plans": "none",
    "sales:commission_plan_update": "none",
    "sales:commission_statement": "none",
    "sales:commission_statement_export": "none",
    "sales:commission_adjust": "none",
    "sales:commission_staff_plan": "none",
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
    "/api/v1/commission/plans": "none",
    "/api/v1/commission/plans/{plan_id}": "none",
    "/api/v1/staff/{staff_id}/commission-plan": "none",
    "/api/v1/commission/statements": "none",
    "/api/v1/commission/statements/{staff_id}": "none",
    "/api/v1/commission/months": "none",
    "/api/v1/commission/adjustments": "none",
    "/api/v1/checkout/quote": "customer",
    "/api/v1/visits": "customer",
    "/api/v1/cards": "customer",
    "/api/v1/packages": "customer",
}
#: A month the matrix's world has closed (adjustments) and one it may close.
CLOSED_MONTH, OPEN_PAST_MONTH = "2020-01", "2020-02"

BODIES: dict[str, dict[str, Any]] = {
    "POST /api/v1/commission/plans": {
        "name": "新方案",
        "rates": {"service": {"percent_bp": 1000, "designated_percent_bp": 1500}},
    },
    "PATCH /api/v1/commission/plans/{plan_id}": {"rates": {"service": {"percent_bp": 1200}}},
    "PUT /api/v1/staff/{staff_id}/commission-plan": {"plan_id": "{plan_id}"},
    "POST /api/v1/commission/months": {"month": OPEN_PAST_MONTH},
    "POST /api/v1/commission/adjustments": {
        "staff_id": "{staff_id}",
        "month": CLOSED_MONTH,
        "amount_fen": 1000,
        "reason": "补发提成",
    },
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
    "sales:commission_month_close": {"month": OPEN_PAST_MONTH},
    "sales:commission_adjust": {"month": CLOSED_MONTH, "amount": "10", "reason": "补发提成"},
    "sales:commission_plans": {"name": "新方案", "service_pct": "10", "service_dpct": "15"},
    "sales:commission_plan_update": {"name": "美容师提成", "service_pct": "12.5"},
    "sales:commission_staff_plan": {"plan_id": "{plan_id}"},
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
    """The product the matrix's shop sells (tests/sales/shop.py), for the stock receipt; a
    commission plan for the beauticians and the front desk (so the money walks see checkouts,
    top-ups and refunds write commission lines) and a closed commission month to adjust."""
    import datetime as dt

    from django.utils import timezone

    from liuke.accounts.choices import Role
    from liuke.sales.models import CommissionMonth, CommissionPlan, CommissionRate, Product

    product = Product.objects.filter(business_id=customer.business_id).order_by("pk").first()
    assert product is not None, "the matrix's shop sells a product"
    plans = []
    for role in (Role.BEAUTICIAN, Role.FRONT_DESK, Role.OWNER):
        plan = CommissionPlan.objects.create(
            business_id=customer.business_id, name=f"提成-{role}", role=role
        )
        for kind in ("service", "card_sold", "card_consumed", "product", "package"):
            CommissionRate.objects.create(plan=plan, kind=kind, percent_bp=1000)
        plans.append(plan)
    CommissionMonth.objects.create(
        business_id=customer.business_id,
        month=dt.date.fromisoformat(f"{CLOSED_MONTH}-01"),
        closed_at=timezone.now(),
        closed_by=owner,
    )
    return {"product_id": product.pk, "plan_id": plans[0].pk}

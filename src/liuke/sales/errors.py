"""The stable error codes of sales: never rename or reuse one (see liuke.core.errors)."""

from __future__ import annotations

from liuke.core.errors import ErrorCode


class SalesErrorCode(ErrorCode):
    """Error codes of sales: checkout, cards, packages, stock, refunds and exchanges."""

    BONUS_RULE_OVERLAP = (
        "bonus_rule_overlap",
        "Another bonus rule for the same top-up amount applies in an overlapping period.",
    )
    CARD_CLOSED = "card_closed", "The stored-value card is closed."
    CARD_EXPIRED = "card_expired", "The stored-value card is past its expiry date."
    CARD_NOT_CUSTOMERS = "card_not_customers", "The card is not one of the customer's cards."
    CARD_NUMBER_REQUIRED = "card_number_required", "A new card needs a number."
    DISCOUNT_REASON_REQUIRED = "discount_reason_required", "A discount needs a reason."
    DISCOUNT_TOO_LARGE = "discount_too_large", "The discount is larger than the amount due."
    DUPLICATE_CARD = "duplicate_card", "The card number is already in use."
    DUPLICATE_NAME = "duplicate_name", "The name (or SKU) is already used by another item."
    INSUFFICIENT_BALANCE = (
        "insufficient_balance",
        "The card, package or stock does not have enough left (HTTP 409).",
    )
    INVALID_BRANCH = "invalid_branch", "Not one of the actor's branches."
    INVALID_CATEGORY = "invalid_category", "Not one of the business's service categories."
    INVALID_DATE = "invalid_date", "A date outside 2000 to 2100."
    INVALID_SPLIT = (
        "invalid_split",
        "A commission split that does not add up to 100 %, or names a staff member twice.",
    )
    INVALID_COMMISSION_KIND = "invalid_commission_kind", "Not one of the commission kinds."
    INVALID_ROLE = "invalid_role", "Not one of the staff roles."
    MONTH_NOT_OVER = (
        "month_not_over",
        "A commission month can be closed from the second day of the next month.",
    )
    MONTH_CLOSED = "month_closed", "The commission month is already closed."
    MONTH_NOT_CLOSED = (
        "month_not_closed",
        "Only a closed commission month's stored statement is adjusted.",
    )
    INVALID_DISCOUNT = "invalid_discount", "A percentage discount outside 1 to 100."
    INVALID_DURATION = "invalid_duration", "A service lasts 5 to 600 minutes."
    INVALID_TIMING = (
        "invalid_timing",
        "A service's processing gap or clean-up buffer is outside 0 to 240 minutes.",
    )
    INVALID_EXPIRY = (
        "invalid_expiry",
        "The expiry date is not in the future, or not later than the current one.",
    )
    INVALID_LINE = "invalid_line", "A checkout line names neither a service nor a product."
    INVALID_METHOD = (
        "invalid_method",
        "Not a payment method (cash, bank card, WeChat Pay, Alipay, stored value).",
    )
    INVALID_NEXT_VISIT = "invalid_next_visit", "The next visit is not in the future."
    INVALID_PACKAGE = "invalid_package", "Not one of the customer's packages."
    INVALID_PAYMENTS = "invalid_payments", "More than 10 payments."
    INVALID_PERCENT = "invalid_percent", "A member price outside 0 to 100 % of list."
    INVALID_PERIOD = "invalid_period", "A period that ends before it starts."
    INVALID_PRODUCT = "invalid_product", "No such product."
    INVALID_QUANTITY = "invalid_quantity", "A quantity of zero or out of range."
    INVALID_REASON = "invalid_reason", "Not one of the refund reasons."
    INVALID_SERVICE = "invalid_service", "No such service, or a package that covers none."
    INVALID_SESSIONS = "invalid_sessions", "A package has 1 to 500 sessions."
    INVALID_STAFF = "invalid_staff", "Not an active staff member of the business."
    INVALID_TEMPLATE = (
        "invalid_template",
        "Not an active package template of the business, or not sold at the branch.",
    )
    INVALID_TIER = "invalid_tier", "Not one of the business's card tiers."
    INVALID_TIME = "invalid_time", "The visit is in the future."
    LINE_REQUIRED = "line_required", "An exchange names the line given back."
    NAME_REQUIRED = "name_required", "A package needs a name."
    NO_LINES = "no_lines", "A checkout has no lines."
    NOTHING_TO_REFUND = "nothing_to_refund", "The line or visit has already been refunded."
    NOT_PAID = (
        "not_paid",
        "The refund would give back money the visit's payments never received.",
    )
    OPENING_MOVED = (
        "opening_moved",
        "A card or package brought in by an import has been used since: its opening balance stays.",
    )
    PACKAGE_EXPIRED = "package_expired", "The package is past its expiry date."
    PACKAGE_NOT_FOR_SERVICE = (
        "package_not_for_service",
        "The package does not cover the line's service.",
    )
    PAYMENT_MISMATCH = "payment_mismatch", "The payments do not add up to the total."
    PRICE_OVERRIDE_NOT_ALLOWED = (
        "price_override_not_allowed",
        "Only a manager may sell a package at another price than its template's (HTTP 403).",
    )
    PRICE_REASON_REQUIRED = (
        "price_reason_required",
        "A package sold at another price than its template's needs a reason.",
    )
    REASON_REQUIRED = (
        "reason_required",
        "A package extension or a stock adjustment needs a reason.",
    )
    STAFF_CANNOT_PERFORM = "staff_cannot_perform", "The staff member may not perform the service."
    STAFF_NOT_IN_BRANCH = "staff_not_in_branch", "The staff member does not work at the branch."
    TOO_MANY_LINES = "too_many_lines", "More than 50 lines in one visit."
    TIER_RETIRED = "tier_retired", "The card tier is retired: no new cards are issued at it."
    TOPUP_BELOW_TIER_MINIMUM = (
        "topup_below_tier_minimum",
        "The first top-up is below the card tier's minimum.",
    )
    TOPUP_CONFIRMATION_REQUIRED = (
        "topup_confirmation_required",
        "A top-up above ¥5,000 is sent again with `confirm: true`.",
    )

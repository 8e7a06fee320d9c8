from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceCategory(models.TextChoices):
    FACIAL = "facial", _("Facial care")
    BODY = "body", _("Body care")
    HAIR = "hair", _("Hair")
    NAILS = "nails", _("Nails")
    LASHES = "lashes", _("Lashes and brows")
    SPA = "spa", _("Spa and massage")
    OTHER = "other", _("Other")


class LineKind(models.TextChoices):
    SERVICE = "service", _("Service")
    PRODUCT = "product", _("Product")


class VisitStatus(models.TextChoices):
    COMPLETED = "completed", _("Completed")
    PARTLY_REFUNDED = "partly_refunded", _("Partly refunded")
    REFUNDED = "refunded", _("Refunded")


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    BANK_CARD = "bank_card", _("Bank card")
    WECHAT = "wechat", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")
    STORED_VALUE = "stored_value", _("Stored-value card")


#: Methods that bring money in (everything but stored value, which spends money received earlier).
MONEY_METHODS = (
    PaymentMethod.CASH,
    PaymentMethod.BANK_CARD,
    PaymentMethod.WECHAT,
    PaymentMethod.ALIPAY,
)


class PaymentPurpose(models.TextChoices):
    VISIT = "visit", _("Visit")
    TOPUP = "topup", _("Card top-up")
    PACKAGE_SALE = "package_sale", _("Package sale")
    REFUND = "refund", _("Refund")
    CARD_REFUND = "card_refund", _("Card refund")


class CardEntryKind(models.TextChoices):
    TOPUP = "topup", _("Top-up")
    BONUS = "bonus", _("Bonus")
    DEDUCT = "deduct", _("Deduction")
    REVERSE = "reverse", _("Reversal (refund of a visit)")
    REFUND = "refund", _("Card refund")
    #: The balance a card had in the system the salon came from (an import): no money in today.
    MIGRATED = "migrated", _("Opening balance (migrated)")


class CardStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed (refunded)")


class PackageEntryKind(models.TextChoices):
    SALE = "sale", _("Sale")
    USE = "use", _("Session used")
    REVERSE = "reverse", _("Session returned (refund)")
    EXTEND = "extend", _("Extended")
    #: The sessions a package had left in the system the salon came from (an import).
    MIGRATED = "migrated", _("Sessions left (migrated)")


class StockEntryKind(models.TextChoices):
    RECEIVE = "receive", _("Received")
    SALE = "sale", _("Sold")
    RETURN = "return", _("Returned (refund)")
    ADJUST = "adjust", _("Stock count adjustment")
    CONSUME = "consume", _("Used in a service (consumable)")


class RefundReason(models.TextChoices):
    NOT_SATISFIED = "not_satisfied", _("Customer not satisfied with the result")
    ALLERGY = "allergy", _("Allergy or skin reaction")
    WRONG_CHARGE = "wrong_charge", _("Charged by mistake")
    NOT_PERFORMED = "not_performed", _("Service not performed")
    EXCHANGE = "exchange", _("Exchange for another service or product")
    COMPLAINT = "complaint", _("Complaint settlement")
    OTHER = "other", _("Other")


class CommissionKind(models.TextChoices):
    """What a commission (提成) is paid on."""

    SERVICE = "service", _("Service performed")
    CARD_SOLD = "card_sold", _("Card sold (开卡/充值)")
    CARD_CONSUMED = "card_consumed", _("Card consumed (耗卡)")
    PRODUCT = "product", _("Product sold")
    PACKAGE = "package", _("Package sold")

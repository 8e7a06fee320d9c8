from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from liuke.accounts.choices import Role
from liuke.accounts.models import Branch, Business, User
from liuke.core.models import TimeStampedModel
from liuke.sales.choices import ServiceCategory


def default_performer_roles() -> list[str]:
    return [Role.BEAUTICIAN, Role.MANAGER, Role.OWNER]


class MenuCategory(TimeStampedModel):
    """A group of the menu as the salon names it (面部护理, 身体SPA …). Its `kind`, one of the
    standard categories, is what follow-up rules and reports go by; card tiers may give each
    group its own member price."""

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=40)
    kind = models.CharField(
        _("kind"), max_length=20, choices=ServiceCategory.choices, default=ServiceCategory.OTHER
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        app_label = "sales"
        verbose_name = _("service category")
        verbose_name_plural = _("service categories")
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["business", "name"], name="menu_category_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Service(TimeStampedModel):
    """A service on the menu, with its list price in fen (integer: money is never a float)."""

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="services")
    #: The standard kind (follow-up rules go by it); set from `menu_category` when it has one.
    category = models.CharField(_("category"), max_length=20, choices=ServiceCategory.choices)
    menu_category = models.ForeignKey(
        MenuCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="services",
        verbose_name=_("service category"),
    )
    name = models.CharField(_("name"), max_length=100)
    duration_min = models.PositiveSmallIntegerField(_("duration (minutes)"))
    #: Booking (rosters.slots): after `duration_min` of work the customer may stay in the chair
    #: for a processing gap while the staff member is free (the colour develops), then the staff
    #: member clears up for the clean-up buffer before the next customer.
    processing_gap_min = models.PositiveSmallIntegerField(_("processing gap (minutes)"), default=0)
    cleanup_min = models.PositiveSmallIntegerField(_("clean-up buffer (minutes)"), default=0)
    price_fen = models.PositiveIntegerField(_("price (fen)"))
    #: Which roles may perform it (a front-desk clerk does not do a chemical peel).
    performer_roles = models.JSONField(_("performed by roles"), default=default_performer_roles)
    #: False once retired: no longer sold, still on old visits, still usable by packages.
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        app_label = "sales"
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["category", "name"]
        constraints = [
            models.UniqueConstraint(fields=["business", "name"], name="service_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Product(TimeStampedModel):
    """A retail product; its stock per branch is the sum of its stock ledger."""

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="products")
    name = models.CharField(_("name"), max_length=100)
    sku = models.CharField(_("SKU"), max_length=40)
    barcode = models.CharField(_("barcode"), max_length=40, blank=True)
    price_fen = models.PositiveIntegerField(_("price (fen)"))
    #: Its group of the menu (护肤品 …): a card tier's own member price for that category
    #: prices it as it prices the category's services; none: the tier's own percentage.
    menu_category = models.ForeignKey(
        MenuCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="products",
        verbose_name=_("category"),
    )
    #: What the salon pays for one; only those who hold `cost.view` see it.
    cost_fen = models.PositiveIntegerField(_("cost (fen)"), null=True, blank=True)
    #: Warn when the stock on hand at a branch is at or below this (0: never).
    low_stock_at = models.PositiveIntegerField(_("low-stock warning at"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        app_label = "sales"
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["business", "sku"], name="product_sku_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class BranchPrice(models.Model):
    """A branch's own price for a service or a product (shops in different districts differ)."""

    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="prices")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, null=True, blank=True)
    product = models.ForeignKey(Product, on_delete=models.CASCADE, null=True, blank=True)
    price_fen = models.PositiveIntegerField(_("price (fen)"))

    class Meta:
        app_label = "sales"
        verbose_name = _("branch price")
        verbose_name_plural = _("branch prices")
        constraints = [
            models.UniqueConstraint(fields=["branch", "service"], name="branch_price_service"),
            models.UniqueConstraint(fields=["branch", "product"], name="branch_price_product"),
            models.CheckConstraint(
                condition=models.Q(service__isnull=False, product__isnull=True)
                | models.Q(service__isnull=True, product__isnull=False),
                name="branch_price_one_item",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.branch_id}: {self.service_id or self.product_id}"


class StaffSkill(models.Model):
    """A staff member who performs a service (their skills). A service with skills listed may be
    performed only by those staff; one without any by every staff member of its roles."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="skills")
    staff = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")

    class Meta:
        app_label = "sales"
        verbose_name = _("staff skill")
        verbose_name_plural = _("staff skills")
        constraints = [
            models.UniqueConstraint(fields=["service", "staff"], name="staff_skill_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.staff_id}: {self.service_id}"


class ServiceConsumable(models.Model):
    """A product used up by a service (耗材), taken from the branch's stock at checkout."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="consumables")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveSmallIntegerField(_("quantity per service"), default=1)

    class Meta:
        app_label = "sales"
        verbose_name = _("consumable")
        verbose_name_plural = _("consumables")
        constraints = [
            models.UniqueConstraint(fields=["service", "product"], name="consumable_unique"),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="consumable_qty"),
        ]

    def __str__(self) -> str:
        return f"{self.service_id}: {self.product_id} × {self.quantity}"

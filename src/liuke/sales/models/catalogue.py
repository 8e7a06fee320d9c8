from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from liuke.accounts.choices import Role
from liuke.accounts.models import Branch, Business
from liuke.core.models import TimeStampedModel
from liuke.sales.choices import ServiceCategory


def default_performer_roles() -> list[str]:
    return [Role.BEAUTICIAN, Role.MANAGER, Role.OWNER]


class Service(TimeStampedModel):
    """A service on the menu, with its list price in fen (integer: money is never a float)."""

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="services")
    category = models.CharField(_("category"), max_length=20, choices=ServiceCategory.choices)
    name = models.CharField(_("name"), max_length=100)
    duration_min = models.PositiveSmallIntegerField(_("duration (minutes)"))
    price_fen = models.PositiveIntegerField(_("price (fen)"))
    #: Which roles may perform it (a front-desk clerk does not do a chemical peel).
    performer_roles = models.JSONField(_("performed by roles"), default=default_performer_roles)
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
    price_fen = models.PositiveIntegerField(_("price (fen)"))
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

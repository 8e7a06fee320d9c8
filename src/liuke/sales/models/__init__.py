"""Sales: the catalogue, visits and their lines, payments, refunds, stock, prepaid cards and
treatment packages. Every balance (stored value, sessions left, stock) comes from an append-only
ledger whose rows carry the balance after them, with a database check that it never goes below
zero and a unique (account, seq) so two writers can never both append entry n+1."""

from liuke.sales.choices import ServiceCategory
from liuke.sales.models.catalogue import (
    BranchPrice,
    MenuCategory,
    Product,
    Service,
    ServiceConsumable,
    StaffSkill,
)
from liuke.sales.models.commission import (
    CommissionAdjustment,
    CommissionAssignment,
    CommissionLine,
    CommissionMonth,
    CommissionPlan,
    CommissionRate,
    CommissionStatement,
)
from liuke.sales.models.prepaid import (
    BonusRule,
    CardEntry,
    CardTier,
    Package,
    PackageEntry,
    PackageTemplate,
    StoredValueCard,
    TierCategoryPrice,
)
from liuke.sales.models.visits import Payment, Refund, StockEntry, Visit, VisitLine

__all__ = [
    "BonusRule",
    "BranchPrice",
    "CardEntry",
    "CardTier",
    "CommissionAdjustment",
    "CommissionAssignment",
    "CommissionLine",
    "CommissionMonth",
    "CommissionPlan",
    "CommissionRate",
    "CommissionStatement",
    "MenuCategory",
    "Package",
    "PackageEntry",
    "PackageTemplate",
    "Payment",
    "Product",
    "Refund",
    "Service",
    "ServiceCategory",
    "ServiceConsumable",
    "StaffSkill",
    "StockEntry",
    "StoredValueCard",
    "TierCategoryPrice",
    "Visit",
    "VisitLine",
]

"""Stock received or corrected, through the stock ledger."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.models import User
from liuke.core.errors import NotFound, ServiceError
from liuke.core.locking import lock_one, retry_on_conflict
from liuke.core.text import clean_text
from liuke.sales import ledger
from liuke.sales.capabilities import SalesCap
from liuke.sales.choices import (
    StockEntryKind,
)
from liuke.sales.errors import SalesErrorCode
from liuke.sales.models import (
    Product,
)
from liuke.sales.services.lookups import (
    branch_for,
)


@retry_on_conflict()
@transaction.atomic
def stock_receive(
    *, actor: User, product_id: int, branch_id: int, quantity: int, note: str = ""
) -> int:
    """Goods received (or a count correction when negative). Returns the stock after."""
    policy.require(actor, SalesCap.STOCK_MANAGE)
    branch = branch_for(actor, branch_id)
    product = lock_one(Product.objects.filter(business_id=policy.business_of(actor)), product_id)
    if product is None:
        raise NotFound(_("No such product."))
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity == 0:
        raise ServiceError(SalesErrorCode.INVALID_QUANTITY, _("Enter a quantity other than zero."))
    kind = StockEntryKind.RECEIVE if quantity > 0 else StockEntryKind.ADJUST
    entry = ledger.stock_append(
        product,
        branch,
        kind=kind,
        delta=quantity,
        actor=actor,
        note=clean_text(note, max_length=200, field=_("note")),
    )
    return entry.quantity_after

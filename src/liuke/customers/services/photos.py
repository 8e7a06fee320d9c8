"""Before/after photos of a customer (only with the customer's photo consent)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.models import User
from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.core.errors import ServiceError
from liuke.core.text import clean_text
from liuke.customers.capabilities import CustomerCap
from liuke.customers.choices import ChangeKind
from liuke.customers.errors import CustomersErrorCode
from liuke.customers.models import CustomerPhoto
from liuke.customers.services.archive import _locked_customer, _record


@transaction.atomic
def customer_photo_add(
    *,
    actor: User,
    customer_id: int,
    image: Any,
    kind: str,
    caption: str = "",
    taken_on: dt.date | None = None,
) -> CustomerPhoto:
    """Store a before/after photo; only with the customer's photo consent."""
    policy.require(actor, CustomerCap.CUSTOMER_EDIT)
    customer = _locked_customer(actor, customer_id)
    if not customer.photo_consent:
        raise ServiceError(
            CustomersErrorCode.NO_PHOTO_CONSENT, _("The customer has not consented to photos.")
        )
    from liuke.customers.photos import clean_photo

    content = clean_photo(image)
    photo = CustomerPhoto(
        customer=customer,
        kind=kind,
        caption=clean_text(caption, max_length=200, field=_("caption")),
        taken_on=taken_on,
        uploaded_by=actor,
    )
    photo.image.save(content.name, content, save=False)
    photo.save()
    _record(
        customer,
        actor=actor,
        kind=ChangeKind.PHOTO,
        field="photos",
        new=str(photo.get_kind_display()),
    ).save()
    audit_record(actor=actor, action=Action.PHOTO_ADD, customer_ids=[customer.pk], fields=[kind])
    return photo

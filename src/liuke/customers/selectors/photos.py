"""A customer's before/after photos: shown and served only while the customer consents.

Withdrawing photo consent keeps the photos (consent given again shows them again; erasure
deletes them) but no page, list or file request shows them meanwhile."""

from __future__ import annotations

from django.db.models import QuerySet

from liuke.customers.models import Customer, CustomerPhoto


def customer_photos(customer: Customer) -> QuerySet[CustomerPhoto]:
    """The photos the profile shows (`customer` is one the policy gave the actor); the consent
    is read with them, in the one query, as the database holds it."""
    return customer.photos.filter(customer__photo_consent=True).order_by("pk")


def customer_photo(customer: Customer, photo_id: int) -> CustomerPhoto | None:
    """One photo to serve, or None (no such photo, or no consent: the same 404)."""
    return customer_photos(customer).filter(pk=photo_id).first()

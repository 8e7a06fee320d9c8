"""Photos follow the customer's photo consent: once it is withdrawn, the file answers 404 and
the profile shows none; the photos are kept, and shown again if consent is given again."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image
from tests.factories import customer_make

from liuke.accounts.models import User
from liuke.customers.models import CustomerPhoto
from liuke.customers.services import customer_photo_add, customer_update

pytestmark = pytest.mark.django_db


def _jpeg() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 120, 120)).save(out, format="JPEG")
    return SimpleUploadedFile("face.jpg", out.getvalue(), content_type="image/jpeg")


def test_a_photo_is_not_served_after_photo_consent_is_withdrawn(
    owner: User, front_a: User, owner_client: Client
) -> None:
    customer = customer_make(actor=front_a, photo_consent=True)
    photo = customer_photo_add(actor=front_a, customer_id=customer.pk, image=_jpeg(), kind="before")
    url = f"/customers/{customer.pk}/photos/{photo.pk}/"
    assert owner_client.get(url).status_code == 200
    assert url in owner_client.get(f"/customers/{customer.pk}/").content.decode()

    customer_update(actor=owner, customer_id=customer.pk, data={"photo_consent": False})

    assert owner_client.get(url).status_code == 404
    assert url not in owner_client.get(f"/customers/{customer.pk}/").content.decode()
    assert CustomerPhoto.objects.filter(pk=photo.pk).exists()  # kept, not shown
    customer_update(actor=owner, customer_id=customer.pk, data={"photo_consent": True})
    assert owner_client.get(url).status_code == 200

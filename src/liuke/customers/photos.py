"""Uploaded photos: size-limited, re-encoded (which drops EXIF and its GPS position), renamed."""

from __future__ import annotations

import io
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from liuke.customers.errors import CustomersErrorCode

MAX_BYTES = 10 * 1024 * 1024
MAX_SIDE = 2048


def clean_photo(upload: Any) -> ContentFile[bytes]:
    size = getattr(upload, "size", None)
    if size is None or size > MAX_BYTES:
        raise ValidationError(
            _("The photo must be smaller than 10 MB."), code=CustomersErrorCode.PHOTO_TOO_LARGE
        )
    try:
        with Image.open(upload) as original:
            img: Image.Image = ImageOps.exif_transpose(original).convert("RGB")
            img.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            # A fresh JPEG carries no metadata from the original (no EXIF, no GPS).
            img.save(out, format="JPEG", quality=85, optimize=True)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValidationError(
            _("The file is not a photo we can read."), code=CustomersErrorCode.PHOTO_INVALID
        ) from exc
    return ContentFile(out.getvalue(), name=f"{secrets.token_hex(16)}.jpg")

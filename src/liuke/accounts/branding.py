"""The salon's name and logo on the pages its customers see (the survey, the suggestion box,
the online booking page): the owner sets the logo on the settings page; Liuke's own name is
only a small footer.

The logo is checked and re-encoded before it is kept: only a raster image Pillow can decode
(PNG, JPEG, WebP, GIF), at most `LOGO_MAX_BYTES` uploaded and `LOGO_MAX_PIXELS` decoded (a
decompression bomb is refused), scaled down to `LOGO_SIZE` and stored as a fresh PNG in the
business's row. What is served is therefore always a PNG this code wrote, never the bytes that
were uploaded (no SVG with a script, no polyglot file), under `image/png` with `nosniff` and a
content security policy that lets it do nothing (`views_brand.brand_logo`).

Public pages get `public_brand(business)` as their context (`salon_name`, `salon_logo_url`)
and extend `accounts/public_base.html`, which shows them.
"""

from __future__ import annotations

import hashlib
import io
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from liuke.accounts import policy
from liuke.accounts.errors import AccountsErrorCode
from liuke.accounts.models import Business, User
from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.core.locking import lock_get

#: The largest upload accepted (bytes).
LOGO_MAX_BYTES = 1024 * 1024
#: The most pixels a logo may decode to (a 4000 × 4000 image); more is refused unread.
LOGO_MAX_PIXELS = 16_000_000
#: The stored logo fits in this square (pixels).
LOGO_SIZE = 256
ACCEPTED_FORMATS = frozenset({"PNG", "JPEG", "WEBP", "GIF"})


def _refuse(code: AccountsErrorCode, message: str) -> ValidationError:
    return ValidationError({"logo": [ValidationError(message, code=code)]})


def logo_png(upload: IO[bytes], *, size: int | None = None) -> bytes:
    """The upload as a fresh PNG fitting `LOGO_SIZE`, or a ValidationError on `logo`."""
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    if size > LOGO_MAX_BYTES:
        raise _refuse(
            AccountsErrorCode.LOGO_TOO_LARGE,
            _("The logo may be at most %(kb)s KB.") % {"kb": LOGO_MAX_BYTES // 1024},
        )
    upload.seek(0)
    try:
        with Image.open(upload) as probe:
            fmt = probe.format
            width, height = probe.size
            if fmt not in ACCEPTED_FORMATS or width * height > LOGO_MAX_PIXELS:
                raise UnidentifiedImageError(fmt)
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            image.load()
            picture = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise _refuse(
            AccountsErrorCode.LOGO_INVALID,
            _("Upload the logo as a PNG, JPEG, WebP or GIF picture."),
        ) from exc
    picture.thumbnail((LOGO_SIZE, LOGO_SIZE))
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return out.getvalue()


@transaction.atomic
def logo_set(*, actor: User, upload: IO[bytes] | None, size: int | None = None) -> Business:
    """Set (or, with no upload, remove) the business's logo; owners only, audited."""
    policy.require(actor, policy.Cap.SETTINGS_MANAGE)
    business = lock_get(Business, policy.business_of(actor))
    business.logo = logo_png(upload, size=size) if upload is not None else None
    business.save(update_fields=["logo", "updated_at"])
    audit_record(actor=actor, action=Action.SETTINGS, fields=["logo"])
    return business


def logo_version(logo: bytes) -> str:
    return hashlib.sha256(logo).hexdigest()[:12]


def public_brand(business: Business | None) -> dict[str, Any]:
    """The context a public page shows the salon with: its name and its logo's address (""
    without one). The address carries the logo's hash, so a new logo is fetched at once and
    the old one can be cached."""
    if business is None:
        return {"salon_name": "", "salon_logo_url": ""}
    logo = bytes(business.logo) if business.logo else b""
    url = ""
    if logo:
        url = reverse("brand:logo", args=[business.pk]) + f"?v={logo_version(logo)}"
    return {"salon_name": business.name, "salon_logo_url": url}

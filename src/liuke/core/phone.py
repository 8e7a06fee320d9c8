"""Mainland-China mobile numbers: parse, validate, normalise, mask (python `phonenumbers`)."""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from liuke.core.errors import CoreErrorCode


def normalise_mobile(raw: str) -> str:
    """Return the 11-digit national form of a CN mobile number, or raise ValidationError.

    Accepts spaces, dashes and a +86/0086 prefix. Landlines and invalid numbers are refused: the
    archive keeps the number we can reach the customer on.
    """
    text = (raw or "").strip()
    if not text:
        return ""
    if len(text) > 32:
        raise ValidationError(
            _("Enter a valid mainland China mobile number."), code=CoreErrorCode.INVALID_PHONE
        )
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(
            _("Enter a valid mainland China mobile number."), code=CoreErrorCode.INVALID_PHONE
        ) from exc
    if (
        number.country_code != 86
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number)
        not in (
            phonenumbers.PhoneNumberType.MOBILE,
            phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        )
    ):
        raise ValidationError(
            _("Enter a valid mainland China mobile number."), code=CoreErrorCode.INVALID_PHONE
        )
    return str(number.national_number)


def mask_mobile(mobile: str) -> str:
    """138****5678: enough to confirm with the customer, not enough to call them."""
    if len(mobile) != 11:
        return "*" * len(mobile)
    return f"{mobile[:3]}****{mobile[-4:]}"

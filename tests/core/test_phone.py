from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from liuke.core.phone import mask_mobile, normalise_mobile


@pytest.mark.parametrize(
    "raw",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "+8613812345678",
        "008613812345678",
        "  13812345678  ",
    ],
)
def test_mobile_is_normalised_to_eleven_digits(raw: str) -> None:
    # given a CN mobile number typed in any common way
    # when it is normalised
    result = normalise_mobile(raw)
    # then the archive keeps the 11-digit national number
    assert result == "13812345678"


def test_empty_mobile_stays_empty() -> None:
    assert normalise_mobile("") == ""
    assert normalise_mobile("   ") == ""


@pytest.mark.parametrize(
    "raw",
    [
        "021 6234 5678",  # a Shanghai landline
        "02162345678",
        "12345",
        "1381234567",  # one digit short
        "138123456789",  # one digit too many
        "abc",
        "+1 650 253 0000",  # not a Chinese number
        "1" * 40,
    ],
)
def test_landlines_and_invalid_numbers_are_refused(raw: str) -> None:
    # given something that is not a mainland-China mobile number
    # when it is normalised
    with pytest.raises(ValidationError) as info:
        normalise_mobile(raw)
    # then it is refused with the stable code
    assert info.value.code == "invalid_phone"


def test_mask_keeps_prefix_and_last_four() -> None:
    assert mask_mobile("13812345678") == "138****5678"


def test_mask_of_an_odd_length_hides_everything() -> None:
    assert mask_mobile("12345") == "*****"

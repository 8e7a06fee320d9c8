"""Customers are addressed as a Chinese salon would: surname and 女士 or 先生."""

from __future__ import annotations

import pytest

from liuke.customers.models import Customer


@pytest.mark.parametrize(
    ("name", "gender", "said"),
    [
        ("张丽", "F", "张女士"),
        ("王建国", "M", "王先生"),
        ("欧阳娜娜", "F", "欧阳女士"),
        ("欧阳", "M", "欧先生"),  # a two-character name is surname and given name
        ("李雪", "", "李雪"),  # no gender given: the full name, never a guess
        ("李雪", "O", "李雪"),
        ("Anna Lee", "F", "Anna Lee"),
    ],
)
def test_salutation(name: str, gender: str, said: str) -> None:
    assert Customer(name=name, gender=gender).salutation == said

"""Template helpers of the commission pages: a rate in basis points shown as a percentage, and a
plan's rate of one kind."""

from __future__ import annotations

from typing import Any

from django import template

from liuke.sales.models.commission import percent_text

register = template.Library()


@register.filter
def bp(value: int | None) -> str:
    """1250 → "12.5" (empty for none or zero, so the box shows its placeholder)."""
    return percent_text(value) if value else ""


@register.simple_tag
def rate_of(rates: dict[str, Any] | None, kind: str) -> dict[str, Any]:
    """The rate of `kind` in a plan's rates (empty: none set)."""
    return (rates or {}).get(kind) or {}

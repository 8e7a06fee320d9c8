from __future__ import annotations

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from liuke.core.money import format_yuan

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """Integer fen as yuan: 128000 → 1,280.00 (`core.money.format_yuan`; "—" for None)."""
    return format_yuan(fen)


@register.filter
def field_label(field: str) -> str:
    """The translated label of a customer field named in the change history."""
    from liuke.customers.choices import FieldGroup
    from liuke.customers.models import Customer

    if not field:
        return ""
    if field == "tags":
        return _("Tags")
    if field == "photos":
        return _("Photos")
    if field in FieldGroup.values:
        return str(FieldGroup(field).label)
    try:
        name = field[:-3] if field.endswith("_id") else field
        return str(capfirst(getattr(Customer._meta.get_field(name), "verbose_name", field)))
    except FieldDoesNotExist:
        return field

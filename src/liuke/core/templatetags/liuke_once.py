"""`{% once_key %}`: the hidden key of a form that moves money (liuke.core.idempotency,
`form_once`), new each time the form is shown, so that a double submit is done once."""

from __future__ import annotations

import secrets

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from liuke.core.idempotency import FORM_FIELD

register = template.Library()


@register.simple_tag
def once_key() -> SafeString:
    return format_html(
        '<input type="hidden" name="{}" value="{}">', FORM_FIELD, secrets.token_urlsafe(18)
    )

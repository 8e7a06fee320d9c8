"""Forms of the account and business-settings pages (they parse; the services decide)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from liuke.accounts.models import Business
from liuke.accounts.services import BUSINESS_SETTING_RANGES


class BusinessSettingsForm(forms.Form):
    name = forms.CharField(label=_("Business name"), max_length=100)
    stale_after_months = forms.IntegerField(
        label=Business._meta.get_field("stale_after_months").verbose_name,
        help_text=Business._meta.get_field("stale_after_months").help_text,
    )
    grant_hours = forms.IntegerField(
        label=Business._meta.get_field("grant_hours").verbose_name,
        help_text=Business._meta.get_field("grant_hours").help_text,
    )
    retention_years = forms.IntegerField(
        label=Business._meta.get_field("retention_years").verbose_name,
        help_text=Business._meta.get_field("retention_years").help_text,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, (low, high) in BUSINESS_SETTING_RANGES.items():
            field = self.fields[key]
            assert isinstance(field, forms.IntegerField)
            field.min_value, field.max_value = low, high
            field.widget.attrs.update({"min": low, "max": high})

    @staticmethod
    def initial_for(business: Business) -> dict[str, Any]:
        return {"name": business.name} | {
            key: getattr(business, key) for key in BUSINESS_SETTING_RANGES
        }

    def add_service_errors(self, exc: ValidationError) -> None:
        for field, errors in exc.message_dict.items():
            self.add_error(field if field in self.fields else None, errors)

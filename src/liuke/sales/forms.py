"""Sales page forms: they parse what the browser sent (amounts typed in yuan become integer fen,
exactly, through Decimal); the services validate the rest and decide."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liuke.core.errors import CoreErrorCode
from liuke.core.money import parse_yuan
from liuke.customers.forms import IsoDateInput
from liuke.sales.choices import MONEY_METHODS, PaymentMethod, RefundReason


class YuanField(forms.CharField):
    """An amount typed in yuan; cleans to integer fen."""

    def __init__(self, *, allow_zero: bool = False, **kwargs: Any) -> None:
        self.allow_zero = allow_zero
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "size": 10}),
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> int | None:
        text = super().clean(value)
        if not text and not self.required:
            return None
        return parse_yuan(text, allow_zero=self.allow_zero)


def money_method_choices() -> list[tuple[str, str]]:
    return [(m.value, str(m.label)) for m in MONEY_METHODS]


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


def parse_local_datetime(text: str) -> dt.datetime | None:
    """A `datetime-local` value (2026-11-30T15:00) in the current time zone; None if empty."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError(_("Enter a date and time."), code=CoreErrorCode.INVALID) from None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


class TopupForm(forms.Form):
    amount = YuanField(label=_("Amount (¥)"))
    method = forms.ChoiceField(label=_("Paid by"), choices=money_method_choices)


class CardIssueForm(forms.Form):
    number = forms.CharField(label=_("Card number"), max_length=30)
    tier_id = forms.TypedChoiceField(label=_("Tier"), coerce=int, required=False, empty_value=None)
    expires_on = forms.DateField(label=_("Expires on"), required=False, widget=IsoDateInput())
    branch_id = forms.TypedChoiceField(label=_("Branch"), coerce=int)


class CardRefundForm(forms.Form):
    method = forms.ChoiceField(label=_("Paid back by"), choices=money_method_choices)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class PackageSellForm(forms.Form):
    name = forms.CharField(label=_("Package name"), max_length=100)
    service_ids = forms.TypedMultipleChoiceField(label=_("Services covered"), coerce=int)
    sessions = forms.IntegerField(label=_("Sessions"), min_value=1, max_value=500)
    price = YuanField(label=_("Price (¥)"), allow_zero=True)
    method = forms.ChoiceField(label=_("Paid by"), choices=money_method_choices)
    expires_on = forms.DateField(label=_("Expires on"), required=False, widget=IsoDateInput())
    branch_id = forms.TypedChoiceField(label=_("Branch"), coerce=int)


class PackageExtendForm(forms.Form):
    expires_on = forms.DateField(label=_("New expiry date"), widget=IsoDateInput())
    reason = forms.CharField(label=_("Reason"), max_length=150)


class RefundForm(forms.Form):
    line_id = forms.TypedChoiceField(label=_("What"), coerce=int, required=False, empty_value=None)
    reason = forms.ChoiceField(label=_("Reason"), choices=RefundReason.choices)
    note = forms.CharField(
        label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    idempotency_key = forms.CharField(max_length=100, required=False, widget=forms.HiddenInput)


class StockReceiveForm(forms.Form):
    product_id = forms.IntegerField(widget=forms.HiddenInput)
    branch_id = forms.TypedChoiceField(label=_("Branch"), coerce=int)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=-9999, max_value=9999)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


PAYMENT_METHODS_ORDER = [
    PaymentMethod.CASH,
    PaymentMethod.WECHAT,
    PaymentMethod.ALIPAY,
    PaymentMethod.BANK_CARD,
]


class CheckoutInput:
    """The checkout form: repeated rows of lines and payments (`line_item`, `line_staff`,
    `line_qty`, `line_package`; `pay_method`, `pay_amount`), parsed into the dict that
    `services.checkout_quote` and `services.checkout` take. Problems are collected in `errors`
    (row-numbered messages); nothing is looked up here, the services decide the rest."""

    def __init__(self, post: Any) -> None:
        self.post = post
        self.errors: list[str] = []
        self.data: dict[str, Any] = {}
        self.paid_fen = 0
        self._parse()

    def _int(self, text: str | None) -> int | None:
        text = (text or "").strip()
        if not text:
            return None
        try:
            value = int(text)
        except ValueError:
            return None
        return value if 0 < value < 2**62 else None

    def _parse(self) -> None:
        post = self.post
        data = self.data
        data["customer_id"] = self._int(post.get("customer_id"))
        data["branch_id"] = self._int(post.get("branch_id"))
        data["member_card_id"] = self._int(post.get("member_card_id"))
        lines: list[dict[str, Any]] = []
        items = post.getlist("line_item")
        staff = post.getlist("line_staff")
        qtys = post.getlist("line_qty")
        pkgs = post.getlist("line_package")
        for i, item in enumerate(items):
            item = (item or "").strip()
            if not item:
                continue
            kind, _sep, pk = item.partition(":")
            item_id = self._int(pk)
            qty_text = (qtys[i] if i < len(qtys) else "") or "1"
            try:
                qty = int(qty_text.strip())
            except ValueError:
                qty = 0
            if not 1 <= qty <= 99:
                self.errors.append(str(_("Line %(n)d: quantity 1 to 99.")) % {"n": len(lines) + 1})
                qty = 1
            line: dict[str, Any] = {"quantity": qty}
            staff_id = self._int(staff[i] if i < len(staff) else "")
            if staff_id:
                line["staff_id"] = staff_id
            if kind == "s" and item_id:
                line["service_id"] = item_id
                package_id = self._int(pkgs[i] if i < len(pkgs) else "")
                if package_id:
                    line["package_id"] = package_id
            elif kind == "p" and item_id:
                line["product_id"] = item_id
            else:
                continue
            lines.append(line)
        data["lines"] = lines
        value = (post.get("discount_value") or "").strip()
        if value:
            if post.get("discount_kind") == "pct":
                try:
                    pct = int(value)
                except ValueError:
                    pct = 0
                if not 1 <= pct <= 100:
                    self.errors.append(str(_("A percentage discount is 1 to 100.")))
                else:
                    data["discount_pct"] = pct
            else:
                try:
                    data["discount_fen"] = parse_yuan(value)
                except ValidationError as exc:
                    self.errors.append(f"{_('Discount')}: {' '.join(exc.messages)}")
        data["discount_reason"] = (post.get("discount_reason") or "")[:200]
        payments: list[dict[str, Any]] = []
        methods = post.getlist("pay_method")
        amounts = post.getlist("pay_amount")
        for i, method in enumerate(methods):
            amount_text = amounts[i] if i < len(amounts) else ""
            method = (method or "").strip()
            if not method and not amount_text.strip():
                continue
            if not amount_text.strip():
                self.errors.append(str(_("Payment %(n)d: enter an amount.")) % {"n": i + 1})
                continue
            try:
                fen = parse_yuan(amount_text)
            except ValidationError as exc:
                self.errors.append(
                    str(_("Payment %(n)d: %(error)s"))
                    % {"n": i + 1, "error": " ".join(exc.messages)}
                )
                continue
            payment: dict[str, Any] = {"amount_fen": fen}
            if method.startswith("card:"):
                payment["method"] = PaymentMethod.STORED_VALUE
                payment["card_id"] = self._int(method[5:])
            elif method in PaymentMethod.values and method != PaymentMethod.STORED_VALUE:
                payment["method"] = method
            else:
                self.errors.append(str(_("Payment %(n)d: choose a method.")) % {"n": i + 1})
                continue
            payments.append(payment)
            self.paid_fen += fen
        data["payments"] = payments
        try:
            data["next_visit_at"] = parse_local_datetime(post.get("next_visit_at", ""))
        except ValidationError as exc:
            self.errors.append(f"{_('Next visit')}: {' '.join(exc.messages)}")
        data["note"] = (post.get("note") or "")[:500]
        key = (post.get("idempotency_key") or "").strip()
        data["idempotency_key"] = key or None

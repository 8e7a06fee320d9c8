"""Sales page forms: they parse what the browser sent (amounts typed in yuan become integer fen,
exactly, through Decimal); the services validate the rest and decide."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pydantic
from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liuke.core import inputs
from liuke.core.errors import CoreErrorCode
from liuke.core.money import parse_yuan
from liuke.customers.forms import IsoDateInput
from liuke.sales.choices import MONEY_METHODS, PaymentMethod, RefundReason
from liuke.sales.schemas import DISCOUNT_REASON_MAX, NOTE_MAX, CheckoutIn


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
    expires_on = inputs.DayField(label=_("Expires on"), required=False, widget=IsoDateInput())
    branch_id = forms.TypedChoiceField(label=_("Branch"), coerce=int)


class CardRefundForm(forms.Form):
    method = forms.ChoiceField(label=_("Paid back by"), choices=money_method_choices)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class PackageSellForm(forms.Form):
    """A package sold from a template; a manager may change its price (with a reason) or make
    one up (name, services, sessions, price): the service decides who may."""

    template_id = forms.TypedChoiceField(
        label=_("Package"), coerce=int, required=False, empty_value=None
    )
    method = forms.ChoiceField(label=_("Paid by"), choices=money_method_choices)
    expires_on = inputs.DayField(label=_("Expires on"), required=False, widget=IsoDateInput())
    branch_id = forms.TypedChoiceField(label=_("Branch"), coerce=int)
    price = YuanField(label=_("Price (¥)"), allow_zero=True, required=False)
    price_reason = forms.CharField(label=_("Reason for the price"), max_length=200, required=False)
    name = forms.CharField(label=_("Package name"), max_length=100, required=False)
    service_ids = forms.TypedMultipleChoiceField(
        label=_("Services covered"), coerce=int, required=False
    )
    sessions = forms.IntegerField(label=_("Sessions"), min_value=1, max_value=500, required=False)


class PackageExtendForm(forms.Form):
    expires_on = inputs.DayField(label=_("New expiry date"), widget=IsoDateInput())
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


class CheckoutPost:
    """The checkout page's POST: its repeated rows of lines and payments (`line_item` as
    `s:<service>` or `p:<product>`, `line_staff`, `line_qty`, `line_package`, `line_staff2` and
    `line_share2` (a split, in whole percent); `pay_method` as a
    method or `card:<card>`, `pay_amount` in yuan) decoded into the API's body, `CheckoutIn`,
    and checked by it. `data` is what the services take (the model's `service_data` once it
    validates); `errors` the row-numbered messages the page shows; nothing is looked up here."""

    def __init__(self, post: QueryDict) -> None:
        self.post = post
        self.errors: list[str] = []
        self.paid_fen = 0
        self._payment_rows: list[int] = []
        self.data = self._decode()
        self.input: CheckoutIn | None = None
        try:
            self.input = CheckoutIn.model_validate(self.data)
        except pydantic.ValidationError as exc:
            self._refusals(exc)
        else:
            self.data = self.input.service_data(idempotency_key=self.data["idempotency_key"])

    def _decode(self) -> dict[str, Any]:
        post = self.post
        data: dict[str, Any] = {
            name: _id(post.get(name)) for name in ("customer_id", "branch_id", "member_card_id")
        }
        data["lines"] = self._lines()
        value = (post.get("discount_value") or "").strip()
        if value:
            if post.get("discount_kind") == "pct":
                data["discount_pct"] = _id(value)
            else:
                try:
                    data["discount_fen"] = parse_yuan(value)
                except ValidationError as exc:
                    self.errors.append(f"{_('Discount')}: {' '.join(exc.messages)}")
        data["discount_reason"] = (post.get("discount_reason") or "")[:DISCOUNT_REASON_MAX]
        data["payments"] = self._payments()
        try:
            data["next_visit_at"] = parse_local_datetime(post.get("next_visit_at", ""))
        except ValidationError as exc:
            self.errors.append(f"{_('Next visit')}: {' '.join(exc.messages)}")
        data["note"] = (post.get("note") or "")[:NOTE_MAX]
        data["appointment_id"] = _id(post.get("appointment_id"))
        data["rebook"] = self._rebook()
        data["idempotency_key"] = (post.get("idempotency_key") or "").strip() or None
        return data

    def _rebook(self) -> dict[str, Any] | None:
        """The next visit booked as an appointment (service, staff member, time on the
        branch's clock), or None when the service is not chosen."""
        service = _blank_none(self.post.get("rebook_service"))
        if service is None:
            return None
        text = (self.post.get("rebook_at") or "").strip()
        try:
            # naive on purpose: the appointments app reads it on the branch's clock
            start: dt.datetime | str = dt.datetime.fromisoformat(text)
        except ValueError:
            self.errors.append(f"{_('Next appointment')}: {_('Enter a date and time.')}")
            start = text
        return {
            "service_id": _id(service),
            "staff_id": _id(self.post.get("rebook_staff")),
            "start_at": start,
        }

    def _lines(self) -> list[dict[str, Any]]:
        post = self.post
        staff, qtys, pkgs = (post.getlist(n) for n in ("line_staff", "line_qty", "line_package"))
        designated = post.getlist("line_designated")
        staff2, shares2 = post.getlist("line_staff2"), post.getlist("line_share2")
        lines: list[dict[str, Any]] = []
        for i, item in enumerate(post.getlist("line_item")):
            kind, _sep, pk = (item or "").strip().partition(":")
            if kind not in ("s", "p") or not pk:
                continue
            # numbers as numbers: the model is the API's, and strict (liuke.core.api)
            line: dict[str, Any] = {
                "service_id" if kind == "s" else "product_id": _id(pk),
                "quantity": _id(_row(qtys, i) or "1"),
                "staff_id": _id(_row(staff, i)),
                # the customer asked for this staff member (指定): their designated rate
                "designated": _row(designated, i) == "1",
            }
            if kind == "s":
                line["package_id"] = _id(_row(pkgs, i))
            second, share = _row(staff2, i), _row(shares2, i)
            if second is not None or share is not None:
                line["splits"] = _split(line["staff_id"], _id(second), _id(share))
            lines.append(line)
        return lines

    def _payments(self) -> list[dict[str, Any]]:
        amounts = self.post.getlist("pay_amount")
        payments: list[dict[str, Any]] = []
        for i, method in enumerate(self.post.getlist("pay_method")):
            amount_text = _row(amounts, i) or ""
            method = (method or "").strip()
            if not method and not amount_text:
                continue
            if not amount_text:
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
            payment: dict[str, Any] = {"amount_fen": fen, "method": method or None}
            if method.startswith("card:"):
                payment.update(method=PaymentMethod.STORED_VALUE, card_id=_id(method[5:]))
            elif method == PaymentMethod.STORED_VALUE:
                payment["method"] = None  # a card is chosen as `card:<id>`, never bare
            payments.append(payment)
            self._payment_rows.append(i + 1)
            self.paid_fen += fen
        return payments

    def _refusals(self, exc: pydantic.ValidationError) -> None:
        """The model's refusals as the page words them: by line and payment row."""
        for error in exc.errors(include_url=False):
            loc = error.get("loc") or ()
            where = loc[0] if loc else ""
            if where == "lines" and len(loc) == 1:
                if self.data["lines"]:  # no lines at all is the service's to say
                    self.errors.append(str(_("At most 50 lines per visit.")))
            elif where == "lines":
                n = int(loc[1]) + 1
                if len(loc) > 2 and loc[2] == "splits":
                    self.errors.append(
                        str(
                            _(
                                "Line %(n)d: a shared line names both staff members and the "
                                "second one's share, a whole percentage from 1 to 99."
                            )
                        )
                        % {"n": n}
                    )
                elif len(loc) > 2 and loc[2] == "quantity":
                    self.errors.append(str(_("Line %(n)d: quantity 1 to 99.")) % {"n": n})
                else:
                    self.errors.append(
                        str(_("Line %(n)d: choose a service or a product.")) % {"n": n}
                    )
            elif where == "payments" and len(loc) > 1:
                n = self._payment_rows[int(loc[1])]
                if len(loc) > 2 and loc[2] in ("method", "card_id"):
                    self.errors.append(str(_("Payment %(n)d: choose a method.")) % {"n": n})
                else:
                    self.errors.append(
                        str(_("Payment %(n)d: %(error)s"))
                        % {"n": n, "error": inputs.describe(error)[1]}
                    )
            elif where == "discount_pct":
                self.errors.append(str(_("A percentage discount is 1 to 100.")))
            else:
                self.errors.append(inputs.describe(error)[1])


def _split(
    first: int | str | None, second: int | str | None, share: int | str | None
) -> list[dict[str, Any]]:
    """A line shared with a second staff member (分单): they get `share` whole percent of its
    commission, the line's own staff member the rest. What does not make such a split (a share
    that is not a whole 1 to 99, a staff member missing) goes to the model as typed, to be
    refused there (the service refuses a staff member twice: `invalid_split`)."""
    rest = 100 - share if isinstance(share, int) else share
    return [{"staff_id": first, "share_pct": rest}, {"staff_id": second, "share_pct": share}]


def _blank_none(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _id(value: str | None) -> int | str | None:
    """An id or a count from a box: a number, or the text as sent for the model to refuse."""
    text = _blank_none(value)
    return int(text) if text is not None and text.isascii() and text.isdigit() else text


def _row(column: list[str], i: int) -> str | None:
    """Row `i` of a repeated field, None when absent or blank."""
    return _blank_none(column[i]) if i < len(column) else None

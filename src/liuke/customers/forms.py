"""Page forms: they render the fields; the typed inputs parse what the browser sent and the
services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.utils.translation import gettext_lazy as _

from liuke.accounts import policy
from liuke.accounts import selectors as account_selectors
from liuke.accounts.models import User
from liuke.accounts.policy import Cap
from liuke.core import inputs
from liuke.customers import selectors
from liuke.customers.capabilities import CustomerCap
from liuke.customers.choices import Gender, HairType, PhotoKind, SkinType, Source
from liuke.customers.fields import limit
from liuke.customers.models import Customer
from liuke.customers.schemas import CustomerPatch


class IsoDateInput(forms.DateInput):
    """A date picker: `<input type="date">` takes only yyyy-mm-dd, whatever the language.

    With the locale's format (1988/03/15 in Chinese) the browser shows an empty field and
    submits nothing, so saving the form would erase the date."""

    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class CustomerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=limit("name"))
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices, required=False)
    birthday = inputs.DayField(label=_("Birthday"), required=False, widget=IsoDateInput())
    address_as = forms.CharField(
        label=_("Form of address"),
        max_length=limit("address_as"),
        required=False,
        help_text=_("How she likes to be greeted, e.g. 王姐; blank: surname and 女士/先生."),
    )
    mobile = forms.CharField(
        label=_("Mobile"),
        max_length=limit("mobile"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    wechat_id = forms.CharField(label=_("WeChat id"), max_length=limit("wechat_id"), required=False)
    card_no = forms.CharField(label=_("Card number"), max_length=limit("card_no"), required=False)
    branch_id = forms.TypedChoiceField(label=_("Branch"), coerce=int)
    owner_id = forms.TypedChoiceField(
        label=_("Responsible staff member"), coerce=int, required=False, empty_value=None
    )
    is_key_account = forms.BooleanField(label=_("Key account"), required=False)
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices, required=False)
    #: Picked by name, pinyin or phone (`customers/partials/referrer_pick.html`: a search whose
    #: results are radio buttons of this name); the number itself is never typed.
    referrer_id = forms.IntegerField(
        label=_("Referred by"), required=False, min_value=1, max_value=2**62
    )
    tags = forms.CharField(
        label=_("Tags"),
        max_length=500,
        required=False,
        help_text=_("Separate tags with commas."),
    )
    skin_type = forms.ChoiceField(label=_("Skin type"), choices=SkinType.choices, required=False)
    hair_type = forms.ChoiceField(label=_("Hair type"), choices=HairType.choices, required=False)
    allergies = forms.CharField(
        label=_("Allergies"),
        max_length=limit("allergies"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    contraindications = forms.CharField(
        label=_("Contraindications"),
        max_length=limit("contraindications"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    preferences = forms.CharField(
        label=_("Preferences"),
        max_length=limit("preferences"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    notes = forms.CharField(
        label=_("Notes"),
        max_length=limit("notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confidential_notes = forms.CharField(
        label=_("Confidential notes"),
        max_length=limit("confidential_notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Seen only by the responsible staff member, managers and owners."),
    )
    marketing_consent = forms.BooleanField(label=_("Agrees to marketing messages"), required=False)
    photo_consent = forms.BooleanField(label=_("Agrees to photos"), required=False)
    service_notices = forms.BooleanField(
        label=_("Gets notices of card and package deductions"), required=False, initial=True
    )

    def __init__(
        self, *args: Any, actor: User, customer: Customer | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # Field-level rules (accounts.policy): a field the actor may not see is not on the form;
        # one they may see but not change (key-account flag, responsible person) is read-only.
        if customer is not None:
            visible = selectors.visible_fields(actor, customer, full_file=True)
        else:
            visible = frozenset(self.fields) - (
                frozenset() if policy.reads_every_key_account(actor) else policy.CONFIDENTIAL_FIELDS
            )
        for name in [n for n in self.fields if n in policy.CONFIDENTIAL_FIELDS]:
            if name not in visible:
                del self.fields[name]
        if not policy.can(actor, Cap.CUSTOMER_GRANT_DECIDE):
            # new customers too: whoever may not decide key accounts may not make one
            self.fields["is_key_account"].disabled = True
        if customer is not None and not policy.can(actor, CustomerCap.CUSTOMER_HANDOVER):
            self.fields["owner_id"].disabled = True
        self.fields["branch_id"].choices = [  # type: ignore[attr-defined]
            (b.pk, b.name) for b in account_selectors.branch_choices(actor=actor)
        ]
        # Only staff who look after customers, of the customer's branch (a new one: of the
        # actor's branches); the one already responsible stays listed so the form keeps them.
        offered = list(
            account_selectors.staff_for_work(
                actor=actor,
                capability=CustomerCap.CUSTOMER_EDIT,
                branch_id=customer.branch_id if customer is not None else None,
            )
        )
        if customer is not None and customer.owner is not None and customer.owner not in offered:
            offered.append(customer.owner)
        self.fields["owner_id"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (u.pk, f"{u} ({u.get_role_display()})") for u in offered
        ]

    @staticmethod
    def initial_for(customer: Customer) -> dict[str, Any]:
        data = {
            f: getattr(customer, f)
            for f in (
                "name",
                "gender",
                "birthday",
                "address_as",
                "mobile",
                "wechat_id",
                "card_no",
                "branch_id",
                "owner_id",
                "is_key_account",
                "source",
                "referrer_id",
                "skin_type",
                "hair_type",
                "allergies",
                "contraindications",
                "preferences",
                "notes",
                "confidential_notes",
                "marketing_consent",
                "photo_consent",
                "service_notices",
            )
        }
        data["tags"] = ", ".join(sorted(t.name for t in customer.tags.all()))
        return data

    def parse(self, *, changed_only: bool = False) -> CustomerPatch:
        """The typed input the POST carries: the fields this form lets the actor change (only
        those changed from the initial values if `changed_only`); refused values raise a
        ValidationError by field, for `add_service_errors`."""
        names = [n for n, f in self.fields.items() if not f.disabled]
        if changed_only:
            names = [n for n in names if n in self.changed_data]
        return inputs.parse_form(CustomerPatch, self.data, fields=names, comma=["tags"])

    def add_service_errors(self, exc: ValidationError) -> None:
        """Show refused values beside their fields (the form itself validates nothing: the
        typed input and the service do)."""
        if self.__dict__.get("_errors") is None:
            self._errors = ErrorDict()
            self.cleaned_data = {}
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, exc)


class PhotoForm(forms.Form):
    image = forms.ImageField(label=_("Photo"))
    kind = forms.ChoiceField(label=_("Kind"), choices=PhotoKind.choices)
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)
    taken_on = inputs.DayField(label=_("Taken on"), required=False, widget=IsoDateInput())

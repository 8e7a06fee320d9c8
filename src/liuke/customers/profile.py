"""One customer's profile, fetched once per page and handed to every section (after Saleor's
fetch-once `CheckoutInfo`, `checkout/fetch.py`).

`customer_profile` reads the scoped row, decides full file or card with the facts that decision
needs (the grant in force, whether the actor serves the customer), works out the visible fields
and the mobile as this staff member may see it, and records the read. The profile page, its own
sections and every app's panel (`core.registry.ProfilePanel`) take the `CustomerProfile` instead
of fetching the customer again or asking the policy again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from liuke.accounts import policy
from liuke.accounts.http import StaffRequest
from liuke.accounts.models import User
from liuke.audit.choices import Action
from liuke.audit.log import audit_record
from liuke.core.registry import PanelContent, ProfilePanel, import_dotted, profile_panels
from liuke.customers.models import AccessGrant, Customer, FieldChange
from liuke.customers.selectors import CustomerFile, customer_file, file_history

#: Panels ordered below this come first on the profile, before the identity details: what the
#: front desk needs on a tablet's first screen (balances, packages, visits; open complaints and
#: follow-ups). The others follow the identity and data-quality cards.
FIRST_SCREEN_ORDER = 40


@dataclass(frozen=True)
class CustomerProfile:
    """A customer as one staff member may see them, fetched once: the file (row, full or card,
    visible fields, the grant read on) and the mobile as shown to them."""

    actor: User
    file: CustomerFile
    mobile: str

    @property
    def customer(self) -> Customer:
        return self.file.customer

    @property
    def full(self) -> bool:
        return self.file.full

    @property
    def fields(self) -> frozenset[str]:
        return self.file.fields

    @property
    def grant(self) -> AccessGrant | None:
        return self.file.grant

    def shows(self, field: str) -> bool:
        return self.file.shows(field)


def customer_profile(
    *, actor: User, customer_id: int | str, purpose: str = "profile"
) -> CustomerProfile:
    """The profile of one customer for `actor`: one scoped read, one decision (audited as a read
    of `purpose`)."""
    file = customer_file(actor=actor, customer_id=customer_id, purpose=purpose)
    mobile = policy.present_customer_mobile(actor, file.customer, full_file=file.full)
    return CustomerProfile(actor=actor, file=file, mobile=mobile)


def profile_history(profile: CustomerProfile, limit: int = 200) -> list[FieldChange]:
    """The profile's change history, from the fetched file (full files only)."""
    return file_history(actor=profile.actor, file=profile.file, limit=limit)


@dataclass(frozen=True)
class RenderedPanel:
    """A panel as the profile page places it."""

    panel: ProfilePanel
    html: SafeString


def _content(
    panel: ProfilePanel, request: StaffRequest, profile: CustomerProfile
) -> PanelContent | None:
    render: Callable[[StaffRequest, CustomerProfile], PanelContent | None] = import_dotted(
        panel.render
    )
    return render(request, profile)


def _html(request: StaffRequest, profile: CustomerProfile, content: PanelContent) -> SafeString:
    context: dict[str, Any] = {"customer": profile.customer, "profile": profile}
    context.update(content.context)
    # Rendered by Django's template engine, which escapes what the panel's context holds.
    return mark_safe(render_to_string(content.template, context, request=request))  # noqa: S308


def panels_for(request: StaffRequest, profile: CustomerProfile) -> list[RenderedPanel]:
    """The registry's panels this staff member may see on this profile, rendered in order, in
    this request; recorded as one read naming every panel shown (the request's one event)."""
    actor = profile.actor
    out: list[RenderedPanel] = []
    for panel in profile_panels():
        if panel.capability is not None and not policy.can(actor, panel.capability):
            continue
        content = _content(panel, request, profile)
        if content is not None:
            out.append(RenderedPanel(panel, _html(request, profile, content)))
    if out:
        audit_record(
            actor=actor,
            action=Action.VIEW,
            customer_ids=[profile.customer.pk],
            fields=[r.panel.key for r in out],
        )
    return out


def panel_response(request: StaffRequest, key: str, customer_id: int) -> HttpResponse:
    """One panel alone (its `url_name`), to refresh it: the profile fetched for that panel, the
    panel rendered from it; empty when it has nothing to show."""
    panel = next(p for p in profile_panels() if p.key == key)
    if panel.capability is not None:
        policy.require(request.user, panel.capability)
    profile = customer_profile(actor=request.user, customer_id=customer_id, purpose=key)
    content = _content(panel, request, profile)
    if content is None:
        return HttpResponse("")
    return HttpResponse(_html(request, profile, content))

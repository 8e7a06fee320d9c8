"""The pages of setting up a business: branches, staff (with their invitation links), the
first-run checklist, and the public page where an invited staff member sets their password.

Thin: parse (`liuke.core.inputs.parse_form`), call the service (`liuke.accounts.setup`), render.
A form that was refused is shown again with its errors beside the fields; an htmx request
gets the form's partial only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from liuke.accounts import policy, selectors
from liuke.accounts.choices import Role
from liuke.accounts.http import StaffRequest, staff_view
from liuke.accounts.schemas import BranchIn, BranchPatch, PasswordIn, StaffInviteIn, StaffPatch
from liuke.accounts.setup import branches as branch_services
from liuke.accounts.setup import checklist as checklist_services
from liuke.accounts.setup import invites
from liuke.accounts.setup import staff as staff_services
from liuke.core.inputs import NON_FIELD, parse_form
from liuke.core.registry import import_dotted, registry

Cap = policy.Cap

#: The branch form's fields, in the order the page shows them.
BRANCH_FIELDS = (
    "name", "code", "address", "phone", "time_zone", "opens_at", "closes_at",
    "receipt_header", "receipt_footer",
)  # fmt: skip


#: The branch form's labels and input types.
BRANCH_LABELS = {
    "name": (_lazy("Name"), "text"),
    "code": (_lazy("Code (empty: the next free one)"), "text"),
    "address": (_lazy("Address"), "text"),
    "phone": (_lazy("Phone"), "tel"),
    "time_zone": (_lazy("Time zone"), "text"),
    "opens_at": (_lazy("Opens at (empty: the business's hours)"), "time"),
    "closes_at": (_lazy("Closes at"), "time"),
    "receipt_header": (_lazy("Receipt header"), "text"),
    "receipt_footer": (_lazy("Receipt footer"), "text"),
}


def _branch_rows(
    fields: Iterable[str], values: Mapping[str, Any], errors: Mapping[str, list[str]]
) -> list[dict[str, Any]]:
    """The branch form's boxes: name, label, input type, value, errors."""
    rows = []
    for name in fields:
        label, kind = BRANCH_LABELS[name]
        value = values.get(name)
        if isinstance(value, dt.time):
            value = value.strftime("%H:%M")
        rows.append(
            {"name": name, "label": label, "type": kind, "value": value or "",
             "errors": errors.get(name, [])}
        )  # fmt: skip
    return rows


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    """Messages by field; those of no single field under "general" (templates cannot read
    Django's "__all__")."""
    if not hasattr(exc, "error_dict"):
        return {"general": [str(m) for m in exc.messages]}
    return {
        "general" if field == NON_FIELD else field: [str(m) for m in ValidationError(e).messages]
        for field, e in exc.error_dict.items()
    }


# --- branches ----------------------------------------------------------------------------------


def _branch_page(request: StaffRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    actor = request.user
    errors = context.get("errors", {})
    values = context.get("posted") or {"time_zone": "Asia/Shanghai"}
    context = {
        "branches": selectors.branch_list(actor=actor),
        "may_add": policy.can(actor, Cap.SETTINGS_MANAGE),
        "errors": errors,
        "rows": _branch_rows(BRANCH_FIELDS, values, errors),
    }
    return render(request, "accounts/branches.html", context, status=status)


@staff_view(cap=Cap.BRANCH_EDIT)
@require_http_methods(["GET", "POST"])
def branches(request: StaffRequest) -> HttpResponse:
    """The business's branches, and (owners) a form to add one."""
    if request.method == "POST":
        try:
            branch = branch_services.branch_create(
                actor=request.user, data=parse_form(BranchIn, request.POST, fields=BRANCH_FIELDS)
            )
        except ValidationError as exc:
            return _branch_page(request, {"posted": request.POST, "errors": _errors(exc)}, 400)
        messages.success(request, _("Branch %(name)s added.") % {"name": branch.name})
        return redirect("accounts:branches")
    return _branch_page(request, {})


@staff_view(cap=Cap.BRANCH_EDIT)
@require_http_methods(["GET", "POST"])
def branch_edit(request: StaffRequest, branch_id: int) -> HttpResponse:
    """One branch's details; a manager changes its counter details only."""
    actor = request.user
    branch = selectors.branch_get(actor=actor, branch_id=branch_id)
    editable = policy.branch_fields_editable(actor)
    fields = [f for f in BRANCH_FIELDS if editable is None or f in editable]
    errors: dict[str, list[str]] = {}
    posted: Any = {}
    if request.method == "POST":
        try:
            branch_services.branch_update(
                actor=actor,
                branch_id=branch.pk,
                data=parse_form(BranchPatch, request.POST, fields=fields),
            )
        except ValidationError as exc:
            errors, posted = _errors(exc), request.POST
        else:
            messages.success(request, _("Saved."))
            return redirect("accounts:branch", branch_id=branch.pk)
    values = posted or {name: getattr(branch, name) for name in fields}
    return render(
        request,
        "accounts/branch.html",
        {"branch": branch, "rows": _branch_rows(fields, values, errors), "errors": errors,
         "may_close": policy.can(actor, Cap.SETTINGS_MANAGE)},
        status=400 if errors else 200,
    )  # fmt: skip


@staff_view
@require_POST
def branch_close(request: StaffRequest, branch_id: int) -> HttpResponse:
    request.back = reverse("accounts:branch", args=[branch_id])
    branch = branch_services.branch_close(actor=request.user, branch_id=branch_id)
    messages.success(request, _("Branch %(name)s is closed.") % {"name": branch.name})
    return redirect("accounts:branches")


@staff_view
@require_POST
def branch_reopen(request: StaffRequest, branch_id: int) -> HttpResponse:
    request.back = reverse("accounts:branch", args=[branch_id])
    branch = branch_services.branch_reopen(actor=request.user, branch_id=branch_id)
    messages.success(request, _("Branch %(name)s is open again.") % {"name": branch.name})
    return redirect("accounts:branches")


# --- staff -------------------------------------------------------------------------------------


def _role_choices(actor: Any) -> list[tuple[str, str]]:
    allowed = policy.grantable_roles(actor)
    return [(value, str(label)) for value, label in Role.choices if value in allowed]


@staff_view(cap=Cap.STAFF_VIEW)
@require_http_methods(["GET", "POST"])
def staff(request: StaffRequest) -> HttpResponse:
    """The staff of the business (of one's branches for managers), and a form to invite one:
    the answer shows their one-time link to copy and pass on."""
    actor = request.user
    context: dict[str, Any] = {"posted": {}, "errors": {}, "link": None, "invited": None}
    status = 200
    if request.method == "POST":
        try:
            member, link = staff_services.staff_invite(
                actor=actor, data=parse_form(StaffInviteIn, request.POST)
            )
        except ValidationError as exc:
            context.update(posted=request.POST, errors=_errors(exc))
            status = 400
        else:
            context.update(link=link, invited=member)
    open_branches = list(selectors.branch_choices(actor=actor))
    posted = context["posted"]
    context.update(
        members=selectors.staff_list(actor=actor),
        roles=_role_choices(actor),
        branches=open_branches,
        checked={_int(v) for v in posted.getlist("branch_ids")}
        if posted
        else {b.pk for b in open_branches if len(open_branches) == 1},
        may_invite=policy.can(actor, Cap.STAFF_MANAGE),
    )
    template = "accounts/partials/invite.html" if request.htmx else "accounts/staff.html"
    return render(request, template, context, status=status)


def _member_page(
    request: StaffRequest, member: Any, *, errors: dict[str, list[str]], link: str | None = None
) -> HttpResponse:
    actor = request.user
    return render(
        request,
        "accounts/staff_member.html",
        {
            "member": member,
            "member_branches": {b.pk for b in member.branches.all()},
            "may_manage": selectors.may_manage(actor=actor, member=member),
            "roles": _role_choices(actor),
            "branches": selectors.branch_choices(actor=actor),
            "successors": selectors.staff_choices(actor=actor).exclude(pk=member.pk),
            "errors": errors,
            "link": link,
            "invited": member,
            # the other apps' sections about this staff member (a commission plan …)
            "sections": [
                import_dotted(section)(request=request, member=member)
                for section in registry.items("staff_sections")
            ],
        },
        status=400 if errors else 200,
    )


@staff_view(cap=Cap.STAFF_VIEW)
@require_http_methods(["GET", "POST"])
def staff_edit(request: StaffRequest, staff_id: int) -> HttpResponse:
    """One staff member: name, role, branches; a new link; leaving (with the handover)."""
    actor = request.user
    member = selectors.staff_get(actor=actor, staff_id=staff_id)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            staff_services.staff_update(
                actor=actor, staff_id=member.pk, data=parse_form(StaffPatch, request.POST)
            )
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("accounts:staff_member", staff_id=member.pk)
    return _member_page(request, member, errors=errors)


@staff_view
@require_POST
def staff_leave(request: StaffRequest, staff_id: int) -> HttpResponse:
    request.back = reverse("accounts:staff_member", args=[staff_id])
    moved = staff_services.staff_leave(
        actor=request.user,
        staff_id=staff_id,
        data={
            "successor_id": _int(request.POST.get("successor_id")) or None,
            "reason": request.POST.get("reason", ""),
        },
    )
    messages.success(request, _("They have left; %(n)d customers were handed over.") % {"n": moved})
    return redirect("accounts:staff_member", staff_id=staff_id)


def _int(text: Any) -> int:
    """A picker's value; anything else is 0 (none chosen: the service says what is missing)."""
    return int(text) if isinstance(text, str) and text.isdigit() and len(text) < 19 else 0


@staff_view
@require_POST
def staff_rejoin(request: StaffRequest, staff_id: int) -> HttpResponse:
    request.back = reverse("accounts:staff_member", args=[staff_id])
    staff_services.staff_rejoin(actor=request.user, staff_id=staff_id)
    messages.success(request, _("They are back."))
    return redirect("accounts:staff_member", staff_id=staff_id)


@staff_view
@require_POST
def staff_link(request: StaffRequest, staff_id: int) -> HttpResponse:
    """A new one-time link, shown once to copy."""
    request.back = reverse("accounts:staff_member", args=[staff_id])
    link = staff_services.staff_invite_again(actor=request.user, staff_id=staff_id)
    member = selectors.staff_get(actor=request.user, staff_id=staff_id)
    if request.htmx:
        return render(request, "accounts/partials/link.html", {"link": link, "invited": member})
    return _member_page(request, member, errors={}, link=link)


# --- the first-run checklist -------------------------------------------------------------------


@staff_view(cap=Cap.SETTINGS_MANAGE)
def checklist(request: StaffRequest) -> HttpResponse:
    return render(
        request,
        "accounts/checklist.html",
        {
            "checklist": checklist_services.checklist(actor=request.user),
            **checklist_services.public_address(),
        },
    )


@staff_view(cap=Cap.SETTINGS_MANAGE)
def checklist_home(request: StaffRequest) -> HttpResponse:
    """The checklist as the home page shows it (loaded by htmx): nothing once it is done or
    hidden."""
    found = checklist_services.checklist(actor=request.user)
    return render(
        request,
        "accounts/partials/checklist_home.html",
        {"checklist": found if found is not None and found.shown else None},
    )


@staff_view
@require_POST
def checklist_tick(request: StaffRequest) -> HttpResponse:
    request.back = reverse("accounts:checklist")
    checklist_services.checklist_tick(
        actor=request.user,
        key=request.POST.get("key", "")[:40],
        done=request.POST.get("done", "1") == "1",
    )
    return redirect("accounts:checklist")


@staff_view
@require_POST
def checklist_hide(request: StaffRequest) -> HttpResponse:
    request.back = reverse("accounts:checklist")
    hidden = request.POST.get("hidden", "1") == "1"
    checklist_services.checklist_dismiss(actor=request.user, hidden=hidden)
    if hidden:
        messages.success(request, _("The checklist is hidden; it stays under Settings."))
    return redirect("accounts:checklist")


# --- the public page: an invited staff member sets their password -------------------------------


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def welcome(request: HttpRequest, token: str) -> HttpResponse:
    """No login: the invitation's signed token is the key. A link that does not work gets the
    same 404 page whatever the reason."""
    invite = invites.invite_open(token)
    if invite is None:
        response = render(request, "accounts/welcome_invalid.html", status=404)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            user = invites.invite_accept(signed=token, data=parse_form(PasswordIn, request.POST))
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(
                request,
                _("Your password is set. Log in with %(login)s and your new password.")
                % {"login": user.username},
            )
            return redirect("web:login")
    response = render(
        request,
        "accounts/welcome.html",
        {"member": invite.user, "business": invite.user.business, "errors": errors},
        status=400 if errors else 200,
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response

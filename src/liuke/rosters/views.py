"""The roster pages: a branch's week (each staff member's working spans and breaks per
weekday, the exceptions ahead), a staff member's roster with a form per weekday and the
exceptions of single days. Thin: parse (`liuke.core.inputs.parse_post`), call the service
(`rosters.services`), redirect back; a refusal comes back as the page's message (the error
middleware). The forms are boosted by htmx, like the set-up pages."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liuke.accounts import selectors as account_selectors
from liuke.accounts.http import StaffRequest, staff_view
from liuke.core.inputs import parse_post
from liuke.rosters import selectors, services
from liuke.rosters.capabilities import RosterCap
from liuke.rosters.choices import ExceptionKind, Weekday
from liuke.rosters.schemas import DayForm, ExceptionIn

#: Empty boxes a weekday's form offers beyond the spans it has.
SPARE_WORK, SPARE_BREAKS = 1, 1


@staff_view(cap=RosterCap.ROSTER_VIEW)
def roster_index(request: StaffRequest) -> HttpResponse:
    """The roster of the actor's first branch (the page links to the others)."""
    branch = account_selectors.branch_choices(actor=request.user).order_by("id").first()
    if branch is None:
        raise Http404
    return redirect("rosters:branch", branch_id=branch.pk)


def _context(request: StaffRequest, branch_id: int, staff_id: int | None) -> dict[str, object]:
    found = selectors.branch_roster(
        actor=request.user, branch_id=branch_id, since=timezone.localdate(), staff_id=staff_id
    )
    return {
        "roster": found,
        "branches": account_selectors.branch_choices(actor=request.user).order_by("id"),
        "weekdays": Weekday.choices,
        "kinds": ExceptionKind.choices,
        "hours": found.branch.hours(),
    }


@staff_view(cap=RosterCap.ROSTER_VIEW)
def roster_branch(request: StaffRequest, branch_id: int) -> HttpResponse:
    """The branch's week: a row per staff member, a column per weekday."""
    return render(request, "rosters/branch.html", _context(request, branch_id, None))


@staff_view(cap=RosterCap.ROSTER_VIEW)
def roster_staff(request: StaffRequest, branch_id: int, staff_id: int) -> HttpResponse:
    """One staff member's roster at the branch: a form per weekday, the exceptions ahead."""
    context = _context(request, branch_id, staff_id)
    found = context["roster"]
    assert isinstance(found, selectors.BranchRoster)
    if not found.weeks:
        raise Http404
    week = found.weeks[0]
    context["week"] = week
    context["days"] = [
        (
            value,
            label,
            [*week.work.get(value, []), *[None] * SPARE_WORK],
            [*week.breaks.get(value, []), *[None] * SPARE_BREAKS],
        )
        for value, label in Weekday.choices
    ]
    return render(request, "rosters/staff.html", context)


def _back(request: StaffRequest, branch_id: int, staff_id: int) -> None:
    request.back = reverse("rosters:staff", args=[branch_id, staff_id])


@staff_view
@require_POST
def roster_day(request: StaffRequest, branch_id: int, staff_id: int, weekday: int) -> HttpResponse:
    _back(request, branch_id, staff_id)
    form = parse_post(DayForm, request.POST)
    if len(form.work_from) != len(form.work_until) or len(form.break_from) != len(form.break_until):
        # a start without an end (or the reverse): the service refuses a span without length
        form.work_until = (form.work_until + form.work_from)[: len(form.work_from)]
        form.break_until = (form.break_until + form.break_from)[: len(form.break_from)]
    services.roster_day_set(
        actor=request.user,
        staff_id=staff_id,
        branch_id=branch_id,
        weekday=weekday,
        work=list(zip(form.work_from, form.work_until, strict=True)),
        breaks=list(zip(form.break_from, form.break_until, strict=True)),
    )
    messages.success(request, _("%(day)s saved.") % {"day": Weekday(weekday).label})
    return redirect(request.back)


@staff_view
@require_POST
def exception_add(request: StaffRequest, branch_id: int, staff_id: int) -> HttpResponse:
    _back(request, branch_id, staff_id)
    form = parse_post(ExceptionIn, request.POST)
    services.roster_exception_add(
        actor=request.user,
        staff_id=staff_id,
        branch_id=branch_id,
        day=form.day,
        kind=form.kind,
        span=form.span(),
        every_branch=form.every_branch,
        reason=form.reason,
    )
    messages.success(request, _("Exception added."))
    return redirect(request.back)


@staff_view
@require_POST
def exception_remove(request: StaffRequest, exception_id: int) -> HttpResponse:
    back = request.POST.get("next", "")
    request.back = back if back.startswith("/rosters/") else reverse("rosters:index")
    services.roster_exception_remove(actor=request.user, exception_id=exception_id)
    messages.success(request, _("Exception taken back."))
    return redirect(request.back)

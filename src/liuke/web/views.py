from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liuke.accounts import policy
from liuke.accounts import selectors as account_selectors
from liuke.accounts import views as account_views
from liuke.accounts.http import StaffRequest, staff_view
from liuke.accounts.policy import Cap
from liuke.customers import selectors
from liuke.web.today import sections_for


def home(request: HttpRequest) -> HttpResponse:
    """A logged-out visitor's front page is the login page."""
    if policy.is_staff_member(request.user):
        return redirect("web:today")
    return cast(HttpResponse, account_views.LoginView.as_view()(request))


@staff_view
def today(request: StaffRequest) -> HttpResponse:
    """The staff's landing page: their day, in the sections the apps contribute for them."""
    return render(request, "web/today.html", {"sections": sections_for(request)})


@staff_view(cap=Cap.BRANCH_STATS_VIEW)
def branches(request: StaffRequest) -> HttpResponse:
    actor = request.user
    staff = account_selectors.staff_choices(actor=actor).prefetch_related("branches")
    return render(
        request,
        "web/branches.html",
        {
            "quality": selectors.branch_quality(actor=actor),
            "trend": selectors.quality_trend(actor=actor),
            "staff": staff,
        },
    )


@staff_view(cap=Cap.BRANCH_STATS_VIEW)
@require_POST
def refresh_quality(request: StaffRequest) -> HttpResponse:
    """Queue today's data-quality snapshot on the job consumer (it also runs every night)."""
    from liuke.customers.tasks import data_quality_now

    data_quality_now()
    messages.success(request, _("Snapshot queued; it appears here within a few seconds."))
    return redirect("web:branches")


def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and the serve command: the app answers and the database too."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})

"""The public pages: a survey answered from its link, and a branch's suggestion box.

No login. Every way a link can be wrong (not ours, altered, unknown, expired, used) gets the
same page with the same status, so probing learns nothing. Forms carry Django's CSRF token;
submissions (and bad links) are counted per client address in the database (ratelimit.py) and
refused with 429 over the limit. Only the customer's given name and the branch's name are
shown; the URL holds an opaque signed token and nothing else.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from liuke.accounts.branding import public_brand
from liuke.core.clientaddr import client_address
from liuke.core.errors import ServiceError
from liuke.feedback import ratelimit, services
from liuke.feedback.errors import FeedbackErrorCode
from liuke.feedback.models import SurveyInvitation

SCORES = {
    "satisfaction": range(1, 6),
    "recommend": range(0, 11),
    "ease": range(1, 6),
    "staff_rating": range(1, 6),
}


def greeting_name(customer: Any) -> str:
    """How the public survey page greets the customer: 张女士, or nobody by name."""
    return str(customer.salutation) if customer.gender in ("F", "M") else ""


def _headers(response: HttpResponse) -> HttpResponse:
    # The site-wide Referrer-Policy (same-origin) already keeps the token in the address from
    # other sites; "no-referrer" would make browsers send `Origin: null` with the form, which
    # Django's CSRF check rightly refuses.
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _gone(request: HttpRequest) -> HttpResponse:
    return _headers(render(request, "feedback/public/invalid.html", status=404))


def _limited(request: HttpRequest) -> HttpResponse:
    return _headers(render(request, "feedback/public/limited.html", status=429))


def _allowed(request: HttpRequest, scope: str) -> bool:
    return ratelimit.hit(scope, client_address(request))


def _survey_context(invitation: SurveyInvitation) -> dict[str, Any]:
    config = services.survey_settings(invitation.business_id)
    return {
        # surname and 女士/先生; no name at all when the gender is not given (a forwarded
        # link must not show the customer's full name)
        "first_name": greeting_name(invitation.customer),
        "branch_name": invitation.branch.name,
        **public_brand(invitation.business),
        "staff_name": str(invitation.staff) if invitation.staff_id and config.ask_staff else "",
        "config": config,
        "scores": SCORES,
    }


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.survey_open(token)
    if invitation is None:
        if not _allowed(request, "bad_link"):
            return _limited(request)
        return _gone(request)
    context = _survey_context(invitation)
    if request.method == "POST":
        if not _allowed(request, "survey"):
            return _limited(request)
        try:
            services.survey_answer(signed=token, data=request.POST.dict())
        except ServiceError as exc:
            if exc.code == FeedbackErrorCode.LINK_INVALID:
                return _gone(request)
            context.update(error=exc.message, field_errors=exc.fields, posted=request.POST)
            return _headers(render(request, "feedback/public/survey.html", context, status=400))
        return _headers(
            render(
                request,
                "feedback/public/thanks.html",
                {k: context[k] for k in ("branch_name", "salon_name", "salon_logo_url")},
            )
        )
    return _headers(render(request, "feedback/public/survey.html", context))


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def box(request: HttpRequest, token: str) -> HttpResponse:
    found = services.box_open(token)
    if found is None:
        if not _allowed(request, "bad_link"):
            return _limited(request)
        return _gone(request)
    context: dict[str, Any] = {
        "branch_name": found.branch.name,
        **public_brand(found.branch.business),
    }
    if request.method == "POST":
        if not _allowed(request, "suggestion"):
            return _limited(request)
        try:
            services.suggestion_submit(
                signed=token,
                body=request.POST.get("body", ""),
                contact_name=request.POST.get("contact_name", ""),
                contact_phone=request.POST.get("contact_phone", ""),
            )
        except ServiceError as exc:
            if exc.code == FeedbackErrorCode.LINK_INVALID:
                return _gone(request)
            context.update(error=exc.message, field_errors=exc.fields, posted=request.POST)
            return _headers(render(request, "feedback/public/box.html", context, status=400))
        return _headers(render(request, "feedback/public/thanks.html", context))
    return _headers(render(request, "feedback/public/box.html", context))

"""The typed request a staff page receives, the one decorator that hands it over, and the typed
actor of an API operation.

A page is written as::

    @staff_view(cap=Cap.CUSTOMER_VIEW)          # a read: the page checks the capability
    def customer_list(request: StaffRequest) -> HttpResponse:
        page = selectors.customer_list(actor=request.user, ...)

    @staff_view                                  # a write: the service is the only gate
    @require_POST
    def card_topup(request: StaffRequest, card_id: int) -> HttpResponse:
        request.back = reverse("sales:card", args=[card_id])
        card = services.card_topup(actor=request.user, ...)

Refusals are not caught in the view: `liuke.core.middleware.PageErrorMiddleware` turns them into
the answer (404, 403, or a message and a redirect to `request.back`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Concatenate, ParamSpec, TypeVar, cast, overload

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from liuke.accounts import policy
from liuke.accounts.models import User
from liuke.core.errors import CapabilityDenied
from liuke.core.registry import Capability

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

P = ParamSpec("P")
R = TypeVar("R", bound=HttpResponseBase)

StaffView = Callable[Concatenate["StaffRequest", P], R]
PlainView = Callable[Concatenate[HttpRequest, P], R]


class StaffRequest(HttpRequest):
    """A request from a logged-in, active staff member of a business (only `staff_view`
    hands one out; the class exists for the type checker, the object is Django's own)."""

    user: User
    htmx: HtmxDetails
    #: Where a refused write returns to (set by the view before it calls the service; the
    #: exception middleware reads it). A safe `next` in the form wins over it.
    back: str


@overload
def staff_view(view: StaffView[P, R], /) -> PlainView[P, R]: ...


@overload
def staff_view(
    *, cap: Capability | None = None, any_cap: tuple[Capability, ...] = ()
) -> Callable[[StaffView[P, R]], PlainView[P, R]]: ...


def staff_view(
    view: StaffView[P, R] | None = None,
    /,
    *,
    cap: Capability | None = None,
    any_cap: tuple[Capability, ...] = (),
) -> PlainView[P, R] | Callable[[StaffView[P, R]], PlainView[P, R]]:
    """A page for staff: an anonymous visitor is sent to the login page, anyone who is not an
    active staff member of a business is refused, and so is a staff member without `cap` (or
    without any one of `any_cap`). A refusal answers 404, like a missing page.

    Give `cap` only to a page that reads (or a form page whose GET shows what only that
    capability may see); a write's service checks its own capability, and a check here
    would be a second rule that can drift from the first."""

    def decorate(fn: StaffView[P, R]) -> PlainView[P, R]:
        @functools.wraps(fn)
        def wrapper(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> R:
            user = request.user
            if not user.is_authenticated:
                return cast(R, redirect_to_login(request.get_full_path()))
            if not policy.is_staff_member(user):
                raise CapabilityDenied()
            if second_factor_pending(user):
                # The middleware sends them to the code page first; this holds without it.
                return cast(R, redirect_to_login(request.get_full_path(), _VERIFY_URL))
            if cap is not None:
                policy.require(user, cap)
            if any_cap and not any(policy.can(user, c) for c in any_cap):
                raise CapabilityDenied()
            return fn(cast(StaffRequest, request), *args, **kwargs)

        return wrapper

    return decorate(view) if view is not None else decorate


#: The second step of the login (web:login_verify); a literal, since accounts sits below web.
_VERIFY_URL = "/login/verify/"


def second_factor_pending(user: object) -> bool:
    """True for a user with two-factor login on whose session has not entered its code yet.

    django-otp's middleware gives the request's user `is_verified()`; a user object that did
    not pass through it (or whatever else it is) counts as not verified: fail closed."""
    if not getattr(user, "two_factor_enabled", False):
        return False
    is_verified = getattr(user, "is_verified", None)
    return not (callable(is_verified) and is_verified() is True)


def api_actor(request: HttpRequest) -> User:
    """The staff member an API operation acts for (the operation's authentication put them in
    `request.auth`, and only returns a staff member)."""
    actor = getattr(request, "auth", None)
    if not isinstance(actor, User):
        raise TypeError("api_actor() is only called behind the staff authentication")
    return actor

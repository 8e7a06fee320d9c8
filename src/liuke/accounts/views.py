"""The staff member's own account pages: logging in and out, the second factor, personal API
tokens, the business settings."""

from __future__ import annotations

import math
from typing import cast

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from liuke.accounts import policy, services, throttle
from liuke.accounts.branding import public_brand
from liuke.accounts.forms import BusinessSettingsForm
from liuke.accounts.http import StaffRequest, staff_view
from liuke.accounts.models import ApiToken, Business, User
from liuke.accounts.setup.checklist import public_address
from liuke.core.clientaddr import client_address


@staff_view
@require_http_methods(["GET", "POST"])
def tokens(request: StaffRequest) -> HttpResponse:
    actor = request.user
    secret = None
    error = None
    if request.method == "POST":
        try:
            token, secret = services.api_token_create(
                actor=actor, name=request.POST.get("name", "")[:200]
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Token %(name)s created.") % {"name": token.name})
    qs = ApiToken.objects.select_related("user")
    if policy.sees_business_tokens(actor):
        qs = qs.filter(user__business_id=policy.business_of(actor))
    else:
        qs = qs.filter(user=actor)
    return render(
        request,
        "accounts/tokens.html",
        {"tokens": qs[:200], "secret": secret, "error": error},
    )


@staff_view
@require_POST
def token_revoke(request: StaffRequest, token_id: int) -> HttpResponse:
    token = services.api_token_revoke(actor=request.user, token_id=token_id)
    messages.success(request, _("Token %(name)s revoked.") % {"name": token.name})
    return redirect("accounts:tokens")


@staff_view(cap=policy.Cap.SETTINGS_MANAGE)
@require_http_methods(["GET", "POST"])
def business_settings(request: StaffRequest) -> HttpResponse:
    """The owner's settings page: the business name and the rules other pages apply."""
    actor = request.user
    business = Business.objects.get(pk=policy.business_of(actor))
    if request.method == "POST":
        form = BusinessSettingsForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                services.business_update(actor=actor, name=data.pop("name"), **data)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Settings saved."))
                return redirect("accounts:settings")
    else:
        form = BusinessSettingsForm(initial=BusinessSettingsForm.initial_for(business))
    return render(
        request,
        "accounts/settings.html",
        {"form": form, "business": business, **public_address(), **public_brand(business)},
    )


def _qr_data_uri(text: str) -> str:
    import segno

    # a viewBox (omitsize), so the image scales to the size the page gives it, never clipped
    return str(segno.make(text, error="m").svg_data_uri(scale=4, border=2, omitsize=True))


@staff_view
@require_http_methods(["GET", "POST"])
def two_factor(request: StaffRequest) -> HttpResponse:
    """Turn two-factor login (a TOTP app such as Google Authenticator or 微信小程序 腾讯身份验证器)
    on or off."""
    actor = request.user
    error = None
    if request.method == "POST":
        try:
            if request.POST.get("action") == "disable":
                services.two_factor_disable(actor=actor, code=request.POST.get("code", "")[:20])
                messages.success(request, _("Two-factor login is off."))
            else:
                services.two_factor_enable(actor=actor, code=request.POST.get("code", "")[:20])
                from django_otp import login as otp_login

                otp_login(request, services.two_factor_device(actor=actor))
                messages.success(request, _("Two-factor login is on."))
            return redirect("accounts:two_factor")
        except ValidationError as exc:
            error = " ".join(exc.messages)
    device = services.two_factor_device(actor=actor)
    context: dict[str, object] = {"device": device, "error": error}
    if not device.confirmed:
        import base64

        context["secret"] = base64.b32encode(device.bin_key).decode("ascii")
        context["qr"] = _qr_data_uri(device.config_url)
    return render(request, "accounts/two_factor.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of the login: a code from the staff member's app."""
    from django.utils.http import url_has_allowed_host_and_scheme
    from django_otp import login as otp_login
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = cast(User, request.user)
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    if not user.two_factor_enabled or user.is_verified():  # type: ignore[attr-defined]
        return redirect(next_url)
    error = None
    if request.method == "POST":
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        code = request.POST.get("code", "").strip()[:20]
        if device is not None and device.verify_is_allowed()[0] and device.verify_token(code):
            otp_login(request, device)
            return redirect(next_url)
        error = _("The code is wrong or has expired.")
    return render(request, "accounts/two_factor_verify.html", {"error": error, "next": next_url})


class LoginView(auth_views.LoginView):
    """The password step, throttled per account and per client address (accounts.throttle):
    while either is held back the attempt is refused unheard with 429 and `Retry-After`."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        username = str(request.POST.get("username", ""))[:150]
        address = client_address(request)
        known = throttle.known_device(request, username)
        wait = throttle.wait_seconds(username=username, address=address, known_device=known)
        if wait:
            return _held_back(request, wait)
        response = super().post(request, *args, **kwargs)
        if request.user.is_authenticated:
            throttle.login_succeeded(username=username)
            throttle.remember_device(request, response, username)
        else:
            throttle.login_failed(username=username, address=address)
        return response


def _held_back(request: HttpRequest, wait: int) -> HttpResponse:
    response = render(
        request, "web/locked_out.html", {"minutes": max(1, math.ceil(wait / 60))}, status=429
    )
    response["Retry-After"] = str(wait)
    return response


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("web:login")

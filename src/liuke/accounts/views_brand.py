"""The salon's logo: the owner uploads it on the settings page; its customers' pages fetch it."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from liuke.accounts import branding
from liuke.accounts.http import StaffRequest, staff_view
from liuke.accounts.models import Business


@staff_view
@require_POST
def logo_upload(request: StaffRequest) -> HttpResponse:
    request.back = "accounts:settings"
    upload = request.FILES.get("logo")
    if request.POST.get("remove") == "1":
        branding.logo_set(actor=request.user, upload=None)
        messages.success(request, _("Logo removed."))
    elif upload is None:
        messages.error(request, _("Choose a picture to upload."))
    else:
        branding.logo_set(actor=request.user, upload=upload.file, size=upload.size)
        messages.success(request, _("Logo saved."))
    return redirect("accounts:settings")


@require_GET
def brand_logo(request: HttpRequest, business_id: int) -> HttpResponse:
    """The logo a public page shows (no login: the salon shows it to everyone). Always a PNG
    that `branding.logo_png` wrote, served so that the browser cannot take it for anything
    else."""
    logo = Business.objects.filter(pk=business_id).values_list("logo", flat=True).first()
    if not logo:
        raise Http404
    response = HttpResponse(bytes(logo), content_type="image/png")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "public, max-age=86400"
    return response

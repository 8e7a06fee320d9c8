"""Public endpoints of delivery: the providers' webhooks (delivery reports, replies) and the
opt-out link a customer opens.

The SMS providers sign no callback, so a webhook's URL carries a long random token per channel
account, of which only the SHA-256 is stored (`channels.config.account_by_hook_token`); an
unknown token gets a 404 like any unknown page. Bodies are never logged (they hold mobiles).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from liuke.engagement import delivery, delivery_optout
from liuke.engagement.channels import ChannelError
from liuke.engagement.channels.config import account_by_hook_token, channel_of

MAX_BODY = 1_000_000


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "engagement/public/optout_invalid.html", status=404)


def _hook(request: HttpRequest, token: str, read: str) -> HttpResponse:
    """A provider's webhook: the account its URL token names, its body read by the account's
    channel (`read`: "receipts" or "inbound") and recorded; the answer the provider expects."""
    account = account_by_hook_token(token)
    if account is None:
        return _not_found(request)
    if request.method != "POST":
        return HttpResponse(status=405)
    if len(request.body) > MAX_BODY:
        return HttpResponse(status=413)
    channel = channel_of(account)
    try:
        if read == "receipts":
            delivery.receipts_record(account, channel.receipts(request.body))
        else:
            delivery_optout.replies_record(account, channel.inbound(request.body))
    except ChannelError:
        return HttpResponse(status=400)
    return JsonResponse(channel.webhook_answer())


@csrf_exempt
@require_http_methods(["GET", "POST"])
def receipts(request: HttpRequest, token: str) -> HttpResponse:
    return _hook(request, token, "receipts")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def replies(request: HttpRequest, token: str) -> HttpResponse:
    return _hook(request, token, "inbound")


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def optout(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks (a link preview or a mail scanner must not opt anyone out), POST records."""
    message = delivery_optout.link_message(token)
    if message is None or message.customer.anonymised_at is not None:
        return _not_found(request)
    context = {"branch_name": message.branch.name}
    if request.method == "POST":
        delivery_optout.link_opt_out(token)
        return render(request, "engagement/public/optout_done.html", context)
    return render(request, "engagement/public/optout.html", context)

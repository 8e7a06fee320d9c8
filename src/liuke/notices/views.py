"""The staff member's own notices: the list, and opening one (read, then on to where to act)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from liuke.accounts.http import StaffRequest, staff_view
from liuke.notices import selectors, services
from liuke.notices.capabilities import NoticeCap


@staff_view(cap=NoticeCap.NOTICE_VIEW)
def notice_list(request: StaffRequest) -> HttpResponse:
    notices = selectors.notices_for(actor=request.user)
    return render(request, "notices/list.html", {"notices": notices})


@staff_view
@require_POST
def notice_open(request: StaffRequest, notice_id: int) -> HttpResponse:
    request.back = "notices:list"
    notice = services.notice_open(actor=request.user, notice_id=notice_id)
    # The url was written by a sender of this site; checked again so a row can never redirect
    # elsewhere.
    if notice is None or not url_has_allowed_host_and_scheme(notice.url, allowed_hosts=None):
        return redirect("notices:list")
    return redirect(notice.url)


@staff_view
@require_POST
def notices_read(request: StaffRequest) -> HttpResponse:
    request.back = "notices:list"
    services.notices_read_all(actor=request.user)
    return redirect("notices:list")

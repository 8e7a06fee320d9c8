"""The import pages: upload → mapping → dry run → import with progress → the bad rows."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from liuke.accounts.http import StaffRequest, staff_view
from liuke.core.errors import CoreErrorCode, ServiceError
from liuke.core.spreadsheet import xlsx_response
from liuke.transfer import selectors, services
from liuke.transfer.capabilities import TransferCap
from liuke.transfer.choices import BatchStatus
from liuke.transfer.kinds import KINDS, kind_of
from liuke.transfer.report import issues_workbook

#: What each kind of import is called on the page.
KIND_NAMES = {
    "customers": gettext_lazy("Customers"),
    "cards": gettext_lazy("Stored-value cards"),
    "packages": gettext_lazy("Packages"),
    "visits": gettext_lazy("Visit history"),
    "appointments": gettext_lazy("Appointments"),
}


@staff_view(cap=TransferCap.DATA_IMPORT)
def batch_list(request: StaffRequest) -> HttpResponse:
    return render(
        request,
        "transfer/list.html",
        {
            "batches": selectors.batches(actor=request.user),
            "branches": selectors.usable_branches(actor=request.user),
            "kinds": [(kind, KIND_NAMES.get(kind, kind)) for kind in KINDS],
        },
    )


@staff_view(cap=TransferCap.DATA_IMPORT)
@require_POST
def batch_upload(request: StaffRequest) -> HttpResponse:
    request.back = reverse("transfer:list")
    upload = request.FILES.get("file")
    if upload is None:
        raise ServiceError(CoreErrorCode.REQUIRED, _("Choose a file."))
    branch_ids = [int(b) for b in request.POST.getlist("branch") if b.isdigit()]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload"
        with path.open("wb") as out:
            for block in upload.chunks():
                out.write(block)
        batch = services.batch_upload(
            actor=request.user,
            path=path,
            name=upload.name or "upload.csv",
            kind=request.POST.get("kind", "customers"),
            branch_ids=branch_ids,
            encoding=request.POST.get("encoding", ""),
        )
    return redirect("transfer:detail", batch.pk)


@staff_view(cap=TransferCap.DATA_IMPORT)
def batch_detail(request: StaffRequest, batch_id: int) -> HttpResponse:
    batch = selectors.batch_get(actor=request.user, batch_id=batch_id)
    columns = kind_of(batch.kind).columns
    return render(
        request,
        "transfer/detail.html",
        {
            "batch": batch,
            "columns": columns,
            "saved": selectors.saved_mappings(actor=request.user, kind=batch.kind),
            "working": batch.status in (BatchStatus.CHECKING, BatchStatus.RUNNING),
            "issues": batch.issues.all()[:50],
        },
    )


@staff_view(cap=TransferCap.DATA_IMPORT)
def batch_progress(request: StaffRequest, batch_id: int) -> HttpResponse:
    batch = selectors.batch_get(actor=request.user, batch_id=batch_id)
    working = batch.status in (BatchStatus.CHECKING, BatchStatus.RUNNING)
    response = render(
        request, "transfer/partials/progress.html", {"batch": batch, "working": working}
    )
    if not working:
        response["HX-Refresh"] = "true"  # the page shows the results once the step is done
    return response


@staff_view
@require_POST
def batch_mapping(request: StaffRequest, batch_id: int) -> HttpResponse:
    request.back = reverse("transfer:detail", args=[batch_id])
    saved_id = request.POST.get("saved", "")
    batch = selectors.batch_get(actor=request.user, batch_id=batch_id)
    if saved_id.isdigit():
        saved = selectors.saved_mappings(actor=request.user, kind=batch.kind).filter(pk=saved_id)
        mapping = dict(saved.first().mapping) if saved.exists() else {}  # type: ignore[union-attr]
    else:
        mapping = {h: request.POST.get(f"col{i}", "") for i, h in enumerate(batch.headers)}
    services.batch_map(
        actor=request.user,
        batch_id=batch_id,
        mapping=mapping,
        save_as=request.POST.get("save_as", ""),
    )
    services.batch_queue(actor=request.user, batch_id=batch_id, dry_run=True)
    return redirect(request.back)


@staff_view
@require_POST
def batch_start(request: StaffRequest, batch_id: int) -> HttpResponse:
    request.back = reverse("transfer:detail", args=[batch_id])
    services.batch_queue(actor=request.user, batch_id=batch_id, dry_run=False)
    return redirect(request.back)


@staff_view
@require_POST
def batch_undo(request: StaffRequest, batch_id: int) -> HttpResponse:
    request.back = reverse("transfer:detail", args=[batch_id])
    services.batch_undo(actor=request.user, batch_id=batch_id)
    messages.success(request, _("The import was undone."))
    return redirect(request.back)


@staff_view(cap=TransferCap.DATA_IMPORT)
def batch_errors(request: StaffRequest, batch_id: int) -> HttpResponse:
    batch = selectors.batch_get(actor=request.user, batch_id=batch_id)
    return xlsx_response(issues_workbook(batch), f"import-{batch.pk}-errors.xlsx")


@staff_view(cap=TransferCap.DATA_IMPORT)
def template_download(request: StaffRequest, kind: str, language: str) -> HttpResponse:
    if kind not in KINDS or language not in ("zh", "en"):
        raise Http404
    book = selectors.template_workbook(kind=kind, chinese=language == "zh")
    return xlsx_response(book, f"{kind}-template-{language}.xlsx")

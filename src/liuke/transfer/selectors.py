"""Reads of imports: the business's batches, one batch, its saved mappings, templates."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook

from liuke.accounts import policy
from liuke.accounts.models import Branch, User
from liuke.core.errors import NotFound
from liuke.transfer.capabilities import TransferCap
from liuke.transfer.kinds import kind_of
from liuke.transfer.models import ImportBatch, SavedMapping


def batches(*, actor: User, limit: int = 50) -> list[ImportBatch]:
    policy.require(actor, TransferCap.DATA_IMPORT)
    qs = ImportBatch.objects.filter(business_id=policy.business_of(actor))
    return list(qs.select_related("created_by")[:limit])


def batch_get(*, actor: User, batch_id: int) -> ImportBatch:
    policy.require(actor, TransferCap.DATA_IMPORT)
    batch = ImportBatch.objects.filter(pk=batch_id, business_id=policy.business_of(actor)).first()
    if batch is None:
        raise NotFound(_("No such import."))
    return batch


def saved_mappings(*, actor: User, kind: str) -> QuerySet[SavedMapping]:
    policy.require(actor, TransferCap.DATA_IMPORT)
    return SavedMapping.objects.filter(business_id=policy.business_of(actor), kind=kind).order_by(
        "name"
    )


def usable_branches(*, actor: User) -> list[Branch]:
    qs = Branch.objects.filter(business_id=policy.business_of(actor), is_active=True)
    return [b for b in qs.order_by("pk") if policy.may_use_branch(actor, b)]


def template_workbook(*, kind: str, chinese: bool) -> Any:
    """An empty file of the kind: its headers (Chinese or English) and one example row."""
    columns = kind_of(kind).columns
    book = Workbook()
    sheet = book.active
    sheet.append([c.label_zh if chinese else c.label_en for c in columns])
    sheet.append([c.example for c in columns])
    return book

"""The book page's blocks as HTML, built in Python: a day of 300 appointments would otherwise
cost the template engine most of the page's time (docs/benchmarks.md, "Appointment book").
Every value is escaped by `format_html`; the markup is the one book.js and book.css expect."""

from __future__ import annotations

from collections.abc import Collection

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from liuke.appointments.choices import AppointmentStatus
from liuke.appointments.grid import Block, Grid


def block_html(block: Block, *, movable: bool, status_label: str, gap_title: str) -> SafeString:
    item = block.item
    appointment = item.appointment
    gap = ""
    if block.gap_top is not None:
        gap = format_html(
            '<div class="appt-gap" data-top="{}" data-height="{}" title="{}"></div>',
            block.gap_top,
            block.gap_height,
            gap_title,
        )
    service = item.service.name + (f" · {item.resource.name}" if item.resource else "")
    return format_html(
        '<article class="appt status-{}{}" data-item="{}" data-appointment="{}" data-top="{}" '
        'data-height="{}"{} tabindex="0">{}<div class="appt-time mono">{}</div>'
        '<div class="appt-name">{}</div><div class="appt-service">{}</div>'
        '<div class="appt-state">{}</div>{}</article>',
        appointment.status,
        "" if item.active else " inactive",
        item.pk,
        appointment.pk,
        block.top,
        block.height,
        mark_safe(" data-movable") if movable else "",
        gap,
        block.label,
        block.customer_name or "—",
        service,
        status_label,
        mark_safe('<div class="appt-resize" aria-hidden="true"></div>') if movable else "",
    )


def render_blocks(grid: Grid, *, may_book: bool, movable: Collection[str]) -> None:
    """Set each column's `html`: its blocks' markup, in one string."""
    labels = {value: str(label) for value, label in AppointmentStatus.choices}
    gap_title = _("Processing time: the staff member is free")
    for column in grid.columns:
        column.html = mark_safe(  # noqa: S308 - joined from format_html's escaped parts
            "".join(
                block_html(
                    b,
                    movable=may_book and b.item.appointment.status in movable,
                    status_label=labels.get(b.item.appointment.status, ""),
                    gap_title=gap_title,
                )
                for b in column.blocks
            )
        )

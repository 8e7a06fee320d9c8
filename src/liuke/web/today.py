"""The staff's "today" page, their landing page: the sections every app contributes
(`core.registry.TodaySection`), those this staff member may see, in order.

Each section reads through its own app's selectors, which scope by the access policy and note
what they show in the request's audit journal; the journal writes them as the request's one
event. The page itself reads nothing about customers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from liuke.accounts import policy
from liuke.accounts.http import StaffRequest
from liuke.core.registry import PanelContent, TodaySection, import_dotted, today_sections


@dataclass(frozen=True)
class RenderedSection:
    """A section as the page places it."""

    section: TodaySection
    html: SafeString


def sections_for(request: StaffRequest) -> list[RenderedSection]:
    """The sections this staff member may see, rendered in order (a section that has nothing
    for them today is left out)."""
    out: list[RenderedSection] = []
    for section in today_sections():
        if section.capability is not None and not policy.can(request.user, section.capability):
            continue
        render: Callable[[StaffRequest], PanelContent | None] = import_dotted(section.render)
        content = render(request)
        if content is None:
            continue
        # Django's template engine escapes what the section's context holds.
        html = mark_safe(  # noqa: S308
            render_to_string(content.template, dict(content.context), request=request)
        )
        out.append(RenderedSection(section, html))
    return out

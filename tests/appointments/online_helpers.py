"""The customer's side, ready to book: the salon of `helpers.salon_make` with Lin and Wu
rostered 10:00-18:00 every day, online booking on, and the branch's public page."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from tests.appointments.helpers import Salon

from liuke.appointments.models import BookingSettings, OnlinePage
from liuke.appointments.public import links
from liuke.appointments.services import settings as booking_settings
from liuke.engagement.models import CodeMessage
from liuke.rosters import services as rosters

MOBILE = "13912345678"


@dataclass
class Online:
    salon: Salon
    page: OnlinePage
    token: str  # the signed token of the page's link

    def url(self, step: str = "") -> str:
        return f"/book/{self.token}/" + (f"{step}/" if step else "")


def online_make(salon: Salon, **rules: Any) -> Online:
    for person in (salon.lin, salon.wu):
        for weekday in range(7):
            rosters.roster_day_set(
                actor=salon.owner, staff_id=person.pk, branch_id=salon.branch.pk,
                weekday=weekday, work=[(dt.time(10), dt.time(18))],
            )  # fmt: skip
    BookingSettings.objects.update_or_create(
        business_id=salon.branch.business_id, defaults={"online_enabled": True, **rules}
    )
    page = booking_settings.online_page_ensure(actor=salon.owner, branch_id=salon.branch.pk)
    return Online(salon, page, links.PAGE.sign(page.token))


def last_code() -> str:
    """The code of the newest queued code message (as the SMS would carry it)."""
    text = CodeMessage.objects.order_by("-pk").values_list("text", flat=True).first() or ""
    found = re.search(r"\b(\d{6})\b", text)
    assert found is not None, text
    return found.group(1)

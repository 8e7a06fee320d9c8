"""The notices app's capability: every staff member reads the notices addressed to them."""

from __future__ import annotations

from liuke.accounts.capabilities import EVERYONE
from liuke.core.registry import Capability, RoleTable


class NoticeCap(Capability):
    NOTICE_VIEW = "notice.view"


ROLES: RoleTable = {
    NoticeCap.NOTICE_VIEW: EVERYONE,
}

"""The access-matrix rows of this app (the format: tests/accounts/test_access_matrix.py).
Rosters hold no customer data; who may read and set them is tested in tests/rosters/
test_pages.py and test_api.py (other branch, other business, wrong role)."""

from __future__ import annotations

import datetime as dt
from typing import Any

#: a day ahead, within the planning range
SOON = (dt.date.today() + dt.timedelta(days=7)).isoformat()

ROUTES: dict[str, str] = {
    "rosters:index": "none",
    "rosters:branch": "none",
    "rosters:staff": "none",
    "rosters:day": "none",
    "rosters:exception_add": "none",
    "rosters:exception_remove": "none",
}
API_KINDS: dict[str, str] = {
    "/api/v1/rosters/{branch_id}": "none",
    "/api/v1/rosters/{branch_id}/staff/{staff_id}/days/{weekday}": "none",
    "/api/v1/rosters/{branch_id}/staff/{staff_id}/exceptions": "none",
    "/api/v1/rosters/exceptions/{exception_id}/remove": "none",
}
BODIES: dict[str, dict[str, Any]] = {
    "PUT /api/v1/rosters/{branch_id}/staff/{staff_id}/days/{weekday}": {
        "work": [{"starts_at": "10:00", "ends_at": "18:00"}]
    },
    "POST /api/v1/rosters/{branch_id}/staff/{staff_id}/exceptions": {
        "day": SOON,
        "kind": "time_off",
    },
}
FORMS: dict[str, dict[str, Any]] = {
    "rosters:day": {"work_from": "10:00", "work_until": "18:00"},
    "rosters:exception_add": {"day": SOON, "kind": "time_off"},
}

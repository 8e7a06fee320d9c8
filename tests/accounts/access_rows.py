"""The access-matrix rows of this app (the format: tests/accounts/test_access_matrix.py)."""

from __future__ import annotations

ROUTES: dict[str, str] = {
    "accounts:settings": "none",
    "accounts:logo": "none",
    "accounts:two_factor": "none",
    "accounts:tokens": "none",
    "accounts:token_revoke": "none",
    # setting up (issue 12): no customer data; leaving hands customers over through the
    # customers app's own scoped handover
    "accounts:branches": "none",
    "accounts:branch": "none",
    "accounts:branch_close": "none",
    "accounts:branch_reopen": "none",
    "accounts:staff": "none",
    "accounts:staff_member": "none",
    "accounts:staff_leave": "none",
    "accounts:staff_rejoin": "none",
    "accounts:staff_link": "none",
    "accounts:checklist": "none",
    "accounts:checklist_home": "none",
    "accounts:checklist_tick": "none",
    "accounts:checklist_hide": "none",
    "accounts_public:welcome": "public",
    # the salon's logo on its customers' pages (no logo set: 404, like a bad link)
    "brand:logo": "public",
}
API_KINDS: dict[str, str] = {
    "/api/v1/me": "none",
    "/api/v1/branches": "none",
    "/api/v1/staff": "none",
    "/api/v1/branches/all": "none",
    "/api/v1/branches/{branch_id}": "none",
    "/api/v1/branches/{branch_id}/close": "none",
    "/api/v1/branches/{branch_id}/reopen": "none",
    "/api/v1/staff/members": "none",
    "/api/v1/staff/{staff_id}": "none",
    "/api/v1/staff/{staff_id}/leave": "none",
    "/api/v1/staff/{staff_id}/rejoin": "none",
    "/api/v1/staff/{staff_id}/link": "none",
    "/api/v1/setup/checklist": "none",
    "/api/v1/setup/checklist/tick": "none",
    "/api/v1/setup/checklist/hide": "none",
}

"""Every read of the customer archive. Each selector takes the acting user and goes through
`accounts.policy`; there is no other way to get at customer rows.

One module per concept; this package re-exports their public names so callers keep writing
`selectors.customer_file(...)`."""

from __future__ import annotations

from liuke.customers.selectors.access import (
    FULL_FILE_PURPOSES,
    CustomerFile,
    GrantView,
    access_grants,
    active_grant,
    customer_file,
    customer_get,
    has_full_file,
    my_access_requests,
    serves_customer,
    visible_customers,
    visible_fields,
)
from liuke.customers.selectors.export import customer_export_data, retention_candidates
from liuke.customers.selectors.history import customer_history, customer_merges, file_history
from liuke.customers.selectors.photos import customer_photo, customer_photos
from liuke.customers.selectors.quality import (
    BranchQuality,
    DuplicateGroup,
    branch_quality,
    customer_referrals,
    duplicate_groups,
    likely_duplicates,
    quality_trend,
    stale_queue,
)
from liuke.customers.selectors.search import (
    SEARCH_LIST_LIMIT,
    CustomerFilters,
    Page,
    SortKey,
    customer_list,
    customer_search,
    stale_cutoff,
    stale_groups,
    stale_labels,
    stale_q,
)

__all__ = [
    "FULL_FILE_PURPOSES",
    "SEARCH_LIST_LIMIT",
    "BranchQuality",
    "CustomerFile",
    "CustomerFilters",
    "DuplicateGroup",
    "GrantView",
    "Page",
    "SortKey",
    "access_grants",
    "active_grant",
    "branch_quality",
    "customer_export_data",
    "customer_file",
    "customer_get",
    "customer_history",
    "customer_list",
    "customer_merges",
    "customer_photo",
    "customer_photos",
    "customer_referrals",
    "customer_search",
    "duplicate_groups",
    "file_history",
    "has_full_file",
    "likely_duplicates",
    "my_access_requests",
    "quality_trend",
    "retention_candidates",
    "serves_customer",
    "stale_cutoff",
    "stale_groups",
    "stale_labels",
    "stale_q",
    "stale_queue",
    "visible_customers",
    "visible_fields",
]

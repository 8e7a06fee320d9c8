"""A branch-scoped search uses the search key's index, with or without planner statistics.

Without `sqlite_stat1`, SQLite prefers an index that matches more equality terms; a plain
`branch_id IN (…)` made it walk (business, branch, created_at) through half a branch for every
front-desk search at a million customers. The policy's `for_search` scope prevents that.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from tests.factories import customer_make

from liuke.accounts.models import User
from liuke.customers.selectors import customer_search

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_only]


def _plans(sqls: list[str]) -> list[str]:
    plans = []
    with connection.cursor() as cursor:
        for sql in sqls:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            plans.append(" | ".join(str(row[-1]) for row in cursor.fetchall()))
    return plans


@pytest.mark.parametrize(
    ("query", "index"),
    [
        ("zl", "cust_biz_initials"),
        ("张丽", "cust_biz_name"),
        ("5678", "cust_biz_last4"),
        ("13812345678", "cust_biz_mobile"),
    ],
)
def test_front_desk_search_uses_the_search_index(
    front_a: User, owner: User, query: str, index: str
) -> None:
    for i in range(20):
        customer_make(actor=owner, name=f"张丽{i}", mobile=f"138123456{i:02d}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name='sqlite_stat1'")
        if cursor.fetchone():
            cursor.execute("DELETE FROM sqlite_stat1")
    with CaptureQueriesContext(connection) as captured:
        customer_search(actor=front_a, query=query)
    searches = [q["sql"] for q in captured.captured_queries if "customers_customer" in q["sql"]]
    searches = [s for s in searches if s.lstrip().upper().startswith("SELECT")]
    plans = _plans(searches)
    assert plans, "the search ran no query"
    assert index in plans[0]
    assert not any("cust_biz_branch_created" in plan for plan in plans)

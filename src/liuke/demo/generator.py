"""Build the demo salon 丽颜美容 (Liyan Beauty): any size, the same salon for the same seed.

This is the salon's base; `liuke.demo.builder.demo_build` runs it and then every app's demo step.

What it builds: the business with two Shanghai branches (静安店 B01, 浦东店 B02); twelve staff
(the owner, who logs in with the caller's username and password, a manager and a front desk per
branch, three beauticians per branch and an auditor, all with the same password); a menu of 21
services; eight tags; N customers with two years of visits and visit lines simulated by
`liuke.demo.simulate` (a BG/NBD repeat-buying process with Gamma-Gamma spend, see there).

The derived columns are what the services would have written: `name_pinyin`/`name_initials` come
from `liuke.core.pinyin.name_keys`, `verified_at` is the oldest of the five group stamps (NULL if
one is missing) and `completeness` applies `customers.services.COMPLETENESS_WEIGHTS`; the tests
check every customer against `customers.services.archive._refresh_derived`.

History: each customer gets the one `FieldChange(kind="create")` that `customer_create` writes,
by the staff member who registered them, at the first visit. It is one narrow row per customer
(a few per cent of the build time) and it makes the history panel of every demo customer
truthful. Later edits and confirmations are not replayed as history rows; their effect is in
the `*_verified_at` stamps. No audit events are written: nobody has read the demo yet.

Speed: columns are generated with NumPy and written with `cursor.executemany` in batches of
10,000 rows, with explicit ids (so that foreign keys are known without reading anything back),
all inside one transaction: the demo appears whole or not at all. On SQLite the bulk tables'
secondary indexes are dropped for the load and rebuilt from their stored SQL afterwards, and the
row-by-row foreign-key lookups are off while loading (Django's `constraint_checks_disabled`, as
`loaddata` does; the tests check the result with `PRAGMA foreign_key_check`). The loaded tables
are ANALYZEd at the end, on both databases, so the planner picks the search indexes. On
PostgreSQL the id sequences are reset afterwards. A million customers (about five million
visits) take four to six minutes on SQLite on a two-core machine; see docs/benchmarks.md.
Nothing else should write to the database while the demo is built (ids come from MAX(id) + 1).

The demo business is recognised by its name, 丽颜美容. `reset=True` deletes it and everything
under it first, in the same transaction, with set-based DELETEs over the tables that belong to a
business (`liuke.demo.reset`, which reads them from the model graph: visit lines, visits,
customer tags, field changes, customers, tags, services, staff, branches, the business, and
whatever the other apps add).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from liuke.accounts.models import Branch, Business, User
from liuke.accounts.services import business_provision
from liuke.core.money import fen_from_yuan
from liuke.core.timeutil import local_days
from liuke.customers.choices import ChangeKind
from liuke.customers.models import Customer, FieldChange, Tag
from liuke.demo import data
from liuke.demo.bulk import BulkWriter, DemoError, dates, lookup, sqlite_bulk_mode
from liuke.demo.progress import Bar
from liuke.demo.reset import delete_business
from liuke.demo.simulate import simulate
from liuke.demo.simulate.columns import DAY, GROUPS, HISTORY_DAYS, Customers, Salon, Visits
from liuke.sales.choices import PaymentPurpose
from liuke.sales.models import Payment, Service, Visit, VisitLine


@dataclass
class DemoResult:
    business_id: int
    customers: int
    visits: int
    seconds: float

    def summary(self) -> str:
        return (
            f"{data.BUSINESS_NAME}: {self.customers:,} customers, {self.visits:,} visits "
            f"in {self.seconds:.1f} s"
        )


def demo_business() -> Business | None:
    """The demo business, if it is in the database."""
    return Business.objects.filter(name=data.BUSINESS_NAME).order_by("id").first()


def generate_demo(
    *,
    customers: int,
    seed: int,
    username: str,
    password: str,
    reset: bool = False,
    progress: bool = True,
) -> DemoResult:
    """Build the demo salon with `customers` customers, deterministic for `seed`."""
    if customers < 0:
        raise DemoError("The number of customers cannot be negative.")
    started = time.perf_counter()
    now = timezone.now()
    with Bar(progress) as bar, sqlite_bulk_mode():
        bar.note(f"Simulating {customers:,} customers and two years of visits")
        salon = simulate(customers=customers, seed=seed, now=now)
        bar.done()
        with transaction.atomic():
            existing = demo_business()
            if existing is not None:
                if not reset:
                    raise DemoError(
                        f"The demo salon {data.BUSINESS_NAME} is already in the database "
                        f"(business #{existing.pk}); rebuild it with `liuke demo --reset`."
                    )
                bar.note("Deleting the previous demo")
                delete_business(existing.pk)
                bar.done()
            business_id = _build(salon, username=username, password=password, bar=bar)
        _reset_sequences()
    return DemoResult(
        business_id=business_id,
        customers=salon.customers.count,
        visits=salon.visits.count,
        seconds=time.perf_counter() - started,
    )


# --- the fixed part: business, branches, staff, menu, tags --------------------------------------


def _build(salon: Salon, *, username: str, password: str, bar: Bar) -> int:
    logins = [login or username for login, *_rest in data.STAFF]  # the owner's is the caller's
    taken = sorted(User.objects.filter(username__in=logins).values_list("username", flat=True))
    if taken:
        raise DemoError(
            "These usernames are taken by another business: "
            + ", ".join(taken)
            + ". Build the demo in another database (DATABASE_URL) or run `liuke serve --no-demo`."
        )
    opened = dt.datetime.fromtimestamp(salon.start, dt.UTC) - dt.timedelta(days=30)
    business = Business.objects.create(name=data.BUSINESS_NAME)
    branches = [
        Branch.objects.create(business=business, code=code, name=name, address=addr, phone=phone)
        for code, name, addr, phone in data.BRANCHES
    ]
    business_provision(business_id=business.pk)
    hashed = User(username=username)
    hashed.set_password(password)  # argon2 is slow on purpose: hash once, share the hash
    staff = User.objects.bulk_create(
        [
            User(
                username=login,
                password=hashed.password,
                business=business,
                role=role,
                display_name=display,
                first_name=display[1:],
                last_name=display[:1],
                is_active=True,
                date_joined=opened,
            )
            for login, (_u, display, role, _b) in zip(logins, data.STAFF, strict=True)
        ]
    )
    if not all(s.pk for s in staff):  # backends without RETURNING on bulk inserts
        by_name = dict(User.objects.filter(username__in=logins).values_list("username", "id"))
        for s in staff:
            s.pk = by_name[s.username]
    by_code = {b.code: b for b in branches}
    User.branches.through.objects.bulk_create(
        [
            User.branches.through(user_id=s.pk, branch_id=by_code[code].pk)
            for s, (_u, _d, _r, codes) in zip(staff, data.STAFF, strict=True)
            for code in codes
        ]
    )
    Service.objects.bulk_create(
        [
            Service(business=business, category=cat, name=name, duration_min=minutes,
                    price_fen=fen_from_yuan(yuan))
            for cat, name, minutes, yuan in data.SERVICES
        ]
    )  # fmt: skip
    Tag.objects.bulk_create([Tag(business=business, name=name) for name in data.TAGS])
    for model in (Branch, Service, Tag):
        model.objects.filter(business=business).update(created_at=opened, updated_at=opened)
    Business.objects.filter(pk=business.pk).update(created_at=opened, updated_at=opened)

    service_ids = dict(Service.objects.filter(business=business).values_list("name", "id"))
    tag_ids = dict(Tag.objects.filter(business=business).values_list("name", "id"))
    ids = _Ids(
        business=business.pk,
        branch=np.array([b.pk for b in branches], np.int64),
        staff=np.array([s.pk for s in staff], np.int64),
        service=np.array([service_ids[name] for _c, name, _m, _y in data.SERVICES], np.int64),
        tag=np.array([tag_ids[name] for name in data.TAGS], np.int64),
    )
    _write(salon, ids, BulkWriter(bar))
    bar.note("Analysing the tables for the query planner")
    _analyze([Customer, FieldChange, Customer.tags.through, Visit, VisitLine, Payment])
    bar.done()
    return business.pk


def _analyze(tables: list[Any]) -> None:
    """Give the query planner statistics for the tables just loaded.

    Without them SQLite prefers any index that matches more equality terms: a branch-scoped
    search (front desk, beautician, manager) walks `cust_biz_branch_created` through half the
    branch instead of the name or phone index, hundreds of milliseconds at a million customers
    (docs/benchmarks.md). A bulk load is the moment statistics go stale on PostgreSQL too.
    """
    with connection.cursor() as cursor:
        for model in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


@dataclass
class _Ids:
    business: int
    branch: np.ndarray  # by index into data.BRANCHES
    staff: np.ndarray  # by index into data.STAFF
    service: np.ndarray  # by index into data.SERVICES
    tag: np.ndarray  # by index into data.TAGS


# --- the bulk part: customers, tags, history, visits, lines -------------------------------------


def _write(salon: Salon, ids: _Ids, out: BulkWriter) -> None:
    c = salon.customers
    cid = out.next_id(Customer) + np.arange(c.count, dtype=np.int64)
    # Who typed the record in and checked visits out: the front desk of the branch.
    desk = np.array(
        [
            next(k for k, s in enumerate(data.STAFF) if s[2] == "front_desk" and code in s[3])
            for code, *_r in data.BRANCHES
        ]
    )
    _write_customers(c, ids, out, cid)
    _write_history(c, ids, out, cid, desk)
    _write_tags(c, ids, out, cid)
    _write_visits(salon.visits, ids, out, cid, desk)


def _write_customers(c: Customers, ids: _Ids, out: BulkWriter, cid: np.ndarray) -> None:
    n = c.count
    columns: dict[str, Sequence[Any]] = {
        "id": cid.tolist(),
        "created_at": out.times(c.created),
        "updated_at": out.times(c.updated),
        "business_id": [ids.business] * n,
        "branch_id": ids.branch[c.branch].tolist(),
        "owner_id": lookup(ids.staff, c.owner),
        "name": c.name,
        "name_pinyin": c.name_pinyin,
        "name_initials": c.name_initials,
        "gender": c.gender,
        "birthday": dates(c.birthday),
        "mobile": c.mobile,
        "mobile_last4": [m[-4:] for m in c.mobile],
        "wechat_id": c.wechat_id,
        "card_no": c.card_no,
        "is_key_account": c.is_key_account.tolist(),
        "source": c.source,
        "referrer_id": lookup(cid, c.referrer),
        "skin_type": c.skin_type,
        "hair_type": c.hair_type,
        "allergies": c.allergies,
        "contraindications": c.contraindications,
        "preferences": c.preferences,
        "notes": c.notes,
        # Confidential notes are what one person was told in confidence: none in a demo.
        "confidential_notes": [""] * n,
        "marketing_consent": c.marketing_consent.tolist(),
        "marketing_consent_at": out.times(c.marketing_consent_at),
        "photo_consent": c.photo_consent.tolist(),
        "photo_consent_at": out.times(c.photo_consent_at),
        **{f"{g}_verified_at": out.times(c.verified[g]) for g in GROUPS},
        "verified_at": out.times(c.verified_at),
        "completeness": c.completeness.tolist(),
        "merged_into_id": [None] * n,
    }
    out.insert(Customer, columns, n, "customers")


def _write_history(
    c: Customers, ids: _Ids, out: BulkWriter, cid: np.ndarray, desk: np.ndarray
) -> None:
    """The `create` entry of each customer, by the owner of the customer or the front desk."""
    n = c.count
    registrar = np.where(c.owner >= 0, c.owner, desk[c.branch])
    out.insert(
        FieldChange,
        {
            "id": (out.next_id(FieldChange) + np.arange(n)).tolist(),
            "customer_id": cid.tolist(),
            "kind": [ChangeKind.CREATE.value] * n,
            "field": [""] * n,
            "old_value": [""] * n,
            "new_value": [""] * n,
            "changed_by_id": ids.staff[registrar].tolist(),
            "changed_at": out.times(c.created),
            "request_id": [""] * n,
        },
        n,
        "history",
    )


def _write_tags(c: Customers, ids: _Ids, out: BulkWriter, cid: np.ndarray) -> None:
    through = Customer.tags.through
    m = len(c.tag_customer)
    out.insert(
        through,
        {
            "id": (out.next_id(through) + np.arange(m)).tolist(),
            "customer_id": cid[c.tag_customer].tolist(),
            "tag_id": ids.tag[c.tag_index].tolist(),
        },
        m,
        "customer tags",
    )


def _write_visits(v: Visits, ids: _Ids, out: BulkWriter, cid: np.ndarray, desk: np.ndarray) -> None:
    nv = v.count
    vid = out.next_id(Visit) + np.arange(nv, dtype=np.int64)
    at = out.times(v.at)
    total = v.total_fen.tolist()
    out.insert(
        Visit,
        {
            "id": vid.tolist(),
            "created_at": at,
            "updated_at": at,
            "business_id": [ids.business] * nv,
            "branch_id": ids.branch[v.branch].tolist(),
            "customer_id": cid[v.customer].tolist(),
            "visited_at": at,
            "visited_on": dates(local_days(v.at)),
            "total_fen": total,
            "subtotal_fen": total,  # no visit-level discount: prices are on the lines
            "discount_fen": [0] * nv,
            "served_by_id": ids.staff[v.served_by].tolist(),
            "created_by_id": ids.staff[desk[v.branch]].tolist(),  # checked out at the desk
        },
        nv,
        "visits",
    )
    _write_payments(v, ids, out, vid, cid, at, desk)
    del at
    nl = len(v.line_visit)
    amounts = v.line_amount_fen.tolist()
    out.insert(
        VisitLine,
        {
            "id": (out.next_id(VisitLine) + np.arange(nl)).tolist(),
            "visit_id": vid[v.line_visit].tolist(),
            "service_id": ids.service[v.line_service].tolist(),
            "staff_id": ids.staff[v.line_staff].tolist(),
            "amount_fen": amounts,
            "unit_price_fen": amounts,  # one of each: the unit price is the member price
            "quantity": [1] * nl,
        },
        nl,
        "visit lines",
    )


#: How the demo's past visits were paid (per cent): the way a Shanghai salon is paid today,
#: mostly by phone. Stored value and packages are the sales demo step's, through the services.
PAY_MIX = {"wechat": 46, "alipay": 30, "cash": 14, "bank_card": 10}


def _write_payments(
    v: Visits,
    ids: _Ids,
    out: BulkWriter,
    vid: np.ndarray,
    cid: np.ndarray,
    at: list[str | None],
    desk: np.ndarray,
) -> None:
    """One payment for each past visit, its total by one of PAY_MIX's methods, taken at the
    desk when the visit was: each day's close of the past two years adds up to its visits."""
    paid = np.flatnonzero(v.total_fen > 0)
    rng = np.random.default_rng(v.count)  # deterministic: the same visits, the same payments
    methods = list(PAY_MIX)
    weights = np.array(list(PAY_MIX.values()), dtype=float)
    method = rng.choice(len(methods), size=len(paid), p=weights / weights.sum())
    times = [at[i] for i in paid.tolist()]
    n = len(paid)
    out.insert(
        Payment,
        {
            "id": (out.next_id(Payment) + np.arange(n)).tolist(),
            "created_at": times,
            "updated_at": times,
            "business_id": [ids.business] * n,
            "branch_id": ids.branch[v.branch[paid]].tolist(),
            "customer_id": cid[v.customer[paid]].tolist(),
            "visit_id": vid[paid].tolist(),
            "purpose": [PaymentPurpose.VISIT.value] * n,
            "method": [methods[k] for k in method.tolist()],
            "amount_fen": v.total_fen[paid].tolist(),
            "card_id": [None] * n,
            "staff_id": ids.staff[desk[v.branch[paid]]].tolist(),
        },
        n,
        "payments",
    )


def _reset_sequences() -> None:
    if connection.vendor != "postgresql":
        return
    tables = [Business, Branch, User, User.branches.through, Service, Tag, Customer,
              Customer.tags.through, FieldChange, Visit, VisitLine, Payment]  # fmt: skip
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), tables):  # type: ignore[arg-type]
            cursor.execute(sql)


__all__ = ["DAY", "HISTORY_DAYS", "DemoError", "DemoResult", "demo_business", "generate_demo"]

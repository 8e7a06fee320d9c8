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
check every customer against `services._refresh_derived`.

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
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone
from rich.progress import TaskID

from liuke.accounts.models import Branch, Business, User
from liuke.accounts.services import business_provision
from liuke.core.money import fen_from_yuan
from liuke.core.timeutil import local_days
from liuke.customers.choices import ChangeKind
from liuke.customers.models import Customer, FieldChange, Tag
from liuke.demo import data
from liuke.demo.progress import Bar
from liuke.demo.reset import delete_business
from liuke.demo.simulate import DAY, GROUPS, HISTORY_DAYS, NO_TIME, Salon, simulate
from liuke.sales.models import Service, Visit, VisitLine

BATCH = 10_000
#: SQLite page cache while building (KiB): the sorts that rebuild the indexes of a
#: million-customer demo run in memory instead of spilling to temporary files.
SQLITE_BUILD_CACHE_KIB = 1_000_000


class DemoError(RuntimeError):
    """The demo cannot be built as asked (it exists already, or a username is taken)."""


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
    with Bar(progress) as bar, _sqlite_bulk_mode():
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
    _Writer(bar).write(salon, ids)
    bar.note("Analysing the tables for the query planner")
    _analyze([Customer, FieldChange, Customer.tags.through, Visit, VisitLine])
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


class _Writer:
    def __init__(self, bar: Bar) -> None:
        self.bar = bar
        self.sqlite = connection.vendor == "sqlite"
        # Django stores aware datetimes as naive UTC text on SQLite; PostgreSQL wants the zone.
        self.zone = "" if self.sqlite else "+00:00"

    def write(self, salon: Salon, ids: _Ids) -> None:
        c, v = salon.customers, salon.visits
        n = c.count
        cid = self.next_id(Customer) + np.arange(n, dtype=np.int64)
        created = self.times(c.created)
        staff_id = _lookup(ids.staff, c.owner)
        columns: dict[str, Sequence[Any]] = {
            "id": cid.tolist(),
            "created_at": created,
            "updated_at": self.times(c.updated),
            "business_id": [ids.business] * n,
            "branch_id": ids.branch[c.branch].tolist(),
            "owner_id": staff_id,
            "name": c.name,
            "name_pinyin": c.name_pinyin,
            "name_initials": c.name_initials,
            "gender": c.gender,
            "birthday": _dates(c.birthday),
            "mobile": c.mobile,
            "mobile_last4": [m[-4:] for m in c.mobile],
            "wechat_id": c.wechat_id,
            "card_no": c.card_no,
            "is_key_account": c.is_key_account.tolist(),
            "source": c.source,
            "referrer_id": _lookup(cid, c.referrer),
            "skin_type": c.skin_type,
            "hair_type": c.hair_type,
            "allergies": c.allergies,
            "contraindications": c.contraindications,
            "preferences": c.preferences,
            "notes": c.notes,
            # Confidential notes are what one person was told in confidence: none in a demo.
            "confidential_notes": [""] * n,
            "marketing_consent": c.marketing_consent.tolist(),
            "marketing_consent_at": self.times(c.marketing_consent_at),
            "photo_consent": c.photo_consent.tolist(),
            "photo_consent_at": self.times(c.photo_consent_at),
            **{f"{g}_verified_at": self.times(c.verified[g]) for g in GROUPS},
            "verified_at": self.times(c.verified_at),
            "completeness": c.completeness.tolist(),
            "merged_into_id": [None] * n,
        }
        self.insert(Customer, columns, n, "customers")

        # Who typed the record in: the front desk of the branch, or the owner of the customer.
        desk = np.array(
            [
                next(k for k, s in enumerate(data.STAFF) if s[2] == "front_desk" and code in s[3])
                for code, *_r in data.BRANCHES
            ]
        )
        registrar = np.where(c.owner >= 0, c.owner, desk[c.branch])
        self.insert(
            FieldChange,
            {
                "id": (self.next_id(FieldChange) + np.arange(n)).tolist(),
                "customer_id": cid.tolist(),
                "kind": [ChangeKind.CREATE.value] * n,
                "field": [""] * n,
                "old_value": [""] * n,
                "new_value": [""] * n,
                "changed_by_id": ids.staff[registrar].tolist(),
                "changed_at": created,
                "request_id": [""] * n,
            },
            n,
            "history",
        )
        del columns, created

        through = Customer.tags.through
        m = len(c.tag_customer)
        self.insert(
            through,
            {
                "id": (self.next_id(through) + np.arange(m)).tolist(),
                "customer_id": cid[c.tag_customer].tolist(),
                "tag_id": ids.tag[c.tag_index].tolist(),
            },
            m,
            "customer tags",
        )

        nv = v.count
        vid = self.next_id(Visit) + np.arange(nv, dtype=np.int64)
        at = self.times(v.at)
        total = v.total_fen.tolist()
        self.insert(
            Visit,
            {
                "id": vid.tolist(),
                "created_at": at,
                "updated_at": at,
                "business_id": [ids.business] * nv,
                "branch_id": ids.branch[v.branch].tolist(),
                "customer_id": cid[v.customer].tolist(),
                "visited_at": at,
                "visited_on": _dates(local_days(v.at)),
                "total_fen": total,
                "subtotal_fen": total,  # no visit-level discount: prices are on the lines
                "discount_fen": [0] * nv,
                "served_by_id": ids.staff[v.served_by].tolist(),
                "created_by_id": ids.staff[desk[v.branch]].tolist(),  # checked out at the desk
            },
            nv,
            "visits",
        )
        del at
        nl = len(v.line_visit)
        amounts = v.line_amount_fen.tolist()
        self.insert(
            VisitLine,
            {
                "id": (self.next_id(VisitLine) + np.arange(nl)).tolist(),
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

    def insert(
        self, model: type[models.Model], columns: dict[str, Sequence[Any]], rows: int, label: str
    ) -> None:
        """INSERT the columns in batches.

        The sales tables grow; a column the demo does not fill gets the database's default, or
        NULL, or the field's default, and a value for a column the model no longer has is left
        out (the subtotal of a visit, say, on an older schema).
        """
        fields = {f.column: f for f in model._meta.concrete_fields}
        columns = {k: v for k, v in columns.items() if k in fields}
        for column, f in fields.items():
            if column in columns or f.db_default is not models.NOT_PROVIDED:
                continue
            if f.null:
                columns[column] = [None] * rows
            elif f.has_default():
                columns[column] = [f.get_db_prep_save(f.get_default(), connection)] * rows
            else:
                raise DemoError(
                    f"The demo does not know how to fill {model._meta.db_table}.{column}; "
                    "teach liuke.demo.generator about it."
                )
        qn = connection.ops.quote_name
        names = list(columns)
        sql = (
            f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(c) for c in names)}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(names))})"
        )
        task = self.bar.step(label, rows)
        values = list(columns.values())
        with connection.cursor() as cursor, self.indexes_rebuilt(model, task):
            for lo in range(0, rows, BATCH):
                hi = min(lo + BATCH, rows)
                cursor.executemany(sql, list(zip(*(col[lo:hi] for col in values), strict=True)))
                self.bar.advance(task, hi - lo)

    @contextmanager
    def indexes_rebuilt(self, model: type[models.Model], task: TaskID | None) -> Iterator[None]:
        """On SQLite, drop the table's indexes for the load and build them again afterwards.

        Building an index once from the loaded rows is cheaper than keeping it up to date row by
        row: at a million customers the whole build takes about a fifth less time than when only
        the indexes on randomly ordered columns (names, phones, the customer of a visit) are
        dropped, and much less than keeping them all. Everything happens inside the build's
        transaction (other connections keep reading the old snapshot with its indexes), and the
        indexes come back from their own stored SQL, exactly as the migrations made them.
        PostgreSQL keeps its indexes (dropping one would lock the table for every other session).
        """
        if not self.sqlite:
            yield
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master "
                "WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                [model._meta.db_table],
            )
            indexes = cursor.fetchall()
            for name, _sql in indexes:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        yield
        self.bar.describe(task, "indexing")
        with connection.cursor() as cursor:
            for _name, sql in indexes:
                cursor.execute(sql)
        self.bar.describe(task, "")

    def next_id(self, model: type[models.Model]) -> int:
        """The first free id: after the largest id, and after any id SQLite handed out before."""
        qn = connection.ops.quote_name
        table = model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT MAX({qn(model._meta.pk.column)}) FROM {qn(table)}")  # noqa: S608
            top = cursor.fetchone()[0] or 0
            if self.sqlite:
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
                row = cursor.fetchone()
                top = max(top, row[0] if row else 0)
        return int(top) + 1

    def times(self, seconds: np.ndarray) -> list[str | None]:
        text = np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s").tolist()
        out: list[str | None] = [t.replace("T", " ") + self.zone for t in text]
        for i in np.flatnonzero(seconds == NO_TIME).tolist():
            out[i] = None
        return out


def _dates(days: np.ndarray) -> list[str | None]:
    text = np.datetime_as_string(days, unit="D").tolist()
    return [None if t == "NaT" else t for t in text]


def _lookup(ids: np.ndarray, index: np.ndarray) -> list[int | None]:
    """ids[index], with None where index is -1."""
    out: list[int | None] = ids[np.maximum(index, 0)].tolist()
    for i in np.flatnonzero(index < 0).tolist():
        out[i] = None
    return out


def _reset_sequences() -> None:
    if connection.vendor != "postgresql":
        return
    tables = [Business, Branch, User, User.branches.through, Service, Tag, Customer,
              Customer.tags.through, FieldChange, Visit, VisitLine]  # fmt: skip
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), tables):  # type: ignore[arg-type]
            cursor.execute(sql)


@contextmanager
def _sqlite_bulk_mode() -> Iterator[None]:
    """A big page cache, and no foreign-key lookups row by row while the demo is loaded.

    Every id the demo writes is one it has just written itself, so the per-row parent lookups
    (five per visit) only cost time; `connection.constraint_checks_disabled()` is what Django's
    `loaddata` uses, and it does nothing inside an outer transaction (the tests), where the checks
    stay on. PostgreSQL is left as it is.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = {-SQLITE_BUILD_CACHE_KIB}")
    try:
        with connection.constraint_checks_disabled():
            yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


__all__ = ["DAY", "HISTORY_DAYS", "DemoError", "DemoResult", "demo_business", "generate_demo"]

"""The demo salon: deterministic, valid by the app's own rules, and useful on every page."""

from __future__ import annotations

import copy
import datetime as dt
from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from django.db import connection
from django.db.models import Count, Min, Sum
from django.test.utils import CaptureQueriesContext
from tests.db import built_once

from liuke.accounts.choices import Role
from liuke.accounts.models import Branch, Business, User
from liuke.accounts.policy import business_of
from liuke.core.phone import normalise_mobile
from liuke.customers import selectors, services
from liuke.customers.choices import ChangeKind, Source
from liuke.customers.models import Customer, FieldChange, Tag
from liuke.customers.services.archive import _refresh_derived
from liuke.demo import data
from liuke.demo.generator import DemoError, DemoResult, generate_demo
from liuke.demo.reset import owned_models
from liuke.demo.simulate import simulate
from liuke.demo.simulate.columns import DAY, NO_TIME
from liuke.sales.models import Service, Visit, VisitLine

if TYPE_CHECKING:
    from pytest_django import DjangoDbBlocker

N = 300
PASSWORD = "demo-pass-2026"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def build(seed: int = 7, *, reset: bool = False, customers: int = N) -> DemoResult:
    return generate_demo(
        customers=customers,
        seed=seed,
        username="owner",
        password=PASSWORD,
        reset=reset,
        progress=False,
    )


@pytest.fixture(scope="module")
def _built(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[DemoResult]:
    """The salon, built once for the module; each test reads (and may change) it in a savepoint
    of its own (tests.db.built_once). The tests that need an empty database, or a committed
    build, are in test_demo_builds.py."""
    with built_once(django_db_blocker):
        with django_db_blocker.unblock():
            result = build()
            _built_sequences.update(_sequences())
        yield result
        _built_sequences.clear()


#: PostgreSQL's sequences as the shared build left them (SQLite's counters roll back with it).
_built_sequences: dict[str, int | None] = {}


def _sequences() -> dict[str, int | None]:
    if connection.vendor != "postgresql":
        return {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT schemaname || '.' || sequencename, last_value FROM pg_sequences")
        return dict(cursor.fetchall())


@pytest.fixture
def demo(_built: DemoResult, db: None) -> DemoResult:
    """The shared salon, with the sequences where its build put them: a sequence does not roll
    back, so an earlier test's rebuild (rolled back) may have left one below the salon's ids."""
    with connection.cursor() as cursor:
        for name, value in _built_sequences.items():
            if value is None:  # never used: the next id is the sequence's start
                cursor.execute("SELECT setval(%s, 1, false)", [name])
            else:
                cursor.execute("SELECT setval(%s, %s)", [name, value])
    return _built


@pytest.fixture
def owner(demo: DemoResult) -> User:
    return User.objects.get(username="owner")


def fingerprint() -> tuple[list[tuple[str, str]], list[int]]:
    people = list(Customer.objects.order_by("id").values_list("name", "mobile"))
    totals = list(Visit.objects.order_by("id").values_list("total_fen", flat=True))
    return people, totals


# --- determinism ---------------------------------------------------------------------------------


def test_same_seed_builds_the_same_salon_and_another_seed_another(demo: DemoResult) -> None:
    first = fingerprint()

    build(seed=7, reset=True)
    again = fingerprint()
    build(seed=8, reset=True)
    other = fingerprint()

    assert again == first
    assert other[0] != first[0]
    assert other[1] != first[1]


def test_simulation_is_deterministic_without_the_database() -> None:
    now = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)

    a = simulate(customers=500, seed=3, now=now)
    b = simulate(customers=500, seed=3, now=now)

    assert a.customers.name == b.customers.name
    assert a.customers.mobile == b.customers.mobile
    assert np.array_equal(a.visits.at, b.visits.at)
    assert np.array_equal(a.visits.line_amount_fen, b.visits.line_amount_fen)


# --- the business, staff and menu ---------------------------------------------------------------


def test_the_salon_has_two_branches_twelve_staff_a_menu_and_tags(demo: DemoResult) -> None:
    business = Business.objects.get(pk=demo.business_id)

    assert business.name == "丽颜美容"
    assert list(Branch.objects.filter(business=business).values_list("code", "name")) == [
        ("B01", "静安店"),
        ("B02", "浦东店"),
    ]
    staff = User.objects.filter(business=business)
    roles = Counter(staff.values_list("role", flat=True))
    assert roles == {
        Role.OWNER: 1, Role.MANAGER: 2, Role.FRONT_DESK: 2, Role.BEAUTICIAN: 6, Role.AUDITOR: 1,
    }  # fmt: skip
    assert all(u.display_name for u in staff)
    assert Service.objects.filter(business=business).count() == len(data.SERVICES) >= 20
    assert set(Tag.objects.filter(business=business).values_list("name", flat=True)) >= {
        "VIP", "敏感肌", "学生", "孕期", "新客",
    }  # fmt: skip


def test_the_owner_and_the_staff_log_in_with_the_demo_password(owner: User) -> None:
    assert owner.role == Role.OWNER
    assert owner.check_password(PASSWORD)
    assert not owner.check_password("wrong")
    assert set(owner.branches.values_list("code", flat=True)) == {"B01", "B02"}
    manager = User.objects.get(username="manager_jingan")
    assert manager.check_password(PASSWORD)
    assert list(manager.branches.values_list("code", flat=True)) == ["B01"]


def test_building_again_without_reset_is_refused(demo: DemoResult) -> None:
    with pytest.raises(DemoError, match="--reset"):
        build()
    assert Business.objects.count() == 1


def test_reset_replaces_the_demo_and_everything_under_it(demo: DemoResult) -> None:
    other = Business.objects.create(name="别家美容")
    Branch.objects.create(business=other, name="总店", code="B01")

    result = build(seed=9, reset=True, customers=120)

    assert Business.objects.filter(name="丽颜美容").count() == 1
    assert result.business_id != demo.business_id
    assert Customer.objects.count() == 120
    assert Visit.objects.count() == result.visits
    assert FieldChange.objects.count() == 120
    assert User.objects.filter(username="owner").count() == 1
    assert Business.objects.filter(pk=other.pk).exists()


def test_summary_is_one_human_line() -> None:
    result = DemoResult(business_id=1, customers=2000, visits=13512, seconds=4.14)

    assert result.summary() == "丽颜美容: 2,000 customers, 13,512 visits in 4.1 s"


# --- customers -----------------------------------------------------------------------------------


def test_every_mobile_is_a_valid_mainland_number(demo: DemoResult) -> None:
    mobiles = list(Customer.objects.values_list("mobile", flat=True))

    assert sum(1 for m in mobiles if m) >= 0.95 * N
    for mobile in mobiles:
        assert mobile == "" or normalise_mobile(mobile) == mobile


def test_derived_columns_are_what_the_services_compute(demo: DemoResult) -> None:
    assert Customer.objects.count() == N
    for customer in Customer.objects.all():
        expected = copy.copy(customer)
        _refresh_derived(expected)
        assert (customer.name_pinyin, customer.name_initials, customer.mobile_last4) == (
            expected.name_pinyin,
            expected.name_initials,
            expected.mobile_last4,
        )
        assert customer.verified_at == expected.verified_at
        assert customer.completeness == services.completeness_of(customer)


def test_customers_look_like_a_salon_archive(demo: DemoResult) -> None:
    customers = Customer.objects.all()
    women = customers.filter(gender="F").count()
    cards = [c for c in customers.values_list("card_no", flat=True) if c]

    assert women > 0.8 * N
    assert 0.45 * N < len(cards) < 0.75 * N
    assert len(set(cards)) == len(cards)
    assert all(len(c) == 10 and c.startswith("LY") and c[2:].isdigit() for c in cards)
    assert customers.filter(is_key_account=True).count() == round(0.03 * N)
    assert customers.exclude(allergies="").exists()
    assert customers.exclude(preferences="").count() > 0.4 * N
    assert customers.exclude(wechat_id="").count() > 0.3 * N
    assert customers.filter(owner__isnull=False).count() > 0.75 * N
    today = dt.date.today()
    birthdays = customers.exclude(birthday=None).values_list("birthday", flat=True)
    ages = [(today - b).days / 365.25 for b in birthdays if b is not None]
    assert min(ages) > 17.9
    assert max(ages) < 65.1
    owners = customers.filter(owner__isnull=False).select_related("owner", "branch")
    assert owners.exists()
    for customer in owners:
        owner = customer.owner
        assert owner is not None
        assert owner.role in (Role.BEAUTICIAN, Role.FRONT_DESK)
        assert owner.branches.filter(pk=customer.branch_id).exists()


def test_every_customer_has_the_create_entry_of_their_history(demo: DemoResult) -> None:
    changes = FieldChange.objects.filter(kind=ChangeKind.CREATE)

    assert changes.count() == N
    first = Customer.objects.earliest("id")
    assert changes.get(customer=first).changed_at == first.created_at


def test_some_customers_need_confirming(demo: DemoResult) -> None:
    business = Business.objects.get(pk=demo.business_id)
    stale = Customer.objects.filter(selectors.stale_q(business)).count()

    assert 0.15 * N < stale < 0.5 * N


def test_referrals_point_at_earlier_customers(demo: DemoResult) -> None:
    referred = Customer.objects.filter(referrer__isnull=False).select_related("referrer")

    assert referred.count() > 0.1 * N
    for customer in referred:
        assert customer.source == Source.REFERRAL
        assert customer.referrer is not None
        assert customer.referrer.created_at <= customer.created_at
    top = Customer.objects.annotate(n=Count("referrals")).order_by("-n").values_list("n", flat=True)
    assert top[0] >= 2


def test_the_duplicates_page_has_something_to_show(owner: User) -> None:
    groups = selectors.duplicate_groups(actor=owner)

    assert groups
    assert {g.reason for g in groups} <= {"mobile", "name_birthday"}
    assert all(len(g.customers) >= 2 for g in groups)


def test_search_finds_customers_by_initials_name_phone_and_card(owner: User) -> None:
    customer = Customer.objects.exclude(mobile="").exclude(card_no=None).order_by("id")[5]

    by_initials = selectors.customer_search(actor=owner, query=customer.name_initials)
    assert by_initials
    assert all(c.name_initials.startswith(customer.name_initials) for c in by_initials)
    assert customer in selectors.customer_search(actor=owner, query=customer.name)
    assert customer in selectors.customer_search(actor=owner, query=customer.mobile)
    assert customer in selectors.customer_search(actor=owner, query=customer.mobile[-4:])
    assert customer.card_no is not None
    assert selectors.customer_search(actor=owner, query=customer.card_no) == [customer]
    assert customer in selectors.customer_search(actor=owner, query=customer.name_pinyin)


# --- visits --------------------------------------------------------------------------------------


def test_visit_lines_add_up_to_the_visit_totals(demo: DemoResult) -> None:
    sums = dict(
        VisitLine.objects.values("visit_id")
        .annotate(s=Sum("amount_fen"))
        .values_list("visit_id", "s")
    )
    lines = Counter(VisitLine.objects.values_list("visit_id", flat=True))
    visits = list(Visit.objects.values_list("id", "total_fen"))

    assert len(visits) == demo.visits > 3 * N
    for visit_id, total in visits:
        assert total == sums[visit_id] > 0
        assert 1 <= lines[visit_id] <= 2


def test_visits_are_served_by_beauticians_of_the_branch_in_opening_hours(demo: DemoResult) -> None:
    beauticians = {
        (u.pk, b.pk) for u in User.objects.filter(role=Role.BEAUTICIAN) for b in u.branches.all()
    }
    now = dt.datetime.now(dt.UTC)
    for visit in Visit.objects.prefetch_related("lines"):
        assert (visit.served_by_id, visit.branch_id) in beauticians
        assert all((line.staff_id, visit.branch_id) in beauticians for line in visit.lines.all())
        assert visit.visited_at.utcoffset() == dt.timedelta(0)
        local = visit.visited_at.astimezone(SHANGHAI)
        assert dt.time(10) <= local.time() <= dt.time(20, 31)
        assert now - dt.timedelta(days=731) < visit.visited_at < now


def test_a_customer_is_created_at_the_first_visit(demo: DemoResult) -> None:
    first = dict(
        Visit.objects.values("customer_id")
        .annotate(t=Min("visited_at"))
        .values_list("customer_id", "t")
    )

    assert len(first) == N
    for customer in Customer.objects.all():
        assert first[customer.pk] == customer.created_at


def test_money_is_whole_yuan_in_fen_around_the_menu_prices(demo: DemoResult) -> None:
    amounts = np.array(VisitLine.objects.values_list("amount_fen", flat=True))

    assert (amounts % 100 == 0).all()
    assert amounts.min() >= 0.4 * 128_00
    assert amounts.max() <= 1.8 * 1980_00


# --- the process behind it (no database: big enough to measure shares) ---------------------------


def test_the_repeat_buying_process_has_realistic_shape() -> None:
    now = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
    salon = simulate(customers=20_000, seed=11, now=now)
    c, v = salon.customers, salon.visits

    per_customer = np.bincount(v.customer, minlength=c.count)
    assert per_customer.min() >= 1
    assert 3.5 < per_customer.mean() < 8
    first = np.full(c.count, np.iinfo(np.int64).max)
    np.minimum.at(first, v.customer, v.at)
    last = np.zeros(c.count, np.int64)
    np.maximum.at(last, v.customer, v.at)
    returning = per_customer > 1
    mean_gap = (last - first)[returning] / (per_customer[returning] - 1) / DAY
    assert 21 < np.median(mean_gap) < 60  # a visit every 3 weeks to 2 months, typically
    assert np.percentile(mean_gap, 90) > 2 * np.percentile(mean_gap, 10)  # heterogeneous
    stale = (c.verified_at == NO_TIME) | (c.verified_at < salon.end - 365 * DAY)
    assert 0.25 <= stale.mean() <= 0.35
    assert 0.15 < (c.referrer >= 0).mean() < 0.25
    assert len(c.duplicates) == round(0.003 * c.count)
    assert 0.5 < np.mean([x is not None for x in c.card_no]) < 0.7
    assert np.all(np.diff(c.created) >= 0)  # ids follow the first visit
    assert np.all(np.diff(v.at) >= 0)  # visit ids are chronological


# --- integrity ----------------------------------------------------------------------------------


@pytest.mark.sqlite_only  # PostgreSQL checks every foreign key as it is written
def test_every_foreign_key_points_at_a_row(demo: DemoResult) -> None:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA foreign_key_check")
        assert cursor.fetchall() == []


def test_reset_knows_every_table_under_a_business() -> None:
    owned = owned_models()

    for model in (Branch, User, Customer, Tag, Service, Visit, VisitLine, FieldChange,
                  Customer.tags.through, User.branches.through):  # fmt: skip
        assert model in owned
    assert owned[VisitLine] > owned[Visit] > owned[Business] == 0


@pytest.mark.sqlite_only  # reads SQLite's EXPLAIN QUERY PLAN
def test_a_front_desk_search_uses_the_search_indexes_not_the_branch_index(demo: DemoResult) -> None:
    desk = User.objects.get(username="front_jingan")
    customer = Customer.objects.filter(branch__code="B01").exclude(mobile="").order_by("id")[3]

    for query in (customer.name, customer.name_initials, customer.mobile[-4:]):
        with CaptureQueriesContext(connection) as ctx:
            selectors.customer_search(actor=desk, query=query)
        selects = [q["sql"] for q in ctx.captured_queries if "customers_customer" in q["sql"]]
        assert selects
        with connection.cursor() as cursor:
            for sql in selects:
                cursor.execute("EXPLAIN QUERY PLAN " + sql)
                plan = " ".join(str(row[3]) for row in cursor.fetchall())
                assert "cust_biz_branch_created" not in plan, plan


def test_the_app_adds_rows_after_the_demo_without_id_clashes(owner: User) -> None:
    """Explicit ids in the bulk load; the sequences (PostgreSQL) must have moved past them."""
    top = Customer.objects.order_by("-id").values_list("id", flat=True)[0]
    branch = Branch.objects.get(code="B01", business=owner.business)

    customer = services.customer_create(
        actor=owner, data={"name": "新客人", "branch_id": branch.pk, "mobile": "13912345678"}
    )

    assert customer.pk > top
    assert FieldChange.objects.filter(customer=customer, kind=ChangeKind.CREATE).exists()
    assert Tag.objects.create(business_id=business_of(owner), name="新标签").pk

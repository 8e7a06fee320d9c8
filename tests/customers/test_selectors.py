"""customers.selectors: search, list, staleness, data quality, duplicates."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from tests.factories import customer_make

from liuke.accounts.models import Branch, Business, User
from liuke.customers import selectors
from liuke.customers.models import Customer
from liuke.customers.selectors import CustomerFilters
from liuke.customers.services import customer_confirm, customer_update

T0 = dt.datetime(2024, 3, 15, 10, 0, tzinfo=dt.UTC)


def names(customers: list[Customer]) -> list[str]:
    return [c.name for c in customers]


def search(actor: User, query: str) -> list[str]:
    return names(selectors.customer_search(actor=actor, query=query))


# --- search -------------------------------------------------------------------------------------


@pytest.fixture
def archive(owner: User, branch_a: Branch) -> dict[str, Customer]:
    """A small archive with names that compete for the same keys."""
    people = {
        "张三": {"mobile": "13812345678", "card_no": "A1001"},
        "张三丰": {"mobile": "13912340000"},
        "章三": {"mobile": "13700005678"},  # sounds like 张三
        "赵四": {"mobile": "15000001111", "card_no": "A1002"},
        "曾小贤": {},
        "Amy Wang": {"mobile": "18600002222"},
    }
    return {
        name: customer_make(actor=owner, branch=branch_a, name=name, **fields)
        for name, fields in people.items()
    }


def test_search_by_chinese_name_ranks_exact_then_prefix_then_homophone(
    archive: dict[str, Customer], owner: User
) -> None:
    assert search(owner, "张三") == ["张三", "张三丰", "章三"]


def test_search_by_name_prefix(archive: dict[str, Customer], owner: User) -> None:
    assert sorted(search(owner, "张")) == ["张三", "张三丰"]


def test_search_by_full_pinyin(archive: dict[str, Customer], owner: User) -> None:
    # exact pinyin (both homophones) before the pinyin prefix (张三丰)
    result = search(owner, "zhangsan")
    assert sorted(result[:2]) == ["张三", "章三"]
    assert result[2:] == ["张三丰"]


def test_search_by_pinyin_ignores_case_and_spaces(
    archive: dict[str, Customer], owner: User
) -> None:
    assert sorted(search(owner, "Zhang San")) == sorted(search(owner, "zhangsan"))
    assert "张三" in search(owner, "Zhang San")


def test_search_by_initials_ranks_exact_before_prefix(
    archive: dict[str, Customer], owner: User
) -> None:
    # 赵四 is zs too: every exact match of the initials comes before the zs… prefixes
    result = search(owner, "zs")
    assert sorted(result[:3]) == ["张三", "章三", "赵四"]
    assert result[3:] == ["张三丰"]


def test_search_by_special_surname_reading(archive: dict[str, Customer], owner: User) -> None:
    assert search(owner, "zxx") == ["曾小贤"]
    assert search(owner, "zengxiaoxian") == ["曾小贤"]


def test_search_by_latin_name(archive: dict[str, Customer], owner: User) -> None:
    assert search(owner, "amy") == ["Amy Wang"]
    assert search(owner, "aw") == ["Amy Wang"]


@pytest.mark.parametrize("query", ["13812345678", "138 1234 5678", "+86 138-1234-5678"])
def test_search_by_full_mobile(archive: dict[str, Customer], owner: User, query: str) -> None:
    assert search(owner, query) == ["张三"]


def test_search_by_last_four_digits(archive: dict[str, Customer], owner: User) -> None:
    assert sorted(search(owner, "5678")) == ["张三", "章三"]


def test_search_by_mobile_prefix(archive: dict[str, Customer], owner: User) -> None:
    assert sorted(search(owner, "1391234")) == ["张三丰"]


@pytest.mark.parametrize("query", ["A1001", "a1001"])
def test_search_by_card_number(archive: dict[str, Customer], owner: User, query: str) -> None:
    assert search(owner, query) == ["张三"]


def test_search_by_card_number_prefix(archive: dict[str, Customer], owner: User) -> None:
    assert sorted(search(owner, "A100")) == ["张三", "赵四"]


@pytest.mark.parametrize("query", ["", "   ", "王五", "wangwu", "0000000", "%", "_", "'; --"])
def test_search_without_match_is_empty(
    archive: dict[str, Customer], owner: User, query: str
) -> None:
    assert search(owner, query) == []


def test_search_respects_the_limit(owner: User) -> None:
    for _ in range(5):
        customer_make(actor=owner, name="王芳")
    assert len(selectors.customer_search(actor=owner, query="王芳", limit=3)) == 3


def test_search_of_a_long_query_is_cut_not_refused(
    archive: dict[str, Customer], owner: User
) -> None:
    assert search(owner, "张" * 500) == []


# --- list ---------------------------------------------------------------------------------------


def list_names(actor: User, **filters: object) -> list[str]:
    page = selectors.customer_list(actor=actor, filters=CustomerFilters(**filters))
    return names(page.items)


def test_list_filters(owner: User, front_a: User, branch_a: Branch, branch_b: Branch) -> None:
    customer_make(
        actor=owner,
        branch=branch_a,
        name="甲",
        tags=["VIP"],
        is_key_account=True,
        owner_id=front_a.pk,
    )
    customer_make(actor=owner, branch=branch_b, name="乙", source="referral")
    customer_make(actor=owner, branch=branch_a, name="丙", source="online", tags=["学生"])

    assert sorted(list_names(owner, branch=branch_a.pk)) == ["丙", "甲"]
    assert list_names(owner, branch=branch_b.pk) == ["乙"]
    assert list_names(owner, tag="VIP") == ["甲"]
    assert list_names(owner, source="referral") == ["乙"]
    assert list_names(owner, key_account=True) == ["甲"]
    assert sorted(list_names(owner, key_account=False)) == ["丙", "乙"]
    assert list_names(owner, owner=front_a.pk) == ["甲"]
    assert list_names(owner, q="jia") == ["甲"]
    assert list_names(owner, q="丙", branch=branch_b.pk) == []


def test_list_sorting(owner: User) -> None:
    with time_machine.travel(T0, tick=False) as traveller:
        for name in ("王芳", "安娜", "张三"):
            customer_make(actor=owner, name=name)
            traveller.shift(dt.timedelta(hours=1))
    customer_update(
        actor=owner,
        customer_id=Customer.objects.get(name="安娜").pk,
        data={"mobile": "13812345678", "birthday": dt.date(1990, 1, 1), "skin_type": "dry"},
    )
    assert list_names(owner) == ["张三", "安娜", "王芳"]  # newest first by default
    assert list_names(owner, sort="created_at") == ["王芳", "安娜", "张三"]
    assert list_names(owner, sort="name") == ["安娜", "王芳", "张三"]  # by pinyin
    assert list_names(owner, sort="-name") == ["张三", "王芳", "安娜"]
    assert list_names(owner, sort="-completeness")[0] == "安娜"


def test_list_pages_without_counting(owner: User) -> None:
    for i in range(7):
        customer_make(actor=owner, name=f"客人{i}")
    first = selectors.customer_list(actor=owner, filters=CustomerFilters(), page_size=3)
    last = selectors.customer_list(actor=owner, filters=CustomerFilters(page=3), page_size=3)
    assert len(first.items) == 3
    assert first.has_next
    assert not first.has_previous
    assert len(last.items) == 1
    assert not last.has_next
    assert last.has_previous


def test_filters_refuse_unknown_sort() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        CustomerFilters.model_validate({"sort": "password"})


# --- staleness ----------------------------------------------------------------------------------


def test_data_becomes_stale_after_the_business_setting(owner: User, business: Business) -> None:
    # given a business that wants data confirmed every 6 months, and two customers
    business.stale_after_months = 6
    business.save()
    owner.refresh_from_db()
    with time_machine.travel(T0, tick=False):
        old = customer_make(actor=owner, name="老客")
    with time_machine.travel(T0 + dt.timedelta(days=120), tick=False):
        recent = customer_make(actor=owner, name="新客")

    # when the clock is five months on, nothing is stale yet
    with time_machine.travel(T0 + dt.timedelta(days=150), tick=False):
        assert selectors.stale_queue(actor=owner).items == []
        assert selectors.stale_groups(old, business) == []

    # when the clock moves past six months, the older customer is flagged, in every group
    with time_machine.travel(T0 + dt.timedelta(days=200), tick=False):
        assert names(selectors.stale_queue(actor=owner).items) == ["老客"]
        assert list_names(owner, stale=True) == ["老客"]
        assert list_names(owner, stale=False) == ["新客"]
        old.refresh_from_db()
        assert selectors.stale_groups(old, business) == [
            "identity",
            "contact",
            "health",
            "preferences",
            "consent",
        ]
        assert selectors.stale_groups(recent, business) == []


def test_one_old_group_makes_the_customer_stale_and_confirming_clears_it(
    owner: User, business: Business
) -> None:
    with time_machine.travel(T0, tick=False):
        customer = customer_make(actor=owner, name="老客", mobile="13812345678")
    later = T0 + dt.timedelta(days=30 * (business.stale_after_months + 1))
    with time_machine.travel(later, tick=False):
        # a fresh phone number does not make the health data current
        customer_update(actor=owner, customer_id=customer.pk, data={"mobile": "13900001111"})
        customer.refresh_from_db()
        assert "contact" not in selectors.stale_groups(customer, business)
        assert "health" in selectors.stale_groups(customer, business)
        assert names(selectors.stale_queue(actor=owner).items) == ["老客"]
        # confirming everything takes it out of the queue
        customer_confirm(actor=owner, customer_id=customer.pk)
        assert selectors.stale_queue(actor=owner).items == []


def test_stale_queue_oldest_first_and_in_scope(
    owner: User, front_a: User, branch_a: Branch, branch_b: Branch
) -> None:
    with time_machine.travel(T0, tick=False):
        customer_make(actor=owner, branch=branch_b, name="最老")
    with time_machine.travel(T0 + dt.timedelta(days=10), tick=False):
        customer_make(actor=owner, branch=branch_a, name="较老")
    with time_machine.travel(T0 + dt.timedelta(days=800), tick=False):
        assert names(selectors.stale_queue(actor=owner).items) == ["最老", "较老"]
        assert names(selectors.stale_queue(actor=front_a).items) == ["较老"]


# --- completeness per branch --------------------------------------------------------------------


def test_branch_quality(
    owner: User,
    front_a: User,
    manager_a: User,
    auditor: User,
    branch_a: Branch,
    branch_b: Branch,
) -> None:
    with time_machine.travel(T0, tick=False):
        customer_make(actor=owner, branch=branch_b, name="旧客")
    with time_machine.travel(T0 + dt.timedelta(days=500), tick=False):
        full = customer_make(
            actor=owner,
            branch=branch_a,
            name="张全",
            gender="F",
            birthday=dt.date(1990, 1, 1),
            mobile="13812345678",
            wechat_id="wx",
            skin_type="dry",
            hair_type="fine",
            allergies="无",
            preferences="安静",
            owner_id=front_a.pk,
        )
        bare = customer_make(actor=owner, branch=branch_a, name="李简")
        assert full.completeness == 100

        rows = {q.branch.code: q for q in selectors.branch_quality(actor=owner)}
        assert set(rows) == {"JA", "PD"}
        assert rows["JA"].customers == 2
        assert rows["JA"].completeness == round((100 + bare.completeness) / 2, 1)
        assert rows["JA"].stale == 0
        assert rows["PD"].customers == 1
        assert rows["PD"].stale == 1
        assert rows["PD"].stale_share == 100.0

        # the manager of A sees A only; the auditor sees both; the front desk sees none
        assert [q.branch.code for q in selectors.branch_quality(actor=manager_a)] == ["JA"]
        assert len(selectors.branch_quality(actor=auditor)) == 2
        assert selectors.branch_quality(actor=front_a) == []


# --- duplicates ---------------------------------------------------------------------------------


def test_likely_duplicates(owner: User) -> None:
    me = customer_make(actor=owner, name="王芳", mobile="13812345678", birthday=dt.date(1990, 5, 1))
    same_mobile = customer_make(actor=owner, name="王小芳", mobile="13812345678")
    same_name_birthday = customer_make(actor=owner, name="王芳", birthday=dt.date(1990, 5, 1))
    homophone_birthday = customer_make(actor=owner, name="汪芳", birthday=dt.date(1990, 5, 1))
    homophone_last4 = customer_make(actor=owner, name="王方", mobile="13900005678")
    customer_make(actor=owner, name="王芳", birthday=dt.date(1991, 5, 1))  # another 王芳
    customer_make(actor=owner, name="李四", mobile="13912345679")

    found = {c.pk for c in selectors.likely_duplicates(actor=owner, customer=me)}
    assert found == {
        same_mobile.pk,
        same_name_birthday.pk,
        homophone_birthday.pk,
        homophone_last4.pk,
    }


def test_likely_duplicates_of_a_bare_customer_is_empty(owner: User) -> None:
    me = customer_make(actor=owner, name="王芳")
    customer_make(actor=owner, name="王芳")
    assert selectors.likely_duplicates(actor=owner, customer=me) == []


def test_duplicate_groups(owner: User) -> None:
    a1 = customer_make(actor=owner, name="王芳", mobile="13812345678")
    a2 = customer_make(actor=owner, name="王小芳", mobile="138 1234 5678")
    b1 = customer_make(actor=owner, name="李娜", birthday=dt.date(1985, 2, 2))
    b2 = customer_make(actor=owner, name="李娜", birthday=dt.date(1985, 2, 2))
    customer_make(actor=owner, name="李娜", birthday=dt.date(1986, 2, 2))
    customer_make(actor=owner, name="赵敏", mobile="13900000000")

    groups = selectors.duplicate_groups(actor=owner)
    by_reason = {(g.reason, tuple(c.pk for c in g.customers)) for g in groups}
    assert by_reason == {("mobile", (a1.pk, a2.pk)), ("name_birthday", (b1.pk, b2.pk))}


def test_duplicate_groups_skip_a_group_already_listed_by_mobile(owner: User) -> None:
    customer_make(actor=owner, name="李娜", mobile="13812345678", birthday=dt.date(1985, 2, 2))
    customer_make(actor=owner, name="李娜", mobile="13812345678", birthday=dt.date(1985, 2, 2))
    groups = selectors.duplicate_groups(actor=owner)
    assert [g.reason for g in groups] == ["mobile"]


def test_duplicate_groups_disappear_after_merge(owner: User) -> None:
    from liuke.customers.services import customer_merge

    a1 = customer_make(actor=owner, name="王芳", mobile="13812345678")
    a2 = customer_make(actor=owner, name="王芳", mobile="13812345678")
    assert len(selectors.duplicate_groups(actor=owner)) == 1
    customer_merge(actor=owner, survivor_id=a1.pk, duplicate_id=a2.pk)
    assert selectors.duplicate_groups(actor=owner) == []

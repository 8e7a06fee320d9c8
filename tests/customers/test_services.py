"""customers.services: create, update, confirm, photos and merge."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from tests.factories import customer_make, visit_make

from liuke.accounts.models import Branch, User
from liuke.core.errors import NotFound, PermissionDenied, ServiceError
from liuke.customers.choices import ChangeKind, FieldGroup
from liuke.customers.models import (
    AccessGrant,
    Customer,
    CustomerMerge,
    CustomerPhoto,
    FieldChange,
    Tag,
)
from liuke.customers.services import (
    completeness_of,
    customer_confirm,
    customer_create,
    customer_merge,
    customer_photo_add,
    customer_update,
)
from liuke.engagement.choices import TaskKind
from liuke.engagement.models import Task
from liuke.sales.models import Visit

FULL_PROFILE: dict[str, Any] = {
    "name": "张三",
    "gender": "F",
    "birthday": dt.date(1990, 5, 17),
    "mobile": "+86 138 1234 5678",
    "wechat_id": "zhangsan_wx",
    "card_no": "vip 001",
    "source": "referral",
    "skin_type": "dry",
    "hair_type": "fine",
    "allergies": "花粉",
    "contraindications": "孕期",
    "preferences": "安静的房间",
    "notes": "喜欢下午来",
    "marketing_consent": True,
    "photo_consent": False,
    "tags": ["VIP", "敏感肌"],
}


def _jpeg(name: str = "face.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 120, 120)).save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def _changes(customer: Customer, kind: str = ChangeKind.EDIT) -> dict[str, FieldChange]:
    return {c.field: c for c in FieldChange.objects.filter(customer=customer, kind=kind)}


# --- create -------------------------------------------------------------------------------------


def test_create_normalises_and_sets_search_keys(front_a: User, branch_a: Branch) -> None:
    # given a full profile typed at the front desk
    # when the customer is created
    customer = customer_create(
        actor=front_a, data={**FULL_PROFILE, "owner_id": front_a.pk, "branch_id": branch_a.pk}
    )
    customer.refresh_from_db()
    # then the stored values are normalised and the search keys derived
    assert customer.business_id == front_a.business_id
    assert customer.branch_id == branch_a.pk
    assert customer.mobile == "13812345678"
    assert customer.mobile_last4 == "5678"
    assert customer.name_pinyin == "zhangsan"
    assert customer.name_initials == "zs"
    assert customer.card_no == "VIP001"
    assert sorted(customer.tags.values_list("name", flat=True)) == ["VIP", "敏感肌"]


def test_create_stamps_every_group_verified_now(front_a: User) -> None:
    with time_machine.travel(dt.datetime(2025, 3, 1, 10, 0, tzinfo=dt.UTC), tick=False):
        customer = customer_make(actor=front_a)
    customer.refresh_from_db()
    moment = dt.datetime(2025, 3, 1, 10, 0, tzinfo=dt.UTC)
    for group in FieldGroup.values:
        assert getattr(customer, f"{group}_verified_at") == moment
    assert customer.verified_at == moment


def test_create_records_consent_moment_only_when_given(front_a: User) -> None:
    given = customer_make(actor=front_a, marketing_consent=True)
    not_given = customer_make(actor=front_a)
    assert given.marketing_consent_at is not None
    assert given.photo_consent_at is None
    assert not_given.marketing_consent_at is None


def test_completeness_of_a_full_profile_is_100(front_a: User) -> None:
    customer = customer_make(actor=front_a, **{**FULL_PROFILE, "owner_id": front_a.pk})
    assert customer.completeness == 100


def test_completeness_of_a_bare_profile_counts_name_source_and_confirmed_groups(
    front_a: User,
) -> None:
    # name 10 + source 5 + allergies (health confirmed: "none known") 10 + consent 10
    customer = customer_make(actor=front_a, name="李四")
    assert customer.completeness == 35
    assert customer.completeness == completeness_of(customer)


def test_create_writes_one_history_entry(front_a: User) -> None:
    customer = customer_make(actor=front_a)
    entries = list(FieldChange.objects.filter(customer=customer))
    assert [(e.kind, e.changed_by_id) for e in entries] == [(ChangeKind.CREATE, front_a.pk)]


def test_create_needs_the_capability(beautician_a: User, auditor: User, branch_a: Branch) -> None:
    for actor in (beautician_a, auditor):
        with pytest.raises(PermissionDenied):
            customer_create(actor=actor, data={"name": "王五", "branch_id": branch_a.pk})
    assert not Customer.objects.exists()


def test_create_refuses_unknown_fields(front_a: User, branch_a: Branch) -> None:
    with pytest.raises(ValidationError) as info:
        customer_create(
            actor=front_a, data={"name": "王五", "branch_id": branch_a.pk, "business_id": 99}
        )
    assert info.value.error_dict["business_id"][0].code == "unknown_field"


def test_create_needs_name_and_branch(front_a: User) -> None:
    with pytest.raises(ValidationError) as info:
        customer_create(actor=front_a, data={"name": "   "})
    assert info.value.error_dict["name"][0].code == "required"
    assert info.value.error_dict["branch_id"][0].code == "required"


def test_referrer_must_be_visible(front_a: User, owner: User, branch_b: Branch) -> None:
    hidden = customer_make(actor=owner, branch=branch_b)
    with pytest.raises(ValidationError) as info:
        customer_make(actor=front_a, referrer_id=hidden.pk, source="referral")
    assert info.value.error_dict["referrer_id"][0].code == "invalid_referrer"


# --- update -------------------------------------------------------------------------------------


def test_update_records_old_and_new_per_field(front_a: User, beautician_a: User) -> None:
    # given a customer
    customer = customer_make(actor=front_a, name="张三", mobile="13812345678", skin_type="dry")
    # when a beautician changes two fields and re-types a third unchanged
    customer_update(
        actor=beautician_a,
        customer_id=customer.pk,
        data={"mobile": "139 0000 1111", "skin_type": "oily", "name": "张三"},
    )
    # then each changed field has one history entry: who, old → new
    changes = _changes(customer)
    assert set(changes) == {"mobile", "skin_type"}
    assert (changes["mobile"].old_value, changes["mobile"].new_value) == (
        "13812345678",
        "13900001111",
    )
    assert changes["skin_type"].old_value == str(Customer(skin_type="dry").get_skin_type_display())
    assert changes["skin_type"].new_value == str(Customer(skin_type="oily").get_skin_type_display())
    assert all(c.changed_by_id == beautician_a.pk for c in changes.values())
    customer.refresh_from_db()
    assert customer.mobile == "13900001111"
    assert customer.mobile_last4 == "1111"


def test_update_of_wechat_id_is_recorded_as_text(front_a: User) -> None:
    # wechat_id ends in "_id" but is no foreign key: its history shows the text
    customer = customer_make(actor=front_a, wechat_id="old_wx")
    customer_update(actor=front_a, customer_id=customer.pk, data={"wechat_id": "new_wx"})
    change = _changes(customer)["wechat_id"]
    assert (change.old_value, change.new_value) == ("old_wx", "new_wx")


def test_update_of_the_responsible_staff_shows_names(front_a: User, manager_a: User) -> None:
    customer = customer_make(actor=front_a, owner_id=front_a.pk)
    customer_update(actor=manager_a, customer_id=customer.pk, data={"owner_id": manager_a.pk})
    change = _changes(customer)["owner_id"]
    assert change.old_value == f"小陈 (#{front_a.pk})"
    assert change.new_value == f"李店长 (#{manager_a.pk})"


def test_update_of_name_refreshes_search_keys(front_a: User) -> None:
    customer = customer_make(actor=front_a, name="张三")
    customer_update(actor=front_a, customer_id=customer.pk, data={"name": "曾小贤"})
    customer.refresh_from_db()
    assert (customer.name_pinyin, customer.name_initials) == ("zengxiaoxian", "zxx")


def test_update_marks_only_the_touched_group_verified(front_a: User) -> None:
    # given a customer created a year ago
    with time_machine.travel(dt.datetime(2024, 1, 1, tzinfo=dt.UTC), tick=False):
        customer = customer_make(actor=front_a, mobile="13812345678")
    # when the mobile is changed today
    with time_machine.travel(dt.datetime(2025, 1, 1, tzinfo=dt.UTC), tick=False):
        customer_update(actor=front_a, customer_id=customer.pk, data={"mobile": "13900001111"})
    # then the contact group is fresh and the others keep their old stamp
    customer.refresh_from_db()
    assert customer.contact_verified_at == dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    assert customer.identity_verified_at == dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    assert customer.verified_at == dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def test_update_without_change_writes_nothing(front_a: User) -> None:
    customer = customer_make(actor=front_a, name="张三", mobile="13812345678")
    before = customer.updated_at
    customer_update(
        actor=front_a, customer_id=customer.pk, data={"name": "张三", "mobile": "138 1234 5678"}
    )
    assert _changes(customer) == {}
    customer.refresh_from_db()
    assert customer.updated_at == before


def test_consent_change_stamps_when_given_and_when_withdrawn(front_a: User) -> None:
    customer = customer_make(actor=front_a)
    given_at = dt.datetime(2025, 2, 1, 9, 0, tzinfo=dt.UTC)
    withdrawn_at = dt.datetime(2025, 6, 1, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(given_at, tick=False):
        customer_update(actor=front_a, customer_id=customer.pk, data={"photo_consent": True})
    customer.refresh_from_db()
    assert customer.photo_consent is True
    assert customer.photo_consent_at == given_at
    with time_machine.travel(withdrawn_at, tick=False):
        customer_update(actor=front_a, customer_id=customer.pk, data={"photo_consent": False})
    customer.refresh_from_db()
    assert customer.photo_consent is False
    assert customer.photo_consent_at == withdrawn_at
    assert customer.consent_verified_at == withdrawn_at


def test_update_of_tags_is_recorded(front_a: User) -> None:
    customer = customer_make(actor=front_a, tags=["VIP"])
    customer_update(actor=front_a, customer_id=customer.pk, data={"tags": "VIP， 学生"})
    change = _changes(customer)["tags"]
    assert (change.old_value, change.new_value) == ("VIP", "VIP, 学生")


def test_update_needs_the_capability(front_a: User, auditor: User) -> None:
    customer = customer_make(actor=front_a, name="张三")
    with pytest.raises(PermissionDenied):
        customer_update(actor=auditor, customer_id=customer.pk, data={"name": "改名"})
    customer.refresh_from_db()
    assert customer.name == "张三"


def test_update_out_of_scope_is_not_found(front_a: User, front_b: User) -> None:
    customer = customer_make(actor=front_b)
    with pytest.raises(NotFound):
        customer_update(actor=front_a, customer_id=customer.pk, data={"name": "改名"})


def test_update_refuses_self_referral(front_a: User) -> None:
    customer = customer_make(actor=front_a)
    with pytest.raises(ValidationError) as info:
        customer_update(actor=front_a, customer_id=customer.pk, data={"referrer_id": customer.pk})
    assert info.value.error_dict["referrer_id"][0].code == "self_referral"


def test_moving_a_customer_to_a_branch_one_does_not_work_in_is_refused(
    front_a: User, branch_b: Branch
) -> None:
    customer = customer_make(actor=front_a)
    with pytest.raises(ValidationError) as info:
        customer_update(actor=front_a, customer_id=customer.pk, data={"branch_id": branch_b.pk})
    assert info.value.error_dict["branch_id"][0].code == "invalid_branch"


# --- confirm ------------------------------------------------------------------------------------


def test_confirm_stamps_the_chosen_groups(front_a: User) -> None:
    with time_machine.travel(dt.datetime(2023, 1, 1, tzinfo=dt.UTC), tick=False):
        customer = customer_make(actor=front_a)
    now = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    with time_machine.travel(now, tick=False):
        customer_confirm(actor=front_a, customer_id=customer.pk, groups=["contact"])
    customer.refresh_from_db()
    assert customer.contact_verified_at == now
    assert customer.health_verified_at == dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
    assert list(
        FieldChange.objects.filter(customer=customer, kind=ChangeKind.CONFIRM).values_list(
            "field", flat=True
        )
    ) == ["contact"]


def test_confirm_without_groups_confirms_everything(front_a: User) -> None:
    with time_machine.travel(dt.datetime(2023, 1, 1, tzinfo=dt.UTC), tick=False):
        customer = customer_make(actor=front_a)
    customer_confirm(actor=front_a, customer_id=customer.pk)
    customer.refresh_from_db()
    assert customer.verified_at is not None
    assert customer.verified_at > timezone.now() - dt.timedelta(minutes=1)


def test_confirm_refuses_unknown_group(front_a: User) -> None:
    customer = customer_make(actor=front_a)
    with pytest.raises(ServiceError) as info:
        customer_confirm(actor=front_a, customer_id=customer.pk, groups=["shoe_size"])
    assert info.value.code == "invalid_group"


def test_auditor_cannot_confirm(front_a: User, auditor: User) -> None:
    customer = customer_make(actor=front_a)
    with pytest.raises(PermissionDenied):
        customer_confirm(actor=auditor, customer_id=customer.pk)


# --- photos -------------------------------------------------------------------------------------


def test_photo_needs_consent(front_a: User) -> None:
    customer = customer_make(actor=front_a)
    with pytest.raises(ServiceError) as info:
        customer_photo_add(actor=front_a, customer_id=customer.pk, image=_jpeg(), kind="before")
    assert info.value.code == "no_photo_consent"
    assert not CustomerPhoto.objects.exists()


def test_photo_is_stored_under_a_random_name_in_the_test_media_root(front_a: User) -> None:
    from django.conf import settings

    customer = customer_make(actor=front_a, photo_consent=True)
    photo = customer_photo_add(
        actor=front_a, customer_id=customer.pk, image=_jpeg("张三-正面.jpg"), kind="before"
    )
    assert "张三" not in photo.image.name
    assert photo.image.path.startswith(str(settings.MEDIA_ROOT))
    # the session-wide test setting keeps uploads out of the project's var/
    assert not photo.image.path.startswith(str(settings.PROJECT_DIR / "var"))
    assert _changes(customer, ChangeKind.PHOTO)["photos"].changed_by_id == front_a.pk


# --- merge --------------------------------------------------------------------------------------


@pytest.fixture
def pair(owner: User, branch_a: Branch) -> tuple[Customer, Customer]:
    """A survivor and its duplicate, each with data the other lacks."""
    survivor = customer_make(
        actor=owner,
        branch=branch_a,
        name="王芳",
        mobile="13812345678",
        allergies="花粉",
        tags=["VIP"],
        photo_consent=True,
    )
    duplicate = customer_make(
        actor=owner,
        branch=branch_a,
        name="王芳",
        mobile="13812345678",
        birthday=dt.date(1988, 8, 8),
        wechat_id="wangfang88",
        card_no="C-778",
        allergies="青霉素",
        notes="老客户",
        tags=["敏感肌"],
        is_key_account=True,
        photo_consent=True,
    )
    return survivor, duplicate


def test_merge_keeps_every_visit_photo_history_and_referral(
    owner: User, pair: tuple[Customer, Customer]
) -> None:
    # given a duplicate with visits, a photo, its own history and a customer it referred
    survivor, duplicate = pair
    visit_make(customer=survivor, days_ago=30)
    visits = [visit_make(customer=duplicate, days_ago=d) for d in (10, 20)]
    photo = customer_photo_add(
        actor=owner, customer_id=duplicate.pk, image=_jpeg(), kind="after", caption="术后"
    )
    customer_update(actor=owner, customer_id=duplicate.pk, data={"preferences": "靠窗"})
    history_ids = set(FieldChange.objects.filter(customer=duplicate).values_list("id", flat=True))
    referred = customer_make(actor=owner, name="赵敏", referrer_id=duplicate.pk, source="referral")

    # when it is merged into the survivor
    merge = customer_merge(actor=owner, survivor_id=survivor.pk, duplicate_id=duplicate.pk)

    # then nothing is lost: every row now points at the survivor
    assert Visit.objects.filter(customer=survivor).count() == 3
    assert set(Visit.objects.filter(customer=survivor).values_list("id", flat=True)) >= {
        v.pk for v in visits
    }
    assert not Visit.objects.filter(customer=duplicate).exists()
    photo.refresh_from_db()
    assert photo.customer_id == survivor.pk
    moved_history = set(FieldChange.objects.filter(customer=survivor).values_list("id", flat=True))
    assert history_ids <= moved_history
    referred.refresh_from_db()
    assert referred.referrer_id == survivor.pk
    assert merge.moved["sales.Visit"] == 2
    assert merge.moved["customers.CustomerPhoto"] == 1
    assert merge.moved["customers.Customer"] == 1


def test_merge_combines_the_profiles(owner: User, pair: tuple[Customer, Customer]) -> None:
    survivor, duplicate = pair
    customer_merge(actor=owner, survivor_id=survivor.pk, duplicate_id=duplicate.pk)
    survivor.refresh_from_db()
    # allergies from both are kept: losing one is the mistake a salon must never make
    assert "花粉" in survivor.allergies
    assert "青霉素" in survivor.allergies
    assert survivor.notes == "老客户"
    # blanks are filled from the duplicate, the card number moves over
    assert survivor.birthday == dt.date(1988, 8, 8)
    assert survivor.wechat_id == "wangfang88"
    assert survivor.card_no == "C-778"
    assert survivor.is_key_account is True
    # tags are the union
    assert sorted(survivor.tags.values_list("name", flat=True)) == ["VIP", "敏感肌"]
    assert survivor.completeness == completeness_of(survivor)


def test_merge_marks_the_duplicate_and_hides_it(
    owner: User, pair: tuple[Customer, Customer]
) -> None:
    from liuke.customers import selectors

    survivor, duplicate = pair
    customer_merge(actor=owner, survivor_id=survivor.pk, duplicate_id=duplicate.pk)
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == survivor.pk
    assert duplicate.card_no is None
    listed = selectors.customer_list(actor=owner, filters=selectors.CustomerFilters()).items
    assert duplicate not in listed
    assert survivor in listed
    assert [c.pk for c in selectors.customer_search(actor=owner, query="C-778")] == [survivor.pk]
    assert [c.pk for c in selectors.customer_search(actor=owner, query="wangfang")] == [survivor.pk]
    with pytest.raises(NotFound):
        selectors.customer_get(actor=owner, customer_id=duplicate.pk)


def test_merge_is_recorded_with_a_snapshot(owner: User, pair: tuple[Customer, Customer]) -> None:
    survivor, duplicate = pair
    merge = customer_merge(actor=owner, survivor_id=survivor.pk, duplicate_id=duplicate.pk)
    record = CustomerMerge.objects.get()
    assert record == merge
    assert (record.survivor_id, record.merged_id, record.merged_by_id) == (
        survivor.pk,
        duplicate.pk,
        owner.pk,
    )
    assert record.snapshot["name"] == "王芳"
    assert record.snapshot["card_no"] == "C-778"
    assert record.snapshot["allergies"] == "青霉素"
    assert record.snapshot["birthday"] == "1988-08-08"
    assert record.snapshot["tags"] == ["敏感肌"]
    merge_entries = FieldChange.objects.filter(customer=survivor, kind=ChangeKind.MERGE)
    assert merge_entries.filter(field="", old_value__contains=f"#{duplicate.pk}").exists()
    assert merge_entries.filter(field="card_no", new_value="C-778").exists()


def test_merge_keeps_the_survivors_card_and_leaves_the_duplicates_in_the_snapshot(
    owner: User, pair: tuple[Customer, Customer]
) -> None:
    survivor, duplicate = pair
    customer_update(actor=owner, customer_id=survivor.pk, data={"card_no": "S-1"})
    merge = customer_merge(actor=owner, survivor_id=survivor.pk, duplicate_id=duplicate.pk)
    survivor.refresh_from_db()
    assert survivor.card_no == "S-1"
    assert merge.snapshot["card_no"] == "C-778"


def test_merge_when_the_survivor_was_referred_by_the_duplicate(
    owner: User, pair: tuple[Customer, Customer]
) -> None:
    survivor, duplicate = pair
    customer_update(actor=owner, customer_id=survivor.pk, data={"referrer_id": duplicate.pk})
    customer_merge(actor=owner, survivor_id=survivor.pk, duplicate_id=duplicate.pk)
    survivor.refresh_from_db()
    assert survivor.referrer_id is None  # never a self-referral


def test_merge_into_itself_is_refused(owner: User, pair: tuple[Customer, Customer]) -> None:
    survivor, _ = pair
    with pytest.raises(ServiceError) as info:
        customer_merge(actor=owner, survivor_id=survivor.pk, duplicate_id=survivor.pk)
    assert info.value.code == "merge_same"


def test_merge_needs_the_capability(front_a: User, pair: tuple[Customer, Customer]) -> None:
    survivor, duplicate = pair
    with pytest.raises(PermissionDenied):
        customer_merge(actor=front_a, survivor_id=survivor.pk, duplicate_id=duplicate.pk)
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id is None
    assert not CustomerMerge.objects.exists()


def test_merge_across_business_is_not_found(
    owner: User, outsider: User, pair: tuple[Customer, Customer]
) -> None:
    survivor, _ = pair
    foreign = customer_make(actor=outsider)
    with pytest.raises(NotFound):
        customer_merge(actor=owner, survivor_id=survivor.pk, duplicate_id=foreign.pk)
    foreign.refresh_from_db()
    assert foreign.merged_into_id is None


def test_a_merged_customer_cannot_be_merged_again(
    owner: User, pair: tuple[Customer, Customer]
) -> None:
    survivor, duplicate = pair
    customer_merge(actor=owner, survivor_id=survivor.pk, duplicate_id=duplicate.pk)
    third = customer_make(actor=owner)
    with pytest.raises(NotFound):
        customer_merge(actor=owner, survivor_id=third.pk, duplicate_id=duplicate.pk)


def test_tags_are_per_business(owner: User, outsider: User) -> None:
    customer_make(actor=owner, tags=["VIP"])
    customer_make(actor=outsider, tags=["VIP"])
    assert Tag.objects.filter(name="VIP").count() == 2


def test_merge_keeps_going_when_both_have_a_row_for_the_same_occasion(
    owner: User, front_a: User, pair: tuple[Customer, Customer]
) -> None:
    # given both customers with a pending request from the same staff member and a task for
    # the same occasion (unique per customer: a plain move would break the constraint)
    survivor, duplicate = pair
    now = timezone.now()
    for customer in (survivor, duplicate):
        AccessGrant.objects.create(
            customer=customer, grantee=front_a, reason="回访", requested_at=now
        )
        Task.objects.create(
            business=customer.business,
            branch=customer.branch,
            customer=customer,
            kind=TaskKind.LAPSED,
            key="2026-01-01",
            due_at=now,
        )
    other_task = Task.objects.create(
        business=duplicate.business,
        branch=duplicate.branch,
        customer=duplicate,
        kind=TaskKind.LAPSED,
        key="2026-02-02",
        due_at=now,
    )

    # when the duplicate is merged into the survivor
    customer_merge(actor=owner, survivor_id=survivor.pk, duplicate_id=duplicate.pk)

    # then the merge went through: what did not clash moved, the clashing rows stayed behind
    other_task.refresh_from_db()
    assert other_task.customer_id == survivor.pk
    assert AccessGrant.objects.filter(customer=survivor, grantee=front_a).count() == 1
    assert AccessGrant.objects.filter(customer=duplicate, grantee=front_a).count() == 1
    assert Task.objects.filter(customer=survivor, key="2026-01-01").count() == 1
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == survivor.pk

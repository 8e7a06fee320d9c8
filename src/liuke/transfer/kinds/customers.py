"""Customers: the columns of a customer file and the check of one row.

Every archive field of the customer field catalogue (`customers.fields.FIELDS`) has a column,
the references by what a file holds (the home branch by name or code, the responsible staff
member by name, the referrer by card number or mobile), and the source system's own id, the
most stable key a re-run can match on. The writer is `customers_write`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from liuke.accounts import policy
from liuke.accounts.models import Branch, User
from liuke.customers.choices import HairType, SkinType, Source
from liuke.customers.schemas import CustomerPatch
from liuke.transfer import values as v
from liuke.transfer.kinds import Checked, Column, Written
from liuke.transfer.mapping import normalise_header

C = Column
COLUMNS: tuple[Column, ...] = (
    C(
        "source_id",
        "客户编号",
        "Customer ID",
        ("会员编号", "顾客编号", "客户ID", "会员ID", "编号", "ID", "Client ID", "Member ID"),
        example="K0001",
    ),
    C(
        "name",
        "姓名",
        "Name",
        (
            "客户姓名",
            "会员姓名",
            "顾客姓名",
            "客户名称",
            "名字",
            "Customer name",
            "Client name",
            "Full name",
        ),
        required=True,
        example="张丽",
    ),
    C(
        "mobile",
        "手机",
        "Mobile",
        (
            "手机号",
            "手机号码",
            "联系电话",
            "电话",
            "联系方式",
            "移动电话",
            "Phone",
            "Mobile number",
            "Phone number",
            "Telephone",
            "Mobile phone",
        ),
        example="13800138000",
    ),
    C(
        "card_no",
        "卡号",
        "Card number",
        ("会员卡号", "会员卡", "卡号码", "Card no", "Card", "Member card", "Membership number"),
        example="A1001",
    ),
    C("gender", "性别", "Gender", ("Sex",), example="女"),
    C(
        "birthday",
        "生日",
        "Birthday",
        ("出生日期", "生日日期", "出生年月", "Date of birth", "DOB", "Birth date"),
        example="1990-05-12",
    ),
    C("wechat_id", "微信号", "WeChat ID", ("微信", "WeChat", "Wechat"), example="zhangli_90"),
    C(
        "address_as",
        "称呼",
        "Form of address",
        ("尊称", "Salutation", "Address as"),
        example="张姐",
    ),
    C(
        "branch",
        "门店",
        "Branch",
        (
            "所属门店",
            "归属门店",
            "开卡门店",
            "店铺",
            "分店",
            "Store",
            "Location",
            "Salon",
            "Home branch",
        ),
        example="静安店",
    ),
    C(
        "owner",
        "负责员工",
        "Responsible staff",
        (
            "负责人",
            "专属顾问",
            "所属员工",
            "服务顾问",
            "顾问",
            "所属顾问",
            "美容顾问",
            "Staff",
            "Staff member",
            "Consultant",
        ),
        example="王芳",
    ),
    C(
        "referrer",
        "推荐人",
        "Referred by",
        ("介绍人", "推荐人手机", "推荐人卡号", "推荐会员", "Referrer", "Referral"),
        example="13900139000",
    ),
    C(
        "source",
        "来源",
        "Source",
        ("客户来源", "渠道", "来源渠道", "Referral source", "Channel"),
        example="转介绍",
    ),
    C("tags", "标签", "Tags", ("客户标签", "会员标签", "Labels", "Tag"), example="VIP、敏感肌"),
    C(
        "skin_type",
        "肤质",
        "Skin type",
        (
            "皮肤类型",
            "皮肤",
        ),
        example="干性",
    ),
    C("hair_type", "发质", "Hair type", ("头发类型",), example="细软"),
    C("allergies", "过敏", "Allergies", ("过敏史", "过敏原", "过敏物", "Allergy"), example="酒精"),
    C("contraindications", "禁忌", "Contraindications", ("禁忌症", "禁忌项目"), example=""),
    C("preferences", "喜好", "Preferences", ("偏好", "喜好偏好", "Likes"), example="喜欢安静"),
    C(
        "notes",
        "备注",
        "Notes",
        ("备注信息", "说明", "Remarks", "Remark", "Comment", "Comments", "Note"),
        example="",
    ),
    C("confidential_notes", "机密备注", "Confidential notes", ("私密备注", "内部备注"), example=""),
    C("is_key_account", "重点客户", "Key account", ("大客户", "VIP客户", "重要客户"), example="否"),
    C(
        "marketing_consent",
        "同意营销",
        "Marketing consent",
        ("营销同意", "接收营销", "接收推广", "Accepts marketing", "Marketing opt-in"),
        example="是",
    ),
    C("photo_consent", "同意拍照", "Photo consent", ("拍照同意", "照片授权"), example="否"),
    C("service_notices", "消费提醒", "Service notices", ("接收消费提醒", "Notices"), example="是"),
)

#: Words salons write for the choices, beside the choices' own labels in both languages.
_CHOICE_WORDS: dict[str, dict[str, str]] = {
    "source": {
        "到店": "walk_in",
        "自然进店": "walk_in",
        "进店": "walk_in",
        "转介绍": "referral",
        "老带新": "referral",
        "介绍": "referral",
        "朋友介绍": "referral",
        "美团": "online",
        "大众点评": "online",
        "点评": "online",
        "网络": "online",
        "线上": "online",
        "活动": "event",
        "小红书": "social",
        "抖音": "social",
        "合作": "partner",
        "其他": "other",
        "其它": "other",
    },
    "skin_type": {
        "中性": "normal",
        "干性": "dry",
        "油性": "oily",
        "混合性": "combination",
        "混合": "combination",
        "混合型": "combination",
        "敏感": "sensitive",
        "敏感肌": "sensitive",
        "敏感性": "sensitive",
    },
    "hair_type": {
        "中性": "normal",
        "干性": "dry",
        "受损": "dry",
        "油性": "oily",
        "细软": "fine",
        "细": "fine",
        "粗硬": "thick",
        "粗": "thick",
        "卷发": "curly",
        "自然卷": "curly",
    },
}
_CHOICES = {"source": Source, "skin_type": SkinType, "hair_type": HairType}
_TEXT = (
    "name",
    "address_as",
    "card_no",
    "wechat_id",
    "allergies",
    "contraindications",
    "preferences",
    "notes",
    "confidential_notes",
)
_BOOLS = ("is_key_account", "marketing_consent", "photo_consent", "service_notices")
#: the catalogue's fields with their column (every field of `FIELDS` is imported; a test checks)
IMPORTED_FIELDS = frozenset(_TEXT + _BOOLS) | {
    "mobile",
    "gender",
    "birthday",
    "source",
    "skin_type",
    "hair_type",
    "tags",
    "branch_id",
    "owner_id",
    "referrer_id",
}
_COLUMN_OF_FIELD = {"branch_id": "branch", "owner_id": "owner", "referrer_id": "referrer"}


def _choice_words(name: str) -> dict[str, str]:
    words = {normalise_header(k): val for k, val in _CHOICE_WORDS[name].items()}
    for value, label in _CHOICES[name].choices:
        if not value:
            continue
        words[normalise_header(value)] = value
        for language in ("en", "zh-hans"):
            with translation.override(language):
                words.setdefault(normalise_header(str(label)), value)
    return words


@dataclass
class CustomerContext:
    """What every row of a batch needs from the database, read once."""

    actor: User
    business_id: int
    #: normalised branch name or code → id (the branches chosen for the batch)
    branches: dict[str, int]
    default_branch_id: int | None
    #: normalised staff name (display name, full name, login) → id
    staff: dict[str, int]
    choice_words: dict[str, dict[str, str]] = field(default_factory=dict)
    #: card numbers and mobiles of the rows a dry run has passed (referrers later in the file)
    seen_refs: set[str] = field(default_factory=set)
    #: mobile or card number → the stable key and row number of the first row of the run that
    #: brought it: a later row with it under another key is an in-file duplicate (two source
    #: ids, one mobile), reported instead of written over the first on every re-run
    claimed: dict[str, tuple[str, int]] = field(default_factory=dict)


def context(*, actor: User, branch_ids: Sequence[int]) -> CustomerContext:
    business_id = policy.business_of(actor)
    usable = [
        b
        for b in Branch.objects.filter(business_id=business_id, is_active=True).order_by("pk")
        if policy.may_use_branch(actor, b)
    ]
    chosen = [b for b in usable if b.pk in set(branch_ids)] if branch_ids else usable
    branches: dict[str, int] = {}
    for b in chosen:
        branches.setdefault(normalise_header(b.name), b.pk)
        branches.setdefault(normalise_header(b.code), b.pk)
    staff: dict[str, int] = {}
    for user in User.objects.filter(business_id=business_id, is_active=True).order_by("pk"):
        for name in (
            user.display_name,
            user.get_full_name(),
            user.last_name + user.first_name,
            user.username,
        ):
            if name.strip():
                staff.setdefault(normalise_header(name), user.pk)
    return CustomerContext(
        actor=actor,
        business_id=business_id,
        branches=branches,
        default_branch_id=chosen[0].pk if chosen else None,
        staff=staff,
        choice_words={name: _choice_words(name) for name in _CHOICES},
    )


# --- one row --------------------------------------------------------------------------------------


def _reader(key: str, ctx: CustomerContext) -> Callable[[Any], Any]:
    if key in _BOOLS:
        return v.parse_yes_no
    if key in _CHOICES:
        return lambda cell: _choice(key, cell, ctx)
    return {"gender": v.parse_gender, "tags": v.split_tags}.get(key, v.text_of)


def _choice(name: str, cell: Any, ctx: CustomerContext) -> str:
    text = normalise_header(v.text_of(cell))
    if not text:
        return ""
    found = ctx.choice_words[name].get(text)
    if found is None:
        raise v.BadValue(_("Not one of the choices of this column."))
    return found


def check(
    row_no: int, cells: list[Any], values: Mapping[str, Any], ctx: CustomerContext
) -> Checked:
    """One row's cells (by field key) → the customer fields as stored, or its problems."""
    out = Checked(row_no=row_no, cells=cells)
    data: dict[str, Any] = {}
    extra: list[str] = []
    #: the mobile as `parse_phone` read it (phonenumbers, as `core.phone` reads it): not read
    #: a second time by the archive's input, the slowest part of a row's check
    mobile: dict[str, str] = {}
    for key, cell in values.items():
        try:
            if key == "mobile":
                phone = v.parse_phone(cell)
                mobile["mobile"] = phone.mobile
                if phone.other:
                    label = _("Landline") if phone.kind == "landline" else _("Phone abroad")
                    extra.append(f"{label}: {phone.other}")
            elif key == "birthday":
                day = v.parse_date(cell, year_optional=True)
                if isinstance(day, v.MonthDay):
                    extra.append(_("Birthday (year unknown): %(day)s") % {"day": day})
                else:
                    data["birthday"] = day
            elif key in ("branch", "owner", "referrer", "source_id"):
                out.refs[key] = v.text_of(cell)
            else:
                data[key] = _reader(key, ctx)(cell)
        except v.BadValue as exc:
            out.problems.append((key, exc.message))
    _resolve_refs(out, data, ctx)
    if extra:
        data["notes"] = "\n".join(filter(None, [data.get("notes", ""), *extra]))
    try:
        cleaned, errors = CustomerPatch.from_mapping(data).normalised()
    except ValidationError as exc:
        cleaned, errors = {}, exc.error_dict
    for name, problems in errors.items():
        out.problems.extend(
            (_COLUMN_OF_FIELD.get(name, name), str(p.message % p.params if p.params else p.message))
            for p in problems
        )
    if out.problems:
        return out
    out.values = cleaned | mobile
    source_id = out.refs.get("source_id", "")
    card_no = cleaned.get("card_no") or ""
    number = mobile.get("mobile", "")
    out.key = (
        (source_id and f"id:{source_id}")
        or (card_no and f"card:{card_no}")
        or (number and f"mobile:{number}")
    )
    return out


def _resolve_refs(out: Checked, data: dict[str, Any], ctx: CustomerContext) -> None:
    """The home branch and the responsible staff member by name (known from the context); the
    referrer is resolved by the writer, which sees the database."""
    branch = out.refs.get("branch", "")
    if branch:
        found = ctx.branches.get(normalise_header(branch))
        if found is None:
            out.problems.append(("branch", _("Not one of the branches chosen for this import.")))
        data["branch_id"] = found
    else:
        data["branch_id"] = ctx.default_branch_id
    owner = out.refs.get("owner", "")
    if owner:
        staff = ctx.staff.get(normalise_header(owner))
        if staff is None:
            out.problems.append(("owner", _("No active staff member has this name.")))
        data["owner_id"] = staff


class CustomersKind:
    """The customers kind (see `transfer.kinds`)."""

    name = "customers"
    columns = COLUMNS

    def context(self, *, actor: Any, branch_ids: Sequence[int]) -> CustomerContext:
        return context(actor=actor, branch_ids=branch_ids)

    def check(self, row_no: int, cells: list[Any], values: Mapping[str, Any], ctx: Any) -> Checked:
        return check(row_no, cells, values, ctx)

    def write(self, rows: list[Checked], ctx: Any, *, batch: Any, dry_run: bool) -> Written:
        from liuke.transfer.kinds.customers_write import write

        return write(rows, ctx, batch=batch, dry_run=dry_run)

    def undo_blockers(self, batch: Any) -> list[str]:
        from liuke.transfer.undo import blockers

        return blockers(batch)

    def undo_remove(self, batch: Any) -> tuple[int, list[int]]:
        from liuke.transfer.undo import remove_created

        removed = remove_created(batch)
        return len(removed), removed


KIND = CustomersKind()

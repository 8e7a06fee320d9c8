"""What a new business starts with: the causes of complaints from the source text's list of
why customers get angry (managers add their own), the response and resolution targets per
severity and the compensation limits per role. Written by `defaults_ensure` (idempotent)
when a business is created (`accounts.services.business_provision`; existing ones by a data
migration); pages and the API only read them (`selectors.settings_of`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from liuke.accounts.choices import Role

#: (code, Chinese name, English name): the source text's reasons, in its words where it can.
CAUSES: list[tuple[str, str, str]] = [
    ("broken_promise", "承诺没有兑现", "A promise was not kept"),
    ("rudeness", "冷漠、粗鲁或不礼貌", "Cold, rude or impolite"),
    (
        "conflicting_staff",
        "两个员工说法不一（一个指东一个指西）",
        "Two staff said different things",
    ),
    ("transferred", "未经同意被转接", "Transferred without consent"),
    ("not_listened", "觉得她的话没人理睬", "Not listened to"),
    ("bad_attitude", "觉得员工对他态度不好", "Felt badly treated"),
    ("questioned", "在电话中受到盘查、信誉受到质疑", "Interrogated or doubted"),
    ("argued", "员工与顾客发生争论", "A staff member argued"),
    ("result", "效果不符合预期", "Result not as expected"),
    ("price", "价格争议", "Price dispute"),
    ("hygiene", "卫生问题", "Hygiene"),
    ("allergy", "过敏或皮肤反应", "Allergy or skin reaction"),
    ("waiting", "等候时间太长", "Waiting time"),
    ("wrong_assumption", "对我们会做的事有错误的预期", "Wrong assumption about what we do"),
    ("untrained", "员工培训不足，处理不了问题", "Staff not trained to solve it"),
    ("other", "其他", "Other"),
]

#: severity → (first response within minutes, resolution within hours)
TARGETS: dict[str, tuple[int, int]] = {
    "low": (24 * 60, 7 * 24),
    "medium": (4 * 60, 72),
    "high": (60, 24),
    "critical": (30, 8),
}

#: role → compensation a staff member may give without approval (fen); None: no limit.
COMPENSATION_LIMITS: dict[str, int | None] = {
    Role.OWNER: None,
    Role.MANAGER: 100_000,
    Role.FRONT_DESK: 5_000,
    Role.BEAUTICIAN: 0,
}


def targets() -> dict[str, int]:
    """The settings' target fields with their default values."""
    values: dict[str, int] = {}
    for severity, (minutes, hours) in TARGETS.items():
        values[f"response_{severity}_min"] = minutes
        values[f"resolution_{severity}_h"] = hours
    return values


def write(business_id: int, get_model: Callable[[str, str], Any]) -> None:
    """Give a business the causes and the settings row it lacks (idempotent: rows a manager
    edited are left alone). `get_model` is Django's, or a data migration's for the historical
    models, so that the migration and `defaults_ensure` write the same rows."""
    cause = get_model("complaints", "ComplaintCause")
    settings = get_model("complaints", "ComplaintSettings")
    cause.objects.bulk_create(
        [
            cause(business_id=business_id, code=code, name_zh=zh, name_en=en, position=(i + 1) * 10)
            for i, (code, zh, en) in enumerate(CAUSES)
        ],
        ignore_conflicts=True,
    )
    settings.objects.bulk_create(
        [settings(business_id=business_id, **targets())], ignore_conflicts=True
    )

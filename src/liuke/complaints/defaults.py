"""What a new business starts with: the causes of complaints from the source text's list of
why customers get angry (managers add their own), the response and resolution targets per
severity and the compensation limits per role. Written by `defaults_ensure` (idempotent)."""

from __future__ import annotations

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

"""The fixed ingredients of the demo salon: names, staff, branches, menu, tags and free texts.

Surname weights follow the published frequency of Chinese surnames (per cent of the population,
2020 census order), with Shanghai's 陆, 沈, 顾, 钱 … a little higher; a few surnames that
`liuke.core.pinyin` reads specially (曾, 单, 解, 查, 翟, 仇) and two compound surnames are there so
that search by pinyin and initials meets them. Given names are the common ones of the 1960s–2000s.
"""

from __future__ import annotations

from liuke.accounts.choices import Role
from liuke.sales.models import ServiceCategory

BUSINESS_NAME = "丽颜美容"

#: (code, name, address, phone)
BRANCHES: tuple[tuple[str, str, str, str], ...] = (
    ("B01", "静安店", "上海市静安区愚园路168号环球世界大厦2楼", "021-62588866"),
    ("B02", "浦东店", "上海市浦东新区张杨路500号华润时代广场3楼", "021-58306688"),
)
#: Share of new customers who register at each branch (same order as BRANCHES).
BRANCH_SHARE = (0.56, 0.44)

#: (username, display name, role, branch codes). The owner's username comes from the caller.
STAFF: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("", "林美华", Role.OWNER, ("B01", "B02")),
    ("manager_jingan", "陈静怡", Role.MANAGER, ("B01",)),
    ("manager_pudong", "王晓燕", Role.MANAGER, ("B02",)),
    ("front_jingan", "周婷", Role.FRONT_DESK, ("B01",)),
    ("front_pudong", "吴佳琪", Role.FRONT_DESK, ("B02",)),
    ("beautician_li", "李娜", Role.BEAUTICIAN, ("B01",)),
    ("beautician_zhang", "张敏", Role.BEAUTICIAN, ("B01",)),
    ("beautician_sun", "孙丽", Role.BEAUTICIAN, ("B01",)),
    ("beautician_liu", "刘芳", Role.BEAUTICIAN, ("B02",)),
    ("beautician_zhao", "赵雪", Role.BEAUTICIAN, ("B02",)),
    ("beautician_huang", "黄倩", Role.BEAUTICIAN, ("B02",)),
    ("auditor_xu", "徐建国", Role.AUDITOR, ()),
)

#: (category, name, duration in minutes, list price in yuan). Shanghai mid-range prices.
SERVICES: tuple[tuple[str, str, int, int], ...] = (
    (ServiceCategory.FACIAL, "深层清洁护理", 60, 298),
    (ServiceCategory.FACIAL, "补水保湿护理", 75, 398),
    (ServiceCategory.FACIAL, "美白淡斑护理", 90, 580),
    (ServiceCategory.FACIAL, "玻尿酸导入", 90, 680),
    (ServiceCategory.FACIAL, "抗衰紧致护理", 90, 980),
    (ServiceCategory.FACIAL, "光子嫩肤", 60, 1280),
    (ServiceCategory.HAIR, "设计师剪发", 45, 128),
    (ServiceCategory.HAIR, "头皮护理", 60, 268),
    (ServiceCategory.HAIR, "总监剪发", 60, 388),
    (ServiceCategory.HAIR, "染发", 120, 588),
    (ServiceCategory.HAIR, "烫发", 150, 688),
    (ServiceCategory.NAILS, "纯色美甲", 60, 168),
    (ServiceCategory.NAILS, "款式美甲", 90, 298),
    (ServiceCategory.LASHES, "嫁接睫毛", 90, 298),
    (ServiceCategory.LASHES, "半永久雾眉", 150, 1980),
    (ServiceCategory.SPA, "足疗", 60, 198),
    (ServiceCategory.SPA, "肩颈理疗", 60, 238),
    (ServiceCategory.SPA, "精油全身按摩", 90, 458),
    (ServiceCategory.BODY, "背部护理", 60, 380),
    (ServiceCategory.BODY, "纤体塑形", 90, 880),
    (ServiceCategory.OTHER, "冰点脱毛（腋下）", 30, 199),
)

#: How often each category is a customer's main interest, for women and for men.
CATEGORY_WEIGHTS_F: dict[str, float] = {
    ServiceCategory.FACIAL: 0.38,
    ServiceCategory.HAIR: 0.22,
    ServiceCategory.NAILS: 0.12,
    ServiceCategory.SPA: 0.12,
    ServiceCategory.BODY: 0.08,
    ServiceCategory.LASHES: 0.06,
    ServiceCategory.OTHER: 0.02,
}
CATEGORY_WEIGHTS_M: dict[str, float] = {
    ServiceCategory.FACIAL: 0.14,
    ServiceCategory.HAIR: 0.55,
    ServiceCategory.NAILS: 0.0,
    ServiceCategory.SPA: 0.26,
    ServiceCategory.BODY: 0.05,
    ServiceCategory.LASHES: 0.0,
    ServiceCategory.OTHER: 0.0,
}

TAGS: tuple[str, ...] = ("VIP", "敏感肌", "学生", "孕期", "新客", "老客", "储值会员", "需回访")

# fmt: off
#: (surname, per cent of the population)
SURNAMES: tuple[tuple[str, float], ...] = (
    ("王", 7.12), ("李", 7.00), ("张", 6.13), ("刘", 5.38), ("陈", 4.53), ("杨", 3.08),
    ("黄", 2.23), ("赵", 2.20), ("吴", 2.05), ("周", 1.91), ("徐", 1.65), ("孙", 1.54),
    ("马", 1.38), ("朱", 1.34), ("胡", 1.32), ("郭", 1.15), ("何", 1.12), ("林", 1.05),
    ("高", 1.04), ("罗", 0.98), ("郑", 0.95), ("梁", 0.88), ("谢", 0.81), ("宋", 0.76),
    ("唐", 0.76), ("许", 0.70), ("韩", 0.69), ("冯", 0.67), ("邓", 0.66), ("曹", 0.64),
    ("彭", 0.61), ("曾", 0.60), ("肖", 0.59), ("田", 0.56), ("董", 0.53), ("袁", 0.52),
    ("潘", 0.51), ("于", 0.50), ("蒋", 0.49), ("蔡", 0.48), ("余", 0.47), ("杜", 0.46),
    ("叶", 0.45), ("程", 0.43), ("苏", 0.42), ("魏", 0.41), ("吕", 0.40), ("丁", 0.39),
    ("任", 0.38), ("沈", 0.52), ("姚", 0.36), ("卢", 0.35), ("姜", 0.35), ("崔", 0.33),
    ("钟", 0.33), ("谭", 0.32), ("陆", 0.45), ("汪", 0.31), ("范", 0.30), ("金", 0.30),
    ("石", 0.29), ("廖", 0.28), ("贾", 0.28), ("夏", 0.27), ("韦", 0.26), ("付", 0.26),
    ("方", 0.25), ("白", 0.24), ("邹", 0.24), ("孟", 0.23), ("熊", 0.23), ("秦", 0.22),
    ("邱", 0.22), ("江", 0.21), ("尹", 0.21), ("薛", 0.20), ("闫", 0.20), ("段", 0.19),
    ("雷", 0.19), ("侯", 0.18), ("龙", 0.18), ("史", 0.18), ("陶", 0.17), ("黎", 0.17),
    ("贺", 0.16), ("顾", 0.30), ("毛", 0.15), ("郝", 0.15), ("龚", 0.14), ("邵", 0.14),
    ("万", 0.13), ("钱", 0.20), ("严", 0.13), ("覃", 0.12), ("武", 0.12), ("戴", 0.12),
    ("莫", 0.11), ("孔", 0.11), ("向", 0.10), ("汤", 0.10), ("单", 0.05), ("解", 0.04),
    ("查", 0.03), ("翟", 0.05), ("仇", 0.02), ("欧阳", 0.04), ("上官", 0.01),
)

#: Women's given names: one or two characters, the common ones of the 1960s–2000s.
GIVEN_F: tuple[str, ...] = (
    "丽", "婷", "静", "敏", "燕", "艳", "娟", "霞", "芳", "娜", "玲", "红", "琳", "颖", "倩",
    "洁", "雪", "慧", "莉", "萍", "璐", "佳", "蕾", "薇", "晶", "琴", "云", "悦", "欣", "瑶",
    "秀英", "桂英", "秀兰", "玉兰", "桂兰", "丽娟", "丽华", "丽萍", "晓燕", "晓红", "晓丽",
    "晓敏", "晓静", "晓婷", "晓雪", "雪梅", "海燕", "红梅", "春梅", "美玲", "美华", "美琪",
    "婷婷", "静静", "丹丹", "莉莉", "娜娜", "佳佳", "晶晶", "倩倩", "露露", "媛媛", "欢欢",
    "佳怡", "佳琪", "梦琪", "雨婷", "欣怡", "诗涵", "思琪", "子涵", "可欣", "紫涵", "梓萱",
    "雅琴", "雅婷", "雅静", "雅雯", "静怡", "婉婷", "诗雨", "语嫣", "若曦", "一诺", "安琪",
    "文静", "文娟", "慧敏", "慧琳", "嘉欣", "嘉怡", "宇婷", "雨欣", "心怡", "思雨", "梦瑶",
    "秀珍", "凤英", "玉梅", "玉珍", "建华", "丽君", "丽丽", "春燕", "秋菊", "冬梅", "月华",
    "海霞", "素芬", "翠萍", "美娟", "亚男", "卫红", "小红", "小燕", "小梅", "晓琳", "晓君",
    "琪琪", "菲菲", "楠楠", "圆圆", "甜甜", "彤彤", "蓉", "珊", "蕊", "菁", "岚", "妍",
    "雯", "婧", "璇", "晗", "昕", "怡", "妮", "曼", "蓓", "珏", "青", "虹", "梅", "英",
    "思彤", "欣然", "钰彤", "诗琪", "雨涵", "晨曦", "沐晴", "芷若", "清妍", "语彤", "佩琪",
    "嘉琪", "宛如", "婉清", "梦洁", "玉洁", "冰冰", "雪莹", "晓颖", "秀娟", "淑珍", "淑华",
)
#: Men's given names.
GIVEN_M: tuple[str, ...] = (
    "伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华",
    "飞", "鑫", "波", "宇", "浩", "凯", "健", "俊", "帆", "帅", "旭", "宁", "龙", "林", "阳",
    "建国", "建军", "志强", "志明", "国强", "海涛", "晓东", "文博", "子轩", "浩然", "宇航",
    "俊杰", "家豪", "天佑", "一鸣", "博文", "明轩", "子豪", "皓轩", "嘉懿", "晨阳", "思远",
)
# fmt: on

#: Valid mainland mobile prefixes with their rough share of subscribers (China Mobile,
#: China Unicom, China Telecom). Every number built from these validates with phonenumbers.
MOBILE_PREFIXES: tuple[tuple[str, float], ...] = (
    ("139", 6), ("138", 6), ("137", 4), ("136", 4), ("135", 4), ("134", 2), ("150", 3),
    ("151", 3), ("152", 2), ("157", 1), ("158", 3), ("159", 3), ("182", 2), ("183", 2),
    ("187", 3), ("188", 2), ("178", 1), ("147", 1), ("198", 1),
    ("130", 3), ("131", 3), ("132", 2), ("155", 2), ("156", 2), ("185", 2), ("186", 3),
    ("166", 1), ("175", 1), ("176", 1),
    ("133", 2), ("153", 2), ("180", 2), ("181", 2), ("189", 3), ("177", 1), ("173", 1),
    ("199", 1), ("191", 1),
)  # fmt: skip

ALLERGIES: tuple[str, ...] = (
    "对酒精过敏", "果酸敏感", "对花粉过敏", "对芒果过敏", "对海鲜过敏", "对香精过敏",
    "对乳胶过敏", "对染发剂（PPD）过敏", "对水杨酸敏感", "对薰衣草精油过敏", "对坚果过敏",
)  # fmt: skip
CONTRAINDICATIONS_PREGNANT = "孕期"
CONTRAINDICATIONS: tuple[str, ...] = (
    "近期做过激光（两周内）", "高血压", "皮肤破损，暂停去角质", "近期注射过玻尿酸",
    "装有心脏起搏器，禁用射频", "正在服用维A酸", "哺乳期",
)  # fmt: skip
PREFERENCES: tuple[str, ...] = (
    "喜欢安静", "偏好女技师", "力度轻", "力度重一点", "不喜欢推销", "喜欢聊天", "周末下午来",
    "下班后来（19点后）", "怕冷，需要加毯子", "对香味敏感", "喜欢玫瑰精油", "需要停车位",
    "常带孩子来", "只做指定技师", "水温偏热", "不喝茶，只要温水", "午休时间来，赶时间",
    "喜欢靠窗的房间", "提前一天微信提醒", "不接电话，请发微信",
)  # fmt: skip
NOTES: tuple[str, ...] = (
    "生日月赠送护理一次", "老客户介绍，注意维护", "对价格敏感，推荐套餐",
    "上次投诉等待时间长，已致歉", "办卡意向高", "公司团购客户", "与闺蜜一起来",
    "年卡到期前提醒续卡",
)  # fmt: skip

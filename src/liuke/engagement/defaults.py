"""What a new business starts with: the contact reasons of a salon with their best responses
(phrased as solutions: "the quickest way is …", principle 12 of the service text), the
follow-up schedule (day 1, 7, 30) and the message templates. Written by `defaults_ensure`
(idempotent) when a business is created (`accounts.services.business_provision`; existing ones
by a data migration); pages and the API only read them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from liuke.engagement.choices import MessageKind

#: (code, Chinese name, English name, Chinese best response, English best response)
REASONS: list[tuple[str, str, str, str, str]] = [
    (
        "booking", "预约", "Booking",
        "最快的方式是现在就帮您约好：告诉我方便的日期和时间，我马上为您确认美容师和房间。",
        "The quickest way is to book it right now: tell me the day and time that suit you "
        "and I will confirm the therapist and the room at once.",
    ),
    (
        "reschedule", "改约/取消", "Change or cancel a booking",
        "没问题，我直接为您改到最合适的时间；如果今天不方便，我给您留出同一位美容师的空档。",
        "No problem: I will move it to the time that suits you best, and keep a slot with "
        "the same therapist if today does not work.",
    ),
    (
        "price", "价格咨询", "Price question",
        "最划算的做法是：我先按您的需求推荐合适的项目，再告诉您会员价和疗程卡能省多少。",
        "The best value is to pick the right treatment for you first; I will then show you "
        "the member price and what a package saves.",
    ),
    (
        "result", "效果不理想", "Result not as expected",
        "很抱歉效果没有达到您的期望。最快的解决办法是请您回店，由店长和美容师免费为您复查并调整方案。",
        "I am sorry the result is not what you hoped for. The quickest fix is a free check "
        "with the manager and your therapist, who will adjust the treatment.",
    ),
    (
        "allergy", "过敏反应", "Allergy reaction",
        "请先停止使用相关产品，用清水轻柔冲洗；我马上安排店长今天联系您，必要时陪同就医，费用由我们承担。",
        "Please stop using the product and rinse gently with water; the manager will call "
        "you today and, if needed, go with you to a doctor at our cost.",
    ),
    (
        "balance", "储值卡/疗程卡余额", "Card balance or package sessions",
        "我现在就为您查：储值余额、剩余次数和有效期一次说清，并可以把明细发给您。",
        "I will look it up now: balance, sessions left and expiry date in one answer, and I "
        "can send you the statement.",
    ),
    (
        "complaint", "投诉", "Complaint",
        "感谢您告诉我们。我先记录下全部经过，由店长在约定时间内给您答复，并告诉您我们如何改进。",
        "Thank you for telling us. I will note everything now; the manager will answer you "
        "by the agreed time and tell you what we changed.",
    ),
    (
        "product", "产品咨询", "Product question",
        "最合适的办法是按您的肤质推荐：我先了解您的皮肤状况，再推荐一两款并给您试用装。",
        "The best way is a recommendation for your skin: a few questions first, then one or "
        "two products and a sample to try.",
    ),
    (
        "hours", "营业时间/地址", "Opening hours or address",
        "我把门店地址、营业时间和停车信息直接发给您，到店前一小时还可以提醒您。",
        "I will send you the address, opening hours and parking details, and can remind you "
        "an hour before you come.",
    ),
    (
        "other", "其他", "Other",
        "我先记录您的需求，能马上解决的现在解决，需要确认的会在约定时间内回复您。",
        "I will note what you need: what can be solved now is solved now, the rest gets an "
        "answer by the time we agree.",
    ),
]  # fmt: skip

#: (day, Chinese purpose, English purpose): rules for every visit (category "").
FOLLOW_UP_DAYS: list[tuple[int, str, str]] = [
    (1, "次日关怀：询问护理后感受", "Day 1 comfort check"),
    (7, "一周回访：了解护理效果", "Day 7 result check"),
    (30, "30天回访：邀约下次护理", "Day 30 rebooking call"),
]

#: kind → (Chinese text, English text)
TEMPLATES: dict[str, tuple[str, str]] = {
    MessageKind.BIRTHDAY: (
        "{salutation}您好，{date}是您的生日，{branch}全体同事祝您生日快乐！生日当月到店护理可享专属礼遇。",
        "Dear {salutation}, happy birthday for {date} from everyone at {branch}! A birthday "
        "treat waits for you this month.",
    ),
    MessageKind.CARD_EXPIRY: (
        "{salutation}您好，您的储值卡将于{date}到期，余额{detail}，欢迎在到期前到{branch}使用。",
        "Dear {salutation}, your stored-value card expires on {date} with {detail} left; you are "
        "welcome at {branch} before then.",
    ),
    MessageKind.PACKAGE_EXPIRY: (
        "{salutation}您好，您的疗程卡将于{date}到期，还剩{detail}次，欢迎尽快预约{branch}。",
        "Dear {salutation}, your package expires on {date} with {detail} sessions left; book at "
        "{branch} soon.",
    ),
    MessageKind.REBOOKING: (
        "{salutation}您好，提醒您{date}在{branch}的护理预约，期待您的光临。",
        "Dear {salutation}, a reminder of your appointment at {branch} on {date}. We look forward "
        "to seeing you.",
    ),
    MessageKind.WIN_BACK: (
        "{salutation}您好，好久不见，{branch}的美容师很想念您，欢迎回来做一次护理。",
        "Dear {salutation}, it has been a while; everyone at {branch} would love to see you "
        "again.",
    ),
    MessageKind.SURVEY: (
        "{salutation}您好，感谢您今天光临{branch}！想听听您对这次服务的评价，一分钟即可完成：{link}",
        "Dear {salutation}, thank you for visiting {branch} today! Tell us how it went, it "
        "takes a minute: {link}",
    ),
    MessageKind.YOU_SAID: (
        "{salutation}您好，您提的意见我们已经改进：{detail}。谢谢您帮助{branch}变得更好！",
        "Dear {salutation}, you told us and we acted: {detail}. Thank you for helping {branch} "
        "get better!",
    ),
    MessageKind.CONSUMPTION: (
        "{salutation}您好，您{date}在{branch}消费：{detail}。如有疑问请联系门店。",
        "Dear {salutation}, your visit to {branch} on {date}: {detail}. Please contact us with any "
        "question.",
    ),
    MessageKind.APPOINTMENT_BOOKED: (
        "{salutation}您好，您已预约{date} {detail}在{branch}的护理，期待您的光临。"
        "如需改约请提前联系门店。",
        "Dear {salutation}, you are booked at {branch} on {date} at {detail}. We look forward "
        "to seeing you; to change it, please tell us in good time.",
    ),
    MessageKind.APPOINTMENT_REMINDER: (
        "{salutation}您好，提醒您{date} {detail}在{branch}的预约。"
        "请点击确认：{link}（也可直接回复1确认）",
        "Dear {salutation}, a reminder of your appointment at {branch} on {date} at {detail}. "
        "Please confirm: {link} (or reply 1)",
    ),
    MessageKind.WAITLIST_OFFER: (
        "{salutation}您好，您在{branch}候补的时间有空了：{detail}。请回复或来电确认预约。",
        "Dear {salutation}, the time you waited for at {branch} is free: {detail}. Reply or call "
        "us to book it.",
    ),
}  # fmt: skip


def write(business_id: int, get_model: Callable[[str, str], Any]) -> None:
    """Give a business the reasons, follow-up rules and templates it lacks (idempotent: rows
    a manager edited are left alone). `get_model` is Django's, or a data migration's for the
    historical models, so that the migration and `defaults_ensure` write the same rows."""
    reason = get_model("engagement", "ContactReason")
    rule = get_model("engagement", "FollowUpRule")
    template = get_model("engagement", "MessageTemplate")
    reason.objects.bulk_create(
        [
            reason(
                business_id=business_id,
                code=code,
                name_zh=zh,
                name_en=en,
                response_zh=rzh,
                response_en=ren,
                position=(i + 1) * 10,
            )
            for i, (code, zh, en, rzh, ren) in enumerate(REASONS)
        ],
        ignore_conflicts=True,
    )
    if not rule.objects.filter(business_id=business_id).exists():
        rule.objects.bulk_create(
            [
                rule(business_id=business_id, day=day, purpose_zh=zh, purpose_en=en)
                for day, zh, en in FOLLOW_UP_DAYS
            ],
            ignore_conflicts=True,
        )
    template.objects.bulk_create(
        [
            template(business_id=business_id, kind=str(kind), body_zh=zh, body_en=en)
            for kind, (zh, en) in TEMPLATES.items()
        ],
        ignore_conflicts=True,
    )

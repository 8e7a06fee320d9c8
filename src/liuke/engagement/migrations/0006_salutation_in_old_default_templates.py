"""Data: a business whose message templates still hold the old default text greets customers
with {salutation} (张女士, or the form of address stored on the profile) instead of the given
name alone ("颖，您好！") or the full name. Only a text that is exactly the old default is
changed: a template the owner wrote stays as written. The reverse puts the old text back on the
rows that now hold the new default."""

from __future__ import annotations

from typing import Any

from django.db import migrations

#: kind → (Chinese, English): the default texts before {salutation}, frozen here (the defaults
#: module moves on; this migration must keep recognising what was written then).
OLD: dict[str, tuple[str, str]] = {
    "birthday": (
        "{first_name}您好，{date}是您的生日，{branch}全体同事祝您生日快乐！生日当月到店护理可享专属礼遇。",
        "Dear {first_name}, happy birthday for {date} from everyone at {branch}! A birthday treat waits for you this month.",
    ),
    "card_expiry": (
        "{name}您好，您的储值卡将于{date}到期，余额{detail}，欢迎在到期前到{branch}使用。",
        "Dear {name}, your stored-value card expires on {date} with {detail} left; you are welcome at {branch} before then.",
    ),
    "package_expiry": (
        "{name}您好，您的疗程卡将于{date}到期，还剩{detail}次，欢迎尽快预约{branch}。",
        "Dear {name}, your package expires on {date} with {detail} sessions left; book at {branch} soon.",
    ),
    "rebooking": (
        "{name}您好，提醒您{date}在{branch}的护理预约，期待您的光临。",
        "Dear {name}, a reminder of your appointment at {branch} on {date}. We look forward to seeing you.",
    ),
    "win_back": (
        "{first_name}您好，好久不见，{branch}的美容师很想念您，欢迎回来做一次护理。",
        "Dear {first_name}, it has been a while; everyone at {branch} would love to see you again.",
    ),
    "survey": (
        "{first_name}您好，感谢您今天光临{branch}！想听听您对这次服务的评价，一分钟即可完成：{link}",
        "Dear {first_name}, thank you for visiting {branch} today! Tell us how it went, it takes a minute: {link}",
    ),
    "you_said_we_did": (
        "{first_name}您好，您提的意见我们已经改进：{detail}。谢谢您帮助{branch}变得更好！",
        "Dear {first_name}, you told us and we acted: {detail}. Thank you for helping {branch} get better!",
    ),
    "consumption": (
        "{name}您好，您{date}在{branch}消费：{detail}。如有疑问请联系门店。",
        "Dear {name}, your visit to {branch} on {date}: {detail}. Please contact us with any question.",
    ),
}


def _new(text: str) -> str:
    return text.replace("{first_name}", "{salutation}").replace("{name}", "{salutation}")


def _swap(apps: Any, *, forward: bool) -> None:
    MessageTemplate = apps.get_model("engagement", "MessageTemplate")
    for kind, (zh, en) in OLD.items():
        pairs = (("body_zh", zh), ("body_en", en))
        for field, old in pairs:
            before, after = (old, _new(old)) if forward else (_new(old), old)
            MessageTemplate.objects.filter(kind=kind, **{field: before}).update(**{field: after})


def forwards(apps: Any, schema_editor: Any) -> None:
    _swap(apps, forward=True)


def backwards(apps: Any, schema_editor: Any) -> None:
    _swap(apps, forward=False)


class Migration(migrations.Migration):
    dependencies = [
        ("engagement", "0005_followup_retries_and_issue_callbacks"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]

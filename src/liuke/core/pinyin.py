"""Search keys for Chinese names: full pinyin and initials (张三 → zhangsan, zs).

Stored in indexed columns so that a front-desk search for "zs" is an index range scan, not a
table scan. Surnames with a special reading (单 shan, 曾 zeng, 解 xie …) are read as surnames;
polyphonic given-name characters take pypinyin's most common reading. Latin names pass through,
word by word ("Amy Wang" → amywang, aw).
"""

from __future__ import annotations

import re

from pypinyin import Style, lazy_pinyin

_NON_KEY = re.compile(r"[^a-z0-9]")
_SURNAME_READINGS = {
    "单": "shan", "曾": "zeng", "解": "xie", "仇": "qiu", "朴": "piao", "查": "zha", "区": "ou",
    "覃": "qin", "乐": "yue", "种": "chong", "盖": "ge", "翟": "zhai", "缪": "miao", "曲": "qu",
    "秘": "bi", "召": "shao", "华": "hua", "任": "ren", "卜": "bu", "尉": "yu", "员": "yun",
}  # fmt: skip


def name_keys(name: str) -> tuple[str, str]:
    """(full pinyin, initials) of a name, lowercase ASCII."""
    text = (name or "").strip()
    if not text:
        return "", ""
    first = _SURNAME_READINGS.get(text[0])
    parts = (
        [first, *lazy_pinyin(text[1:], style=Style.NORMAL)]
        if first
        else lazy_pinyin(text, style=Style.NORMAL)
    )
    words: list[str] = []
    for part in parts:
        for word in part.split():
            key = _NON_KEY.sub("", word.lower())
            if key:
                words.append(key)
    return "".join(words)[:120], "".join(w[0] for w in words)[:40]

"""The audit log shows its events' fields as words, not as the codes the apps write."""

from __future__ import annotations

from django.utils import translation

from liuke.audit.selectors import field_words


def test_codes_read_as_words_in_chinese() -> None:
    with translation.override("zh-hans"):
        words = field_words(["profile", "sales_summary", "grant:1", "mobile", "to_confirm"])
    assert words == ["客户档案", "消费汇总", "查看授权 #1", "手机号", "待确认资料"]


def test_a_value_after_the_codes_is_kept_whole() -> None:
    with translation.override("zh-hans"):
        words = field_words(["since:2026-03-02T10:00:00+08:00", "branch:3:phone", "search"])
    assert words == ["从 2026-03-02T10:00:00+08:00", "门店 #3 电话", "搜索"]


def test_codes_read_in_english_for_an_english_reader() -> None:
    with translation.override("en"):
        assert field_words(["complaint:approve:5"]) == ["complaint approved #5"]

from __future__ import annotations

import pytest

from liuke.core.pinyin import name_keys


@pytest.mark.parametrize(
    ("name", "full", "initials"),
    [
        ("张三", "zhangsan", "zs"),
        ("王芳", "wangfang", "wf"),
        ("欧阳娜娜", "ouyangnana", "oynn"),
        ("王 芳", "wangfang", "wf"),
    ],
)
def test_chinese_names_get_full_pinyin_and_initials(name: str, full: str, initials: str) -> None:
    assert name_keys(name) == (full, initials)


@pytest.mark.parametrize(
    ("name", "full", "initials"),
    [
        ("单田芳", "shantianfang", "stf"),  # 单 as a surname reads shan, not dan
        ("曾小贤", "zengxiaoxian", "zxx"),  # 曾 as a surname reads zeng, not ceng
        ("解晓东", "xiexiaodong", "xxd"),
    ],
)
def test_surnames_with_a_special_reading(name: str, full: str, initials: str) -> None:
    assert name_keys(name) == (full, initials)


def test_a_special_character_later_in_the_name_is_not_read_as_a_surname() -> None:
    # 曾 inside a given name keeps pypinyin's common reading (ceng), only a leading 曾 is zeng
    assert name_keys("王曾") == ("wangceng", "wc")


@pytest.mark.parametrize(
    ("name", "full", "initials"),
    [
        ("Amy Wang", "amywang", "aw"),
        ("  Lucy  ", "lucy", "l"),
        ("O'Brien", "obrien", "o"),
    ],
)
def test_latin_names_pass_through_word_by_word(name: str, full: str, initials: str) -> None:
    assert name_keys(name) == (full, initials)


def test_empty_name_has_no_keys() -> None:
    assert name_keys("") == ("", "")
    assert name_keys("   ") == ("", "")


def test_keys_are_bounded_to_their_columns() -> None:
    full, initials = name_keys("张" * 100)
    assert len(full) <= 120
    assert len(initials) <= 40

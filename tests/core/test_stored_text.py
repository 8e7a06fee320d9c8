"""Stored messages: what the system writes into a row reads in the reader's language."""

from __future__ import annotations

import pytest
from django.utils import translation

from liuke.core.stored_text import MARK, message, shown_text, stored_message


def test_a_stored_message_reads_in_the_active_language() -> None:
    stored = stored_message("Complaint #%(id)s escalated to you", id=7)
    assert stored.startswith(MARK)
    with translation.override("zh-hans"):
        assert shown_text(stored) == "投诉 #7 已升级给您"
    with translation.override("en"):
        assert shown_text(stored) == "Complaint #7 escalated to you"


def test_parts_are_messages_too_and_numbers_stay_numbers() -> None:
    stored = stored_message(
        "Survey answer: %(what)s",
        what=[message("recommend %(n)d/10", n=3), message("asks to be contacted")],
    )
    with translation.override("zh-hans"):
        assert shown_text(stored) == "满意度调查：推荐意愿 3/10, 希望我们联系"


def test_typed_text_is_shown_as_it_is() -> None:
    assert shown_text("约了下次护理") == "约了下次护理"


def test_a_message_is_fitted_to_its_column() -> None:
    stored = stored_message("Complaint #%(id)s: %(text)s", fit=80, id=1, text="很" * 200)
    assert len(stored) <= 80
    assert shown_text(stored).endswith("…")
    with pytest.raises(ValueError, match="does not fit"):
        stored_message("Complaint #%(id)s escalated to you", fit=10, id=1)

"""What the live tests read of the server's log: every answered request's access line, at once
after the test (`LiveServer.logged_so_far`), which is what lets `_no_server_errors` see them."""

from __future__ import annotations

import urllib.request

import pytest
from tests.live.conftest import LiveServer

pytestmark = pytest.mark.live


def test_after_logged_so_far_every_answered_request_is_in_the_log(liuke_server: LiveServer) -> None:
    before = liuke_server.log_path.read_text(encoding="utf-8").count(" GET /login/\n")
    for _ in range(6):
        with urllib.request.urlopen(f"{liuke_server.url}/login/", timeout=30) as answer:
            assert answer.status == 200
    liuke_server.logged_so_far()
    log = liuke_server.log_path.read_text(encoding="utf-8")
    assert log.count(" GET /login/\n") == before + 6

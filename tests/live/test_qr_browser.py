"""Every QR code the product shows scans: read back from the page as the browser draws it, with
zbarimg (Debian's zbar-tools, installed by scripts/system_deps.py), it gives what it is for. The
suggestion box's code gives the public address of its form (LIUKE_PUBLIC_URL, here the live
server), the two-factor page's an otpauth link. A code clipped by its styles does not decode."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from playwright.sync_api import Page, expect
from tests.live.conftest import LiveServer
from tests.live.test_browser import browser, log_in, zh_page  # noqa: F401


def _decoded(png: bytes, folder: Path) -> str:
    path = folder / "qr.png"
    path.write_bytes(png)
    found = subprocess.run(
        ["zbarimg", "--raw", "--quiet", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert found.returncode == 0, f"no QR code read: {found.stderr}"
    return found.stdout.strip()


def test_every_qr_code_decodes_to_what_it_is_for(
    zh_page: Page,  # noqa: F811
    liuke_server: LiveServer,
    tmp_path: Path,
) -> None:
    page = zh_page
    log_in(page, liuke_server, liuke_server.owner)
    page.goto(f"{liuke_server.url}/feedback/box/")
    code = page.locator("#qr svg")
    expect(code).to_be_visible()
    url = page.locator("#qr-card .muted").inner_text().strip()
    assert re.fullmatch(rf"{re.escape(liuke_server.url)}/f/b/[A-Za-z0-9_\-.]+/", url), url
    assert _decoded(code.screenshot(), tmp_path) == url
    # the whole code is drawn: its box is square, as wide as the styles make it
    box = code.bounding_box()
    assert box is not None
    assert abs(box["width"] - box["height"]) < 2

    page.goto(f"{liuke_server.url}/account/two-factor/")
    image = page.locator('img[src^="data:image/svg"]').first
    expect(image).to_be_visible()
    assert _decoded(image.screenshot(), tmp_path).startswith("otpauth://totp/")

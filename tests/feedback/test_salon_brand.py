"""The customer sees the salon, not the software (issue 16): the survey and suggestion-box pages
show the business's name and the logo its owner set; Liuke's name is a small footer only. The
logo is checked (a picture, at most 1 MB), stored re-encoded and served so it can do nothing."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from liuke.accounts.models import Branch, Business, User
from liuke.feedback import links, services

pytestmark = pytest.mark.django_db


def _picture(fmt: str = "PNG", size: tuple[int, int] = (600, 300)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, "purple").save(out, format=fmt)
    return SimpleUploadedFile(f"logo.{fmt.lower()}", out.getvalue())


def stored_bytes(business: Business) -> bytes:
    assert business.logo is not None
    return bytes(business.logo)


def _box_page(manager: User, branch: Branch) -> str:
    box = services.box_ensure(actor=manager, branch_id=branch.pk)
    return Client().get(f"/f/b/{links.sign_box(box.token)}/").content.decode()


def test_the_owner_s_logo_and_name_head_the_suggestion_box_and_liuke_is_a_footer(
    owner_client: Client, manager_a: User, branch_a: Branch, business: Business
) -> None:
    response = owner_client.post(reverse("accounts:logo"), {"logo": _picture("JPEG")})
    assert response.status_code == 302
    business.refresh_from_db()
    assert business.logo is not None
    stored = Image.open(io.BytesIO(bytes(business.logo)))
    assert stored.format == "PNG"
    assert max(stored.size) <= 256  # re-encoded and scaled, never the uploaded bytes

    page = _box_page(manager_a, branch_a)
    header = page.split('<header class="topbar salon"', 1)[1].split("</header>", 1)[0]
    assert business.name in header
    assert "留客" not in header
    assert "由留客提供技术支持" in page.split("</main>", 1)[1]
    logo_url = re.search(r'<img class="salon-logo" src="([^"]+)"', header)
    assert logo_url is not None
    served = Client().get(logo_url.group(1).replace("&amp;", "&"))
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in served["Content-Security-Policy"]
    assert served.content == stored_bytes(business)


def test_the_page_shows_the_name_without_a_logo(
    manager_a: User, branch_a: Branch, business: Business
) -> None:
    page = _box_page(manager_a, branch_a)
    assert 'class="salon-logo"' not in page
    assert business.name in page.split("</header>", 1)[0]
    assert Client().get(reverse("brand:logo", args=[business.pk])).status_code == 404


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile(
            "logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
        ),
        SimpleUploadedFile("logo.png", b"not a picture at all"),
        SimpleUploadedFile("logo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * (1024 * 1024 + 1)),
    ],
    ids=["svg", "text", "too_large"],
)
def test_what_is_not_a_small_picture_is_refused(
    owner_client: Client, business: Business, upload: SimpleUploadedFile
) -> None:
    response = owner_client.post(reverse("accounts:logo"), {"logo": upload}, follow=True)
    assert response.status_code == 200
    business.refresh_from_db()
    assert business.logo is None
    assert "标志" in response.content.decode()  # the refusal is said, in the page's Chinese


def test_only_the_owner_sets_the_logo(front_a_client: Client, business: Business) -> None:
    response = front_a_client.post(reverse("accounts:logo"), {"logo": _picture()})
    assert response.status_code in (302, 403, 404)
    business.refresh_from_db()
    assert business.logo is None


def test_the_owner_removes_the_logo(owner_client: Client, business: Business) -> None:
    owner_client.post(reverse("accounts:logo"), {"logo": _picture()})
    owner_client.post(reverse("accounts:logo"), {"remove": "1"})
    business.refresh_from_db()
    assert business.logo is None

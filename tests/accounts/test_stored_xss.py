"""Stored XSS: customer fields full of markup are shown escaped on every page that shows them,
and spreadsheet exports neutralise formulas (tests/privacy, tests/sales)."""

from __future__ import annotations

from django.test import Client
from tests.accounts.test_access_matrix import PAGES, World, _fill, world  # noqa: F401

from liuke.customers import services

PAYLOADS = (
    '<script>alert("x")</script>',
    '"><img src=x onerror=alert(1)>',
    "<svg onload=alert(2)>",
)


def test_every_page_escapes_customer_fields(world: World, owner_client: Client) -> None:  # noqa: F811
    owner = world.shop.owner
    for customer in (world.plain, world.key):
        services.customer_update(
            actor=owner,
            customer_id=customer.pk,
            data={
                "name": PAYLOADS[0][:50],
                "wechat_id": PAYLOADS[2][:40],
                "allergies": PAYLOADS[1],
                "contraindications": PAYLOADS[2],
                "preferences": PAYLOADS[0],
                "notes": PAYLOADS[1],
                "confidential_notes": PAYLOADS[0],
                "tags": [PAYLOADS[2][:30]],
            },
        )
    checked = 0
    for path, _name in PAGES:
        for ids in (world.ids, world.key_ids):
            url = _fill(path, ids)
            for query in ("", "?q=script"):
                response = owner_client.get(url + query)
                if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                    continue
                text = response.content.decode()
                checked += 1
                for raw in ("<script>alert", "<img src=x", "<svg onload"):
                    assert raw not in text, f"{url}{query} shows {raw!r} unescaped"
    assert checked > 30
    page = owner_client.get(f"/customers/{world.plain.pk}/").content.decode()
    assert "&lt;script&gt;alert" in page  # shown, as text

"""Every page of the demo salon reads in Chinese: no English left in what a Chinese-speaking
owner sees.

The walk takes every page URL name the access matrix knows (tests/<app>/access_rows.py), fills
its ids from the demo salon, opens it as the owner with Chinese chosen, and reads the visible
text (text nodes and the attributes a person reads: placeholder, title, aria-label, alt). Words
in Latin letters are leaks unless they are on the allow-list below (brand names, units, codes
that are meant to be shown) or are the salon's own data (usernames, card numbers, codes the
owner typed). Text marked `lang="en"` is English on purpose (the English name of a cause, the
language switcher) and is not read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.db.models import Count
from django.test import Client
from tests.accounts.test_access_matrix import PAGES, ROUTES, _fill
from tests.transfer.access_rows import world as transfer_world

from liuke.accounts.models import Business, User
from liuke.analytics.services import figures_refresh
from liuke.demo.builder import ensure_demo
from liuke.feedback import links
from liuke.sales import services as sales_services

pytestmark = pytest.mark.django_db

#: Latin words that are right on a Chinese page: names of things and units, and codes shown as
#: codes (an RFM score "R3", an error code's prefix are matched by pattern below).
ALLOWED = {
    # brands and formats
    "Liuke",
    "Excel",
    "xlsx",
    "CSV",
    "csv",
    "API",
    "OpenAPI",
    "JSON",
    "QR",
    "WeChat",
    "SMS",
    "Dianping",
    "Meituan",
    "Douyin",
    "Xiaohongshu",
    "TOTP",
    "ID",
    "IP",
    "URL",
    "HTTP",
    "https",
    "http",
    "www",
    "PDF",
    # character sets and digests named on the import pages
    "UTF-8",
    "utf-8",
    "GBK",
    "sha256",
    # time zones are shown by their IANA names (Asia/Shanghai)
    "Asia",
    "Shanghai",
    # the hair-dye allergen, written so by salons (an allergy in the demo's files)
    "PPD",
    "htmx",
    # statistics named the way the trade names them, words Chinese salons use as they are
    "RFM",
    "NPS",
    "LTV",
    "CLV",
    "SPA",
    "VIP",
    # the example of a pinyin search ("zs" finds 张三)
    "zs",
    # authenticator apps named on the two-step verification page
    "Google",
    "Microsoft",
    "Authenticator",
    # units
    "kg",
    "ml",
    "cm",
    "mm",
    "min",
    "px",
    "KB",
    "MB",
    # picture formats a logo may be uploaded in (the owner's settings page)
    "PNG",
    "JPEG",
    "WebP",
    "GIF",
}
#: Patterns of codes that are meant to be shown (RFM scores, request ids, times, versions).
CODE = re.compile(r"^(?:[RFM]\d|[0-9a-f]{6,}|v\d+|[A-Z]{1,3}\d+|\d+[a-z]{1,2})$")
#: Addresses and template placeholders ({name}) are shown as they are.
SHOWN_AS_IS = re.compile(r"https?://\S+|(?<![\w/])/[\w\-./?=&%#:~]+|\{\w+\}")
WORD = re.compile(r"[A-Za-z0-9_]+(?:['’-][A-Za-z0-9_]+)*")
READ_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")
SKIPPED_TAGS = {"script", "style", "template", "code", "svg"}
#: Pages that are not HTML for a person (downloads, fragments answering only htmx posts).
NOT_PAGES = {
    "audit:export",
    "customers:privacy_export",
    "sales:daily_close_export",
    "customers:photo",
    "web:healthz",
    "set_language",
    "web:logout",
    "brand:logo",
}


class _Visible(HTMLParser):
    """The text a person reads on the page, without what is marked as English."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.texts: list[str] = []

    def _hidden(self) -> bool:
        return any(skip for _tag, skip in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        skip = (
            tag in SKIPPED_TAGS
            or (found.get("lang") or "").startswith("en")
            or (tag == "input" and found.get("type") == "hidden")
        )
        if not skip and not self._hidden():
            self.texts += [found[a] or "" for a in READ_ATTRIBUTES if found.get(a)]
            if tag == "input" and found.get("type") in ("submit", "button"):
                self.texts.append(found.get("value") or "")
        if tag not in self.VOID:
            self.stack.append((tag, skip))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data: str) -> None:
        if not self._hidden():
            self.texts.append(data)


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return " ".join(" ".join(parser.texts).split())


def english_words(text: str, allowed: set[str]) -> list[str]:
    """The Latin words of `text` that are not allowed (each once)."""
    found: list[str] = []
    for word in WORD.findall(SHOWN_AS_IS.sub(" ", text)):
        if not re.search("[A-Za-z]", word) or len(word) == 1:
            continue
        if word in allowed or word in ALLOWED or CODE.match(word) or word in found:
            continue
        found.append(word)
    return found


def test_english_words_finds_english_and_passes_codes() -> None:
    """The detector itself: it must be able to fail."""
    html = (
        '<p>客户 Walk-in <span lang="en">Service quality</span> R3 F2 ¥12 BG/NBD {name}</p>'
        "<p>https://example.com/f/b/abc/ /f/s/x.y/ A–Z</p>"
        '<input type="hidden" value="secret"><input placeholder="Name">'
        "<script>var english = 1;</script>"
    )
    assert english_words(visible_text(html), set()) == ["Walk-in", "BG", "NBD", "Name"]


# --- the demo salon --------------------------------------------------------------------------

#: URL placeholder → the demo row it takes (the first of that model in the salon).
MODELS = {
    "action_id": "complaints.ComplaintAction",
    "appointment_id": "appointments.Appointment",
    "branch_id": "accounts.Branch",
    "card_id": "sales.StoredValueCard",
    "category_id": "sales.MenuCategory",
    "complaint_id": "complaints.Complaint",
    "customer_id": "customers.Customer",
    "flag_id": "audit.AuditFlag",
    "followup_id": "engagement.FollowUp",
    "grant_id": "customers.AccessGrant",
    "improvement_id": "feedback.Improvement",
    "message_id": "engagement.Message",
    "package_id": "sales.Package",
    "photo_id": "customers.CustomerPhoto",
    "product_id": "sales.Product",
    "resolution_id": "complaints.ComplaintResolution",
    "response_id": "feedback.SurveyResponse",
    "rule_id": "sales.BonusRule",
    "service_id": "sales.Service",
    "staff_id": "accounts.User",
    "suggestion_id": "feedback.Suggestion",
    "task_id": "engagement.Task",
    "template_id": "sales.PackageTemplate",
    "tier_id": "sales.CardTier",
    "token_id": "accounts.ApiToken",
    "visit_id": "sales.Visit",
}


def _ids(business: Business) -> dict[str, int | str]:
    ids: dict[str, int | str] = {"decision": "approve"}
    for placeholder, label in MODELS.items():
        model = apps.get_model(label)
        row = model._default_manager.order_by("-pk").first()
        if row is not None:
            ids[placeholder] = row.pk
    # a staff member of that branch (a roster page is a branch's staff member's)
    member = User.objects.filter(branches__pk=ids.get("branch_id", 0), is_active=True)
    found = member.order_by("-pk").first()
    if found is not None:
        ids["staff_id"] = found.pk
    # the customer with the fullest file: most visits
    customer = (
        apps.get_model("customers.Customer")
        .objects.filter(business=business)
        .annotate(n=Count("visits"))
        .order_by("-n", "pk")
        .first()
    )
    if customer is not None:
        ids["customer_id"] = customer.pk
    return ids


def _data_words() -> set[str]:
    """The salon's own identifiers, shown as they are (usernames, card numbers, codes)."""
    words: set[str] = set()
    for label, field in (
        ("accounts.User", "username"),
        ("accounts.Branch", "code"),
        ("sales.StoredValueCard", "number"),
        ("sales.Product", "sku"),
        ("customers.Customer", "name_pinyin"),
        ("customers.Customer", "name_initials"),
        ("customers.Customer", "wechat_id"),
        ("customers.Customer", "card_no"),
    ):
        model = apps.get_model(label)
        if any(f.name == field for f in model._meta.get_fields()):
            for value in model._default_manager.values_list(field, flat=True):
                words.update(WORD.findall(str(value or "")))
    return words


def _with_query(owner: User, ids: dict[str, int | str]) -> list[str]:
    """Pages whose content depends on a query, and the rows they need that the demo salon has
    none of (a card, a package): checkout for a customer holding a stored-value card without a
    tier and a package."""
    branch = owner.branches.order_by("pk").first()
    assert branch is not None
    card = sales_services.card_issue(
        actor=owner, customer_id=int(ids["customer_id"]), branch_id=branch.pk, number="880001"
    )
    package = sales_services.package_sell(
        actor=owner,
        customer_id=int(ids["customer_id"]),
        branch_id=branch.pk,
        method="cash",
        template_id=int(ids["template_id"]),
    )
    ids["card_id"], ids["package_id"] = card.pk, package.pk
    # an import batch (the import pages show one), made as the access matrix makes it
    customer = apps.get_model("customers.Customer").objects.get(pk=ids["customer_id"])
    ids |= transfer_world(
        customer=customer, visit=None, owner=owner, front_desk=None, beautician=None
    )
    ids |= {"kind": "customers", "language": "zh"}
    return [f"/sales/checkout/?customer={ids['customer_id']}"]


def _pages() -> Iterator[tuple[str, str]]:
    """The pages, the audit log's last (so that it shows what the walk read)."""
    for path, name in sorted(PAGES, key=lambda page: page[1].startswith("audit:")):
        if name not in NOT_PAGES and ROUTES[name] != "public":
            yield path, name


def test_every_page_of_the_demo_salon_reads_in_chinese() -> None:
    ensure_demo(customers=60, seed=11, username="owner", password="demo-pass-2026")
    owner = User.objects.get(username="owner")
    business = Business.objects.get(staff=owner)
    figures_refresh(business=business)  # the profile's value figures, the analytics pages
    ids = _ids(business)
    queries = _with_query(owner, ids)
    allowed = _data_words()
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(owner)
    client.cookies["django_language"] = "zh-hans"
    box = apps.get_model("feedback.SuggestionBox").objects.filter(branch__business=business).first()
    invitation = (
        apps.get_model("feedback.SurveyInvitation").objects.filter(answered_at__isnull=True).first()
    )
    public = [links.box_path(box.token)] if box else []
    public += [links.survey_path(invitation.token)] if invitation else []
    assert public, "the demo salon has a suggestion box and surveys"
    leaks: list[str] = []
    walked = 0
    urls = [(name, _fill(path, ids)) for path, name in _pages()]
    urls[:0] = [("query", url) for url in queries]
    for name, url in urls:
        response = client.get(url)
        if response.status_code == 405 or not response.get("Content-Type", "").startswith(
            "text/html"
        ):
            continue
        assert response.status_code in (200, 302), f"{name} {url}: {response.status_code}"
        if response.status_code != 200:
            continue
        walked += 1
        words = english_words(visible_text(response.content.decode()), allowed)
        if words:
            leaks.append(f"{name} {url}: {' '.join(words)}")
    for url in public:
        response = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get(url)
        assert response.status_code == 200, url
        words = english_words(visible_text(response.content.decode()), allowed)
        if words:
            leaks.append(f"{url}: {' '.join(words)}")
    assert walked > 60
    assert not leaks, "\n".join(leaks)


def test_the_pages_left_out_are_pages_that_exist() -> None:
    """What the walk leaves out names real pages (a renamed page must not hide there)."""
    names = {name for _path, name in PAGES}
    assert sorted(NOT_PAGES - names) == []

"""Customers: a chunk of checked rows matched against the archive and written.

A row is matched, in this order, on the stable key it came in under before (the source
system's id, else its card number, else its mobile: `ImportRecord`), then on the archive's own
duplicate rules (the same card number, the same mobile, the same name and birthday). A match is
updated where the file differs, each changed field in the customer's history as "imported"; a
row that matches nothing is a new customer. The caller holds the transaction and the business's
import lock (`transfer.engine`), so what is matched is what is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from liuke.core import context as request_context
from liuke.core.pinyin import name_keys
from liuke.customers.choices import ChangeKind
from liuke.customers.models import Customer, FieldChange, Tag
from liuke.customers.services import completeness_of
from liuke.transfer.kinds import Checked, Written, stable_key
from liuke.transfer.kinds.customers import CustomerContext
from liuke.transfer.models import ImportRecord

KIND = "customers"
PREVIEW_ROWS = 20
_SHOWN = ("name", "mobile", "card_no", "gender", "birthday", "branch_id", "owner_id", "tags")


def _existing(
    rows: list[Checked], ctx: CustomerContext
) -> tuple[dict[int, Customer], dict[str, Customer], dict[int, set[str]]]:
    """Row number → the customer it matches, if any; card number → its holder among the
    customers found; customer → the tags it has."""
    live = Customer.objects.filter(
        business_id=ctx.business_id, merged_into=None, anonymised_at=None
    )
    keys = {stable_key(KIND, r.key): r for r in rows if r.key}
    by_key = dict(
        ImportRecord.objects.filter(
            business_id=ctx.business_id, kind=KIND, key__in=keys
        ).values_list("key", "object_id")
    )
    cards = {r.values["card_no"] for r in rows if r.values.get("card_no")}
    mobiles = {r.values["mobile"] for r in rows if r.values.get("mobile")}
    named = {(r.values["name"], r.values["birthday"]) for r in rows if r.values.get("birthday")}
    cond = Q(pk__in=by_key.values()) | Q(card_no__in=cards) | Q(mobile__in=mobiles)
    if named:
        cond |= Q(name__in={n for n, _b in named}, birthday__in={b for _n, b in named})
    found = list(live.filter(cond).order_by("pk"))
    by_pk = {c.pk: c for c in found}
    by_card = {c.card_no: c for c in found if c.card_no}
    by_mobile: dict[str, Customer] = {}
    by_name: dict[tuple[str, Any], Customer] = {}
    for c in found:
        if c.mobile:
            by_mobile.setdefault(c.mobile, c)
        if c.birthday:
            by_name.setdefault((c.name, c.birthday), c)
    out: dict[int, Customer] = {}
    for r in rows:
        hashed = stable_key(KIND, r.key) if r.key else ""
        match = (
            by_pk.get(by_key.get(hashed, 0))
            or by_card.get(r.values.get("card_no") or "")
            or by_mobile.get(r.values.get("mobile") or "")
            or by_name.get((r.values["name"], r.values.get("birthday")))
        )
        if match is not None:
            out[r.row_no] = match
    held: dict[int, set[str]] = {}
    through = Customer.tags.through
    for customer_id, tag in through.objects.filter(customer_id__in=by_pk).values_list(
        "customer_id", "tag__name"
    ):
        held.setdefault(customer_id, set()).add(tag)
    return out, by_card, held


def _referrers(rows: list[Checked], ctx: CustomerContext) -> dict[str, int]:
    """Referrer text (a card number or a mobile) → the customer it names."""
    wanted = {r.refs["referrer"] for r in rows if r.refs.get("referrer")}
    if not wanted:
        return {}
    cards = {w.upper().replace(" ", "") for w in wanted}
    live = Customer.objects.filter(business_id=ctx.business_id, merged_into=None)
    out: dict[str, int] = {}
    for pk, card, mobile in (
        live.filter(Q(card_no__in=cards) | Q(mobile__in=wanted))
        .values_list("pk", "card_no", "mobile")
        .order_by("pk")
    ):
        if card:
            out.setdefault(card, pk)
        if mobile:
            out.setdefault(mobile, pk)
    return out


def _display(field: str, value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, list):
        return ", ".join(value)
    return str(value)


def _current(customer: Customer, field: str) -> Any:
    if field == "tags":
        return []  # a preview shows the tags the row brings
    return getattr(customer, field)


def _apply(customer: Customer, values: dict[str, Any], *, new: bool) -> list[tuple[str, str, str]]:
    """Set the row's fields on the customer; the (field, old, new) of each that changed. Blank
    cells never blank what the archive holds: a file without a column's value says nothing."""
    changed: list[tuple[str, str, str]] = []
    for field, value in values.items():
        if field == "tags" or (not new and value in ("", None)):
            continue
        old = getattr(customer, field)
        if old != value:
            changed.append((field, _display(field, old), _display(field, value)))
            setattr(customer, field, value)
    return changed


# long: one chunk's match, check and write read best as one sequence of bulk steps
def write(rows: list[Checked], ctx: CustomerContext, *, batch: Any, dry_run: bool) -> Written:
    done = Written()
    matches, cards_taken, held_tags = _existing(rows, ctx)
    referrers = _referrers(rows, ctx)
    now = timezone.now()
    seen: dict[str, Customer] = {}  # a key twice in the chunk: the later row updates the first
    created: list[Customer] = []
    updated: dict[int, Customer] = {}
    history: list[tuple[Customer, str, str, str]] = []
    tags: list[tuple[Customer, list[str]]] = []
    records: list[tuple[str, Customer]] = []
    #: referrers named by a row earlier in the chunk: linked once both have their ids
    in_file_refs: dict[str, Customer] = {}
    links: list[tuple[Customer, Customer]] = []
    for row in rows:
        values = dict(row.values)
        referrer = row.refs.get("referrer", "")
        in_file: Customer | None = None
        if referrer:
            found = referrers.get(referrer.upper().replace(" ", "")) or referrers.get(referrer)
            in_file = in_file_refs.get(referrer.upper().replace(" ", "")) or in_file_refs.get(
                referrer
            )
            if found is None and in_file is None and referrer not in ctx.seen_refs:
                row.problems.append(("referrer", _("No customer has this card number or mobile.")))
                done.failed.append(row)
                continue
            if found is not None:
                values["referrer_id"] = found
        if _claimed_by_another(row, ctx):
            done.failed.append(row)
            continue
        customer = seen.get(row.key) if row.key else None
        customer = customer or matches.get(row.row_no)
        new = customer is None
        if customer is None:
            customer = Customer(business_id=ctx.business_id)
        card = values.get("card_no")
        holder = cards_taken.get(card) if card else None
        if holder is not None and holder is not customer:
            row.problems.append(("card_no", _("This card number belongs to another customer.")))
            done.failed.append(row)
            continue
        changed = _apply(customer, values, new=new)
        if card:
            cards_taken[card] = customer
        for ref in (customer.card_no, customer.mobile):
            if ref:
                in_file_refs[ref] = customer
                if dry_run:
                    ctx.seen_refs.add(ref)
        if in_file is not None and "referrer_id" not in values and in_file is not customer:
            links.append((customer, in_file))
        if row.key:
            seen[row.key] = customer
            records.append((row.key, customer))
        new_tags = [
            t for t in values.get("tags") or [] if t not in held_tags.get(customer.pk or 0, ())
        ]
        if new_tags:
            tags.append((customer, new_tags))
        if len(done.preview) < PREVIEW_ROWS:
            done.preview.append(
                {
                    "row": str(row.row_no),
                    "action": "new" if new else ("update" if changed else "same"),
                }
                | {
                    f: _display(f, values[f] if f in values else _current(customer, f))
                    for f in _SHOWN
                }
            )
        if new:
            done.created += 1
            if customer not in created:
                created.append(customer)
            history.append((customer, "", "", ""))
        elif changed or new_tags:
            if customer.pk not in updated:
                done.updated += 1
            updated[customer.pk] = customer
            history.extend((customer, f, old, new_) for f, old, new_ in changed)
        else:
            done.unchanged += 1
    if dry_run:
        return done
    for customer in [*created, *updated.values()]:
        customer.name_pinyin, customer.name_initials = name_keys(customer.name)
        customer.mobile_last4 = customer.mobile[-4:] if customer.mobile else ""
        customer.completeness = completeness_of(customer)
        customer.updated_at = now
        for consent in ("marketing_consent", "photo_consent"):
            if getattr(customer, consent) and getattr(customer, f"{consent}_at") is None:
                setattr(customer, f"{consent}_at", now)
    Customer.objects.bulk_create(created)
    if updated:
        fields = {"name_pinyin", "name_initials", "mobile_last4", "completeness", "updated_at"}
        fields |= {"marketing_consent_at", "photo_consent_at"}
        fields |= {f for c, f, _o, _n in history if f and c.pk in updated}
        Customer.objects.bulk_update(list(updated.values()), sorted(fields), batch_size=500)
    for customer, referrer_customer in links:
        customer.referrer_id = referrer_customer.pk
    Customer.objects.bulk_update([c for c, _r in links], ["referrer"], batch_size=500)
    _add_tags(ctx.business_id, tags)
    request_id = request_context.request_id.get() or ""
    FieldChange.objects.bulk_create(
        FieldChange(
            customer=c,
            kind=ChangeKind.IMPORT,
            field=f,
            old_value=o,
            new_value=n,
            changed_by=ctx.actor,
            changed_at=now,
            request_id=request_id,
        )
        for c, f, o, n in history
    )
    created_ids = {c.pk for c in created}
    ImportRecord.objects.bulk_create(
        [
            ImportRecord(
                business_id=ctx.business_id,
                kind=KIND,
                key=stable_key(KIND, key),
                object_id=c.pk,
                batch=batch,
                created=c.pk in created_ids,
            )
            for key, c in records
        ],
        ignore_conflicts=True,
    )
    done.created_ids = sorted(created_ids)
    done.updated_ids = sorted(updated)
    return done


def _claimed_by_another(row: Checked, ctx: CustomerContext) -> bool:
    """True (and the row's error) when an earlier row of the run brought the row's mobile or
    card number under another stable key; otherwise they are the row's from now on."""
    refs = {
        field: f"{field}:{row.values[field]}"
        for field in ("mobile", "card_no")
        if row.key and row.values.get(field)
    }
    for field, ref in refs.items():
        key, first = ctx.claimed.get(ref, (row.key, row.row_no))
        if key != row.key:
            what = _("mobile") if field == "mobile" else _("card number")
            message = _("Row %(row)d of the file has this %(what)s under another ID.")
            row.problems.append((field, message % {"row": first, "what": what}))
            return True
    for ref in refs.values():
        ctx.claimed.setdefault(ref, (row.key, row.row_no))
    return False


def _add_tags(business_id: int, wanted: Iterable[tuple[Customer, list[str]]]) -> None:
    """The rows' tags added to the customers (an import adds tags, never takes one away)."""
    pairs = [(c, name) for c, names in wanted for name in names]
    if not pairs:
        return
    names = {name for _c, name in pairs}
    Tag.objects.bulk_create(
        [Tag(business_id=business_id, name=n) for n in names], ignore_conflicts=True
    )
    ids = dict(
        Tag.objects.filter(business_id=business_id, name__in=names).values_list("name", "pk")
    )
    through = Customer.tags.through
    through.objects.bulk_create(
        [through(customer_id=c.pk, tag_id=ids[name]) for c, name in pairs], ignore_conflicts=True
    )

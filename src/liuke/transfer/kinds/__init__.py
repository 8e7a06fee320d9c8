"""The kinds of import: each is a column catalogue, a row check and a writer.

A kind (customers; stored-value cards, packages, past visits and future appointments, which
belong to a customer and share `kinds.holders`) is an object with:

- `name` and `columns`: the fields a file may have (`Column`: key, Chinese and English header,
  the synonyms salons and other systems' exports use, required or not, an example for the
  template);
- `context(actor=, branch_ids=)`: what its rows need from the database, fetched once per batch
  (the branches chosen, staff by name, choice labels);
- `check(cells, context)`: one row's cells by field key → a `Checked` row (the values as they
  will be stored, the row's stable key) or its problems, with no database access;
- `write(rows, context, batch=, dry_run=)`: a chunk of checked rows matched against what the
  database holds and, unless a dry run, written in the caller's transaction; returns a `Written`;
- `undo_blockers(batch)` and `undo_remove(batch)`: what keeps a batch from being undone ("3
  visits"), and the removal of what it created (how many records, and the customers concerned).

`KINDS` names each kind's object by dotted path; the engine (`transfer.engine`), the page, the
API and the command line take any of them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.utils.translation import get_language

from liuke.core.registry import import_dotted

#: kind → "module:attribute" of its `ImportKind`
KINDS: dict[str, str] = {
    "customers": "liuke.transfer.kinds.customers:KIND",
    "cards": "liuke.transfer.kinds.cards:KIND_OBJECT",
    "packages": "liuke.transfer.kinds.packages:KIND_OBJECT",
    "visits": "liuke.transfer.kinds.visits:KIND_OBJECT",
    "appointments": "liuke.transfer.kinds.appointments:KIND_OBJECT",
}


@dataclass(frozen=True)
class Column:
    """One field a file of the kind may have."""

    key: str
    label_zh: str
    label_en: str
    synonyms: tuple[str, ...] = ()
    required: bool = False
    example: str = ""

    @property
    def label(self) -> str:
        """The header in the user's language."""
        return self.label_zh if (get_language() or "").startswith("zh") else self.label_en


@dataclass
class Checked:
    """One data row after its check: the values as stored, or what is wrong (field key →
    reason); its stable key ("" when the row has none) and its cells, for the error report."""

    row_no: int
    cells: list[Any]
    values: dict[str, Any] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)
    key: str = ""
    problems: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Written:
    """What a chunk did (or, in a dry run, would do)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: list[Checked] = field(default_factory=list)
    preview: list[dict[str, str]] = field(default_factory=list)
    #: the customers the chunk created and changed, for the audit log (a kind whose rows go
    #: through services that audit each write leaves them empty)
    created_ids: list[int] = field(default_factory=list)
    updated_ids: list[int] = field(default_factory=list)


class ImportKind(Protocol):
    name: str
    columns: Sequence[Column]

    def context(self, *, actor: Any, branch_ids: Sequence[int]) -> Any: ...

    def check(
        self, row_no: int, cells: list[Any], values: Mapping[str, Any], ctx: Any
    ) -> Checked: ...

    def write(self, rows: list[Checked], ctx: Any, *, batch: Any, dry_run: bool) -> Written: ...

    def undo_blockers(self, batch: Any) -> list[str]: ...

    def undo_remove(self, batch: Any) -> tuple[int, list[int]]: ...


def kind_of(name: str) -> ImportKind:
    """The kind called `name` (KeyError for none)."""
    kind: ImportKind = import_dotted(KINDS[name])
    return kind


def stable_key(kind: str, key: str) -> str:
    """A row's stable key as stored (`ImportRecord.key`): hashed, so the table holds no mobile
    or card number that would outlive the customer's erasure."""
    return hashlib.sha256(f"{kind}\x00{key}".encode()).hexdigest()[:40]

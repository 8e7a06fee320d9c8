"""The audit event of a settings change, with what each field was and became."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from liuke.audit.choices import Action
from liuke.audit.log import audit_record

#: Fields whose values are personal data: the event names them but keeps no value.
PERSONAL = frozenset({"mobile", "email"})
#: The audit event's reason holds at most this many characters.
REASON_MAX = 500


def changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """field → (before, after) for the fields whose value differs."""
    return {k: (before.get(k), v) for k, v in after.items() if before.get(k) != v}


def record(
    *, actor: Any, subject: str, changes: Mapping[str, tuple[Any, Any]], note: str = ""
) -> None:
    """One SETTINGS event: `fields` names each changed field as "<subject>:<field>" (e.g.
    "branch:3:phone"), the reason holds `note` and the before/after values as JSON (personal
    ones hidden), cut to the event's length."""
    if not changes:
        return
    shown = {
        k: ["…", "…"] if k in PERSONAL else [_plain(old), _plain(new)]
        for k, (old, new) in sorted(changes.items())
    }
    text = json.dumps(shown, ensure_ascii=False, sort_keys=True)
    reason = f"{note} {text}".strip() if note else text
    audit_record(
        actor=actor,
        action=Action.SETTINGS,
        fields=[f"{subject}:{k}" for k in sorted(changes)],
        reason=reason[:REASON_MAX],
    )


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        return sorted(_plain(v) for v in value)
    return str(value)

"""`liuke audit verify`: walk the whole chain and name the first event that is wrong."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from liuke.audit.log import hash_of
from liuke.audit.models import GENESIS_HASH, AuditEvent, AuditHead, AuditSubject


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    problems: list[str] = field(default_factory=list)

    @property
    def first_problem(self) -> str | None:
        return self.problems[0] if self.problems else None


def verify_chain(*, chunk: int = 5000, max_problems: int = 20) -> VerifyResult:
    """Check every event's hash, the links between them, the sequence and the head.

    - an altered event: its recomputed hash differs from the stored one;
    - a removed event: a gap in the sequence (or a link to a hash we never saw);
    - reordered events: a link (prev_hash) that does not match the event before it;
    - a cut-off tail: the head row names a newer event than the last one present;
    - a tampered index: the subjects table disagrees with the events' customer lists.
    """
    problems: list[str] = []
    expected_seq = 1
    prev = GENESIS_HASH
    checked = 0
    last_seq = 0
    qs = AuditEvent.objects.order_by("seq")
    for event in qs.iterator(chunk_size=chunk):
        checked += 1
        if event.seq != expected_seq:
            if event.seq > expected_seq:
                problems.append(
                    f"events #{expected_seq}–#{event.seq - 1} are missing (removed) "
                    f"before #{event.seq}"
                )
            else:
                problems.append(f"event #{event.seq} is out of order")
        if event.prev_hash != prev:
            problems.append(
                f"event #{event.seq} does not link to the event before it (reordered or removed)"
            )
        if hash_of(event) != event.hash:
            problems.append(f"event #{event.seq} was altered (its content does not match its hash)")
        prev = event.hash
        expected_seq = event.seq + 1
        last_seq = event.seq
        if len(problems) >= max_problems:
            return VerifyResult(False, checked, problems)
    head = AuditHead.objects.filter(pk=1).first()
    if head is None:
        problems.append("the audit head record is missing")
    elif head.seq != last_seq or head.hash != prev:
        if head.seq > last_seq:
            problems.append(
                f"the log ends at #{last_seq} but the head records #{head.seq}: "
                "the tail was cut off"
            )
        else:
            problems.append(f"the head (#{head.seq}) does not match the last event (#{last_seq})")
    problems.extend(_check_subjects(max_problems - len(problems)))
    return VerifyResult(not problems, checked, problems)


def _check_subjects(limit: int) -> list[str]:
    """The per-customer index must list exactly the customers each event names."""
    if limit <= 0:
        return []
    indexed: dict[int, set[int]] = defaultdict(set)
    for event_id, customer_id in AuditSubject.objects.values_list(
        "event_id", "customer_id"
    ).iterator(chunk_size=20000):
        indexed[event_id].add(customer_id)
    problems = []
    for event_id, seq, ids in AuditEvent.objects.values_list("id", "seq", "customer_ids").iterator(
        chunk_size=20000
    ):
        if set(ids) != indexed.pop(event_id, set()):
            problems.append(f"the customer index of event #{seq} was altered")
            if len(problems) >= limit:
                return problems
    if indexed:
        problems.append("the customer index names events that do not exist")
    return problems

"""What the reports read: each claim's facts from the by-facts index (open balances apart from
settled claims, by date of service), never the table, and how many items that took."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from chalicelib.claims.reports import ClaimFacts
from chalicelib.codec import decode

from .models import Item


@dataclass(slots=True)
class FactsRead:
    """Items read so far (a report says what it cost)."""

    items: int = 0
    partitions: list[str] = field(default_factory=list)


def _facts(
    partition: str, start: date | None, end: date | None, read: FactsRead
) -> Iterator[ClaimFacts]:
    condition = None
    if start is not None and end is not None:
        condition = Item.facts_sk.between(start.isoformat(), end.isoformat() + "~")
    read.partitions.append(partition.rsplit("#", 1)[-1])
    for item in Item.by_facts.query(partition, range_key_condition=condition):
        read.items += 1
        facts = getattr(item, "facts", None)
        if facts:
            yield decode(ClaimFacts, facts)


def open_facts(tenant_id: str, read: FactsRead) -> Iterator[ClaimFacts]:
    """Every claim with an open insurance balance (aging: its whole open set)."""
    return _facts(f"T#{tenant_id}#FACTS#OPEN", None, None, read)


def period_facts(tenant_id: str, start: date, end: date, read: FactsRead) -> Iterator[ClaimFacts]:
    """Every claim with a date of service in [start, end], open or settled."""
    yield from _facts(f"T#{tenant_id}#FACTS#OPEN", start, end, read)
    yield from _facts(f"T#{tenant_id}#FACTS#SETTLED", start, end, read)


def patient_balances(
    tenant_id: str, read: FactsRead
) -> Iterator[tuple[str, list[tuple[date, Decimal]]]]:
    """Each patient account that owes (or is owed), with its open debits (the ledger's FIFO),
    from the same index (`T#<tenant>#FACTS#PATIENT`)."""
    read.partitions.append("PATIENT")
    for item in Item.by_facts.query(f"T#{tenant_id}#FACTS#PATIENT"):
        read.items += 1
        facts = getattr(item, "facts", None) or {}
        yield (
            str(facts.get("patientId", "")),
            [(date.fromisoformat(day), Decimal(left)) for day, left in facts.get("open", [])],
        )

"""The collection agency's export: one row per account sent to collections, with what the
agency needs to contact the guarantor, what was placed and when, and what the patient paid
the practice since (payments after placement are recorded and reported, so the agency's
commission and its own balance can be settled)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from .ledger import EntryKind, LedgerEntry, balance_of, oldest_owed


@dataclass(frozen=True, slots=True)
class CollectionRow:
    patient_id: str
    identity: Mapping[str, Any]
    placed_on: date
    placed_amount: Decimal
    paid_since: Decimal
    balance: Decimal
    owed_since: date | None
    last_statement_on: date | None


def collection_row(
    *,
    patient_id: str,
    identity: Mapping[str, Any],
    placed_on: date,
    placed_amount: Decimal,
    entries: Sequence[LedgerEntry],
    last_statement_on: date | None,
) -> CollectionRow:
    paid = sum(
        (
            e.amount if e.kind is EntryKind.PAYMENT else -e.amount
            for e in entries
            if e.kind in (EntryKind.PAYMENT, EntryKind.REFUND) and e.at.date() >= placed_on
        ),
        Decimal("0.00"),
    )
    return CollectionRow(
        patient_id=patient_id,
        identity=identity,
        placed_on=placed_on,
        placed_amount=placed_amount,
        paid_since=paid,
        balance=balance_of(entries),
        owed_since=oldest_owed(entries),
        last_statement_on=last_statement_on,
    )


COLUMNS = (
    "account_number",
    "patient_first_name",
    "patient_last_name",
    "guarantor_first_name",
    "guarantor_last_name",
    "address1",
    "address2",
    "city",
    "state",
    "postal_code",
    "placed_on",
    "placed_amount",
    "paid_since_placement",
    "balance",
    "oldest_owed_since",
    "last_statement_on",
)


def row_values(row: CollectionRow) -> dict[str, str]:
    identity = row.identity
    patient = identity.get("patient") or {}
    guarantor = identity.get("guarantor") or {}
    address = identity.get("address") or {}
    return {
        "account_number": row.patient_id,
        "patient_first_name": str(patient.get("firstName", "")),
        "patient_last_name": str(patient.get("lastName", "")),
        "guarantor_first_name": str(guarantor.get("firstName", "")),
        "guarantor_last_name": str(guarantor.get("lastName", "")),
        "address1": str(address.get("address1", "")),
        "address2": str(address.get("address2", "")),
        "city": str(address.get("city", "")),
        "state": str(address.get("state", "")),
        "postal_code": str(address.get("postalCode", "")),
        "placed_on": row.placed_on.isoformat(),
        "placed_amount": str(row.placed_amount),
        "paid_since_placement": str(row.paid_since),
        "balance": str(row.balance),
        "oldest_owed_since": row.owed_since.isoformat() if row.owed_since else "",
        "last_statement_on": row.last_statement_on.isoformat() if row.last_statement_on else "",
    }


def render_csv(rows: Iterable[CollectionRow]) -> str:
    """RFC 4180 CSV with a header row. A cell starting with = + - @ is prefixed with ' so a
    spreadsheet never runs it as a formula (names and addresses come from practice systems)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        values = row_values(row)
        writer.writerow({k: _safe(v) if k not in _NUMBERS else v for k, v in values.items()})
    return out.getvalue()


_NUMBERS = frozenset({"placed_amount", "paid_since_placement", "balance"})


def _safe(value: str) -> str:
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value

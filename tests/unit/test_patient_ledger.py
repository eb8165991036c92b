"""The patient ledger's arithmetic: balance, FIFO aging, the oldest amount still owed."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from chalicelib.patients.ledger import (
    EntryKind,
    LedgerEntry,
    aging_of,
    balance_of,
    bucket_of,
    oldest_owed,
)

AT = datetime(2026, 12, 1, tzinfo=UTC)


def entry(entry_id: str, kind: EntryKind, amount: str, since: date) -> LedgerEntry:
    return LedgerEntry(entry_id, kind, Decimal(amount), AT, since)


def test_patient_ledger_credits_settle_the_oldest_debits_first() -> None:
    entries = [
        entry("C#1", EntryKind.CHARGE, "100.00", date(2026, 7, 1)),
        entry("C#2", EntryKind.CHARGE, "40.00", date(2026, 11, 20)),
        entry("P#1", EntryKind.PAYMENT, "60.00", date(2026, 11, 25)),
    ]
    assert balance_of(entries) == Decimal("80.00")
    aging = aging_of(entries, date(2026, 12, 1))
    assert aging == {
        "0-30": Decimal("40.00"),
        "31-60": Decimal("0.00"),
        "61-90": Decimal("0.00"),
        "91-120": Decimal("0.00"),
        "120+": Decimal("40.00"),
    }
    assert oldest_owed(entries) == date(2026, 7, 1)


def test_patient_ledger_credit_balance_ages_nothing_and_owes_since_nothing() -> None:
    entries = [
        entry("C#1", EntryKind.CHARGE, "30.00", date(2026, 11, 1)),
        entry("P#1", EntryKind.PAYMENT, "50.00", date(2026, 11, 2)),
        entry("R#1", EntryKind.REFUND, "5.00", date(2026, 11, 3)),
    ]
    assert balance_of(entries) == Decimal("-15.00")
    assert set(aging_of(entries, date(2026, 12, 1)).values()) == {Decimal("0.00")}
    assert oldest_owed(entries) is None


def test_patient_ledger_buckets_are_inclusive_at_their_upper_day() -> None:
    assert [bucket_of(d) for d in (0, 30, 31, 60, 61, 90, 91, 120, 121)] == [
        "0-30", "0-30", "31-60", "31-60", "61-90", "61-90", "91-120", "91-120", "120+"
    ]  # fmt: skip

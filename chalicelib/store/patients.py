"""Patient accounts: one partition per patient (`T#<tenant>#PATIENT#<account>`) holding the
account (`#ACCOUNT`, versioned: identity, balance, flags) and its ledger entries (`E#<entry
id>`, each written once: a put on a key that does not exist yet). The entries are the truth;
the account's balance is recomputed from them after each write, so a lost recompute is
repaired by the next one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pynamodb.exceptions import DoesNotExist, PutError

from chalicelib.patients.ledger import EntryKind, LedgerEntry, PayerShare, Reason

from .errors import ConcurrentUpdateError, conditional_failed
from .models import Item, PatientAccountItem, PatientEntryItem


@dataclass(frozen=True, slots=True)
class PatientAccount:
    """The account as stored. `identity` is who was billed (patient name, address, the
    subscriber/dependent relationship, member ids per payer): PHI, shown only on audited
    reads and statements, never logged. `balance` and `owed_since` are derived."""

    tenant_id: str
    patient_id: str
    identity: Mapping[str, Any] = field(default_factory=dict)
    balance: Decimal = Decimal("0.00")
    owed_since: date | None = None
    do_not_send: bool = False
    updated_at: datetime | None = None
    version: int | None = None


def _pk(tenant_id: str, patient_id: str) -> str:
    return f"T#{tenant_id}#PATIENT#{patient_id}"


# -- entries -----------------------------------------------------------------------------------


def save_entry(tenant_id: str, patient_id: str, entry: LedgerEntry) -> bool:
    """Write the entry once; False when an entry with its id is already there."""
    try:
        PatientEntryItem(
            pk=_pk(tenant_id, patient_id),
            sk=f"E#{entry.entry_id}",
            tenant_id=tenant_id,
            entry=entry_to_json(entry),
        ).save(condition=PatientEntryItem.pk.does_not_exist())
    except PutError as error:
        if conditional_failed(error):
            return False
        raise
    return True


def load_entry(tenant_id: str, patient_id: str, entry_id: str) -> LedgerEntry | None:
    try:
        item = PatientEntryItem.get(
            _pk(tenant_id, patient_id), f"E#{entry_id}", consistent_read=True
        )
    except DoesNotExist:
        return None
    return entry_from_json(item.entry)


def load_patient(
    tenant_id: str, patient_id: str
) -> tuple[PatientAccount | None, list[LedgerEntry]]:
    """The account and every entry, oldest first, in one query (they share a partition)."""
    account: PatientAccount | None = None
    entries: list[LedgerEntry] = []
    for item in Item.query(_pk(tenant_id, patient_id), consistent_read=True):
        if isinstance(item, PatientAccountItem):
            account = _account(item)
        elif isinstance(item, PatientEntryItem):
            entries.append(entry_from_json(item.entry))
    entries.sort(key=lambda e: (e.at, e.entry_id))
    return account, entries


# -- the account -------------------------------------------------------------------------------


def save_account(account: PatientAccount, *, now: datetime) -> PatientAccount:
    """Write the account under its version (None: create it); ConcurrentUpdateError when it
    changed since it was read."""
    item = PatientAccountItem(
        pk=_pk(account.tenant_id, account.patient_id),
        sk="#ACCOUNT",
        tenant_id=account.tenant_id,
        patient_id=account.patient_id,
        identity=dict(account.identity),
        balance=str(account.balance),
        owed_since=account.owed_since.isoformat() if account.owed_since else None,
        do_not_send=account.do_not_send,
        updated_at=now,
    )
    if account.version is not None:
        item.version = account.version
    try:
        item.save()
    except PutError as error:
        if conditional_failed(error):
            raise ConcurrentUpdateError(account.patient_id) from error
        raise
    return _account(item)


def _account(item: PatientAccountItem) -> PatientAccount:
    return PatientAccount(
        tenant_id=item.tenant_id,
        patient_id=item.patient_id,
        identity=dict(item.identity or {}),
        balance=Decimal(item.balance),
        owed_since=date.fromisoformat(item.owed_since) if item.owed_since else None,
        do_not_send=bool(item.do_not_send),
        updated_at=item.updated_at,
        version=item.version,
    )


# -- item codec --------------------------------------------------------------------------------


def entry_to_json(entry: LedgerEntry) -> dict[str, Any]:
    return {
        "id": entry.entry_id,
        "kind": entry.kind.value,
        "amount": str(entry.amount),
        "at": entry.at.isoformat(),
        "owedSince": entry.owed_since.isoformat(),
        "claimId": entry.claim_id,
        "serviceDate": entry.service_date.isoformat() if entry.service_date else None,
        "charge": None if entry.charge is None else str(entry.charge),
        "payers": [
            {
                "payerId": p.payer_id,
                "paid": str(p.paid),
                "adjusted": {g: str(a) for g, a in p.adjusted.items()},
            }
            for p in entry.payers
        ],
        "reasons": [
            {
                "code": r.code,
                "amount": None if r.amount is None else str(r.amount),
                "text": r.text,
                "procedureCode": r.procedure_code,
            }
            for r in entry.reasons
        ],
        "method": entry.method,
        "reference": entry.reference,
        "note": entry.note,
        "reverses": entry.reverses,
        "adjudication": entry.adjudication,
    }


def entry_from_json(data: Mapping[str, Any]) -> LedgerEntry:
    def money(value: Any) -> Decimal | None:
        return None if value is None else Decimal(str(value))

    return LedgerEntry(
        entry_id=data["id"],
        kind=EntryKind(data["kind"]),
        amount=Decimal(data["amount"]),
        at=datetime.fromisoformat(data["at"]),
        owed_since=date.fromisoformat(data["owedSince"]),
        claim_id=data.get("claimId"),
        service_date=date.fromisoformat(data["serviceDate"]) if data.get("serviceDate") else None,
        charge=money(data.get("charge")),
        payers=tuple(
            PayerShare(
                payer_id=p["payerId"],
                paid=Decimal(p["paid"]),
                adjusted={g: Decimal(a) for g, a in p.get("adjusted", {}).items()},
            )
            for p in data.get("payers", [])
        ),
        reasons=tuple(
            Reason(
                code=r["code"],
                amount=money(r.get("amount")),
                text=r.get("text"),
                procedure_code=r.get("procedureCode"),
            )
            for r in data.get("reasons", [])
        ),
        method=data.get("method"),
        reference=data.get("reference"),
        note=data.get("note"),
        reverses=data.get("reverses"),
        adjudication=data.get("adjudication"),
    )

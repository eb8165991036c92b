"""Patient accounts: one partition per patient (`T#<tenant>#PATIENT#<account>`) holding the
account (`#ACCOUNT`, versioned: identity, balance, flags, when the next statement is due),
its ledger entries (`E#<entry id>`, chalicelib.codec's JSON, each written once: a put on a
key that does not exist yet) and its statements (`S#<cycle>`, once per cycle). The entries
are the truth; the balance is recomputed from them after each write, so a lost recompute is
repaired by the next one."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pynamodb.exceptions import DoesNotExist, PutError

from chalicelib.codec import decode, encode
from chalicelib.patients.ledger import EntryKind, LedgerEntry
from chalicelib.patients.plans import PaymentPlan

from .errors import ConcurrentUpdateError, conditional_failed
from .models import (
    Item,
    PatientAccountItem,
    PatientEntryItem,
    PatientPlanItem,
    PatientPolicyItem,
    PatientStatementItem,
)


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
    # When the next statement falls due (the statement run's due index), and the last one's day.
    statement_due: datetime | None = None
    last_statement_on: date | None = None
    last_notice: str | None = None  # statement, reminder, second_reminder, final_notice
    collection_placed_on: date | None = None  # sent to the agency that day
    collection_placed_amount: Decimal | None = None  # what it was sent with
    # The open debits, oldest first: (the day each became owed, what is left of it), derived.
    open_amounts: tuple[tuple[date, Decimal], ...] = ()
    updated_at: datetime | None = None
    version: int | None = None


@dataclass(frozen=True, slots=True)
class StatementRecord:
    """A statement as stored: what it said in brief, and where its PDF and JSON are."""

    patient_id: str
    cycle: str
    kind: str
    made_at: datetime
    amount_due: Decimal
    balance: Decimal
    due_on: date
    pdf_key: str
    json_key: str
    pages: int


STATEMENT_DUE = "DUE#statement"


def _pk(tenant_id: str, patient_id: str) -> str:
    return f"T#{tenant_id}#PATIENT#{patient_id}"


# -- entries -----------------------------------------------------------------------------------


CASH_KINDS = frozenset({EntryKind.PAYMENT, EntryKind.REFUND})


def save_entry(tenant_id: str, patient_id: str, entry: LedgerEntry) -> bool:
    """Write the entry once; False when an entry with its id is already there. Payments and
    refunds are also listed by the day they were received, for the cash report (the by-tenant
    index, `T#<tenant>#PATIENTCASH`)."""
    cash = entry.kind in CASH_KINDS
    return _put_once(
        PatientEntryItem(
            pk=_pk(tenant_id, patient_id),
            sk=f"E#{entry.entry_id}",
            tenant_id=tenant_id,
            entry=encode(entry),
            gsi3pk=f"T#{tenant_id}#PATIENTCASH" if cash else None,
            gsi_sk=f"{entry.at.date().isoformat()}#{patient_id}#{entry.entry_id}" if cash else None,
        )
    )


def patient_cash(tenant_id: str, start: date, end: date) -> list[tuple[str, LedgerEntry]]:
    """(patient, entry) of each payment and refund received in [start, end], oldest first."""
    return [
        (item.gsi_sk.split("#")[1] if item.gsi_sk else "", decode(LedgerEntry, item.entry))
        for item in Item.by_tenant.query(
            f"T#{tenant_id}#PATIENTCASH",
            range_key_condition=Item.gsi_sk.between(start.isoformat(), end.isoformat() + "~"),
        )
        if isinstance(item, PatientEntryItem)
    ]


def load_entry(tenant_id: str, patient_id: str, entry_id: str) -> LedgerEntry | None:
    try:
        item = PatientEntryItem.get(
            _pk(tenant_id, patient_id), f"E#{entry_id}", consistent_read=True
        )
    except DoesNotExist:
        return None
    return decode(LedgerEntry, item.entry)


def load_patient(
    tenant_id: str, patient_id: str
) -> tuple[PatientAccount | None, list[LedgerEntry]]:
    """The account and every entry, oldest first, in one query (they share a partition)."""
    account, entries, _ = load_patient_file(tenant_id, patient_id)
    return account, entries


def load_patient_file(
    tenant_id: str, patient_id: str
) -> tuple[PatientAccount | None, list[LedgerEntry], list[StoredPlan]]:
    """The account, its entries and its payment plans (oldest first), in one query."""
    account: PatientAccount | None = None
    entries: list[LedgerEntry] = []
    found: list[StoredPlan] = []
    for item in Item.query(_pk(tenant_id, patient_id), consistent_read=True):
        if isinstance(item, PatientAccountItem):
            account = _account(item)
        elif isinstance(item, PatientEntryItem):
            entries.append(decode(LedgerEntry, item.entry))
        elif isinstance(item, PatientPlanItem):
            found.append(_plan(item))
    entries.sort(key=lambda e: (e.at, e.entry_id))
    found.sort(key=lambda p: p.plan.created_at)
    return account, entries, found


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
        statement_due=account.statement_due,
        last_statement_on=_day(account.last_statement_on),
        last_notice=account.last_notice,
        collection_placed_on=_day(account.collection_placed_on),
        collection_placed_amount=(
            None
            if account.collection_placed_amount is None
            else str(account.collection_placed_amount)
        ),
        gsi3pk=_collections_pk(account.tenant_id) if account.collection_placed_on else None,
        gsi_sk=(
            f"{account.collection_placed_on.isoformat()}#{account.patient_id}"
            if account.collection_placed_on
            else None
        ),
        facts=(
            {
                "patientId": account.patient_id,
                "balance": str(account.balance),
                "open": [[day.isoformat(), str(left)] for day, left in account.open_amounts],
            }
            if account.balance
            else None
        ),
        facts_pk=f"T#{account.tenant_id}#FACTS#PATIENT" if account.balance else None,
        facts_sk=(
            f"{_day(account.owed_since) or ''}#{account.patient_id}" if account.balance else None
        ),
        due_pk=STATEMENT_DUE if account.statement_due else None,
        due_sk=(
            f"{_due_key(account.statement_due)}#{account.tenant_id}#{account.patient_id}"
            if account.statement_due
            else None
        ),
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


def _day(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _collections_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#COLLECTIONS"


def accounts_in_collections(tenant_id: str) -> list[PatientAccount]:
    """The tenant's accounts sent to the collection agency, oldest placement first (a query
    on the by-tenant index, under the tenant's COLLECTIONS partition)."""
    return [
        _account(item)
        for item in Item.by_tenant.query(_collections_pk(tenant_id))
        if isinstance(item, PatientAccountItem)
    ]


def _account(item: PatientAccountItem) -> PatientAccount:
    return PatientAccount(
        tenant_id=item.tenant_id,
        patient_id=item.patient_id,
        identity=dict(item.identity or {}),
        balance=Decimal(item.balance),
        owed_since=date.fromisoformat(item.owed_since) if item.owed_since else None,
        do_not_send=bool(item.do_not_send),
        statement_due=item.statement_due,
        last_statement_on=(
            date.fromisoformat(item.last_statement_on) if item.last_statement_on else None
        ),
        last_notice=item.last_notice,
        collection_placed_on=(
            date.fromisoformat(item.collection_placed_on) if item.collection_placed_on else None
        ),
        collection_placed_amount=(
            Decimal(item.collection_placed_amount) if item.collection_placed_amount else None
        ),
        open_amounts=tuple(
            (date.fromisoformat(day), Decimal(left))
            for day, left in (item.facts or {}).get("open", [])
        ),
        updated_at=item.updated_at,
        version=item.version,
    )


def due_accounts(until: datetime, *, limit: int) -> list[PatientAccount]:
    """Accounts whose statement is due by `until`, oldest first, every tenant (a query on the
    sparse due index; the run groups them by tenant). Eventually consistent: the version
    check on save catches an account that changed since."""
    items = _due(STATEMENT_DUE, until, limit)
    return [_account(item) for item in items if isinstance(item, PatientAccountItem)]


def _due(scope: str, until: datetime, limit: int) -> Iterator[Item]:
    """What the sparse due index holds in `scope` due by `until`, oldest first."""
    return Item.by_due.query(
        scope,
        Item.due_sk <= _due_key(until) + "~",
        limit=limit,
        page_size=limit,
    )


def _due_key(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds")


# -- statements --------------------------------------------------------------------------------


def has_statement(tenant_id: str, patient_id: str, cycle: str) -> bool:
    try:
        PatientStatementItem.get(_pk(tenant_id, patient_id), f"S#{cycle}", consistent_read=True)
    except DoesNotExist:
        return False
    return True


def save_statement(tenant_id: str, statement: StatementRecord) -> bool:
    """Write the cycle's statement once; False when the cycle has one already."""
    return _put_once(
        PatientStatementItem(
            pk=_pk(tenant_id, statement.patient_id),
            sk=f"S#{statement.cycle}",
            tenant_id=tenant_id,
            statement=encode(statement),
        )
    )


def statements(tenant_id: str, patient_id: str) -> list[StatementRecord]:
    """The patient's statements, oldest cycle first (one query: the patient's partition)."""
    return [
        decode(StatementRecord, item.statement)
        for item in Item.query(_pk(tenant_id, patient_id), Item.sk.startswith("S#"))
        if isinstance(item, PatientStatementItem)
    ]


def _put_once(item: Item) -> bool:
    """Put `item` unless its key exists; False when it does (written before)."""
    try:
        item.save(condition=Item.pk.does_not_exist())
    except PutError as error:
        if conditional_failed(error):
            return False
        raise
    return True


# -- payment plans ---------------------------------------------------------------------------

PLAN_DUE = "DUE#plan"


@dataclass(frozen=True, slots=True)
class StoredPlan:
    tenant_id: str
    patient_id: str
    plan: PaymentPlan
    version: int | None = None


def save_plan(stored: StoredPlan, *, next_check: datetime | None) -> None:
    """Write the plan under its version (None: a new plan); on the due index at
    `next_check` (None: off it). ConcurrentUpdateError when it changed since it was read."""
    item = PatientPlanItem(
        pk=_pk(stored.tenant_id, stored.patient_id),
        sk=f"L#{stored.plan.plan_id}",
        tenant_id=stored.tenant_id,
        patient_id=stored.patient_id,
        plan=encode(stored.plan),
        due_pk=PLAN_DUE if next_check else None,
        due_sk=(
            f"{_due_key(next_check)}#{stored.tenant_id}#{stored.patient_id}" if next_check else None
        ),
    )
    if stored.version is not None:
        item.version = stored.version
    try:
        item.save()
    except PutError as error:
        if conditional_failed(error):
            raise ConcurrentUpdateError(stored.plan.plan_id) from error
        raise


def _plan(item: PatientPlanItem) -> StoredPlan:
    return StoredPlan(item.tenant_id, item.patient_id, decode(PaymentPlan, item.plan), item.version)


def plans(tenant_id: str, patient_id: str) -> list[StoredPlan]:
    """The patient's plans, oldest first."""
    return load_patient_file(tenant_id, patient_id)[2]


def due_plans(until: datetime, *, limit: int) -> list[StoredPlan]:
    """Active plans whose status may have changed by `until`, every tenant."""
    items = _due(PLAN_DUE, until, limit)
    return [_plan(item) for item in items if isinstance(item, PatientPlanItem)]


# -- the tenant's policy -----------------------------------------------------------------------


def load_policy(tenant_id: str) -> tuple[dict[str, Any], int | None]:
    """The stored policy (JSON, empty: the defaults) and its version."""
    try:
        item = PatientPolicyItem.get(f"T#{tenant_id}#PATIENTPOLICY", "#POLICY")
    except DoesNotExist:
        return {}, None
    return dict(item.policy or {}), item.version


def save_policy(
    tenant_id: str, policy: dict[str, Any], *, version: int | None, now: datetime
) -> None:
    item = PatientPolicyItem(
        pk=f"T#{tenant_id}#PATIENTPOLICY",
        sk="#POLICY",
        tenant_id=tenant_id,
        policy=policy,
        updated_at=now,
    )
    if version is not None:
        item.version = version
    try:
        item.save()
    except PutError as error:
        if conditional_failed(error):
            raise ConcurrentUpdateError("patient policy") from error
        raise

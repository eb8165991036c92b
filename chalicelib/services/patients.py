"""Patient balances: a visit's patient share once its last payer has finished (called after
each 835 posting), patient payments and refunds, and the account as the API shows it. The
decisions are chalicelib.patients.ledger's; each entry is written once under its id, then
the account's balance is recomputed from the entries."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from chalicelib.claims.model import Claim
from chalicelib.claims.posting import Posting
from chalicelib.patients.identity import billed_identity
from chalicelib.patients.ledger import (
    EntryKind,
    LedgerEntry,
    aging_of,
    balance_of,
    oldest_owed,
    open_debits,
    patient_account_of,
    plan_patient_share,
    reversal_of,
)
from chalicelib.patients.policy import (
    PatientBillingPolicy,
    policy_from_json,
    policy_to_json,
)
from chalicelib.store import patients as store
from chalicelib.store.patients import PatientAccount
from chalicelib.wiring import claim_repository

from .errors import RefusedError, replaced

MAX_COB_DEPTH = 10  # SBR01 has eleven levels: a longer parent chain is a loop


@dataclass(frozen=True, slots=True)
class PatientView:
    """The account, its entries (oldest first), balance and aging as of `today`."""

    account: PatientAccount
    entries: tuple[LedgerEntry, ...]
    balance: Decimal
    aging: dict[str, Decimal]
    owed_since: date | None


@dataclass(frozen=True, slots=True)
class PostedPayment:
    entry: LedgerEntry
    view: PatientView
    created: bool  # False: the same payment id was posted before; nothing changed


def new_payment_id() -> str:
    return f"pay_{uuid.uuid4().hex[:16]}"


def payment_id_for_key(tenant_id: str, patient_id: str, idempotency_key: str) -> str:
    """A payment id derived from the request's Idempotency-Key: a retry after the idempotency
    record expired (or was lost) still writes the same entry, so it counts once."""
    digest = hashlib.sha256(f"{tenant_id}|{patient_id}|{idempotency_key}".encode()).hexdigest()
    return f"pay_{digest[:16]}"


# -- the visit's patient share (after an 835) ---------------------------------------------------


def settle_patient_share(
    tenant_id: str,
    *,
    claim_id: str,
    claim: Claim,
    postings: tuple[Posting, ...],
    parent_claim_id: str | None,
    now: datetime,
) -> str:
    """Record what the patient owes for the visit once its last payer has finished (or take
    a reversed charge back). Safe to repeat: the entry's id names the visit and the
    adjudication. Returns the decision's action (`charge`, `reverse`, `wait`)."""
    visit_id, prior = _visit(tenant_id, claim_id, parent_claim_id)
    decision = plan_patient_share(
        claim, postings, visit_claim_id=visit_id, claim_id=claim_id, prior_postings=prior, at=now
    )
    patient_id = patient_account_of(claim)
    if decision.action == "charge" and decision.entry is not None:
        _ensure_account(tenant_id, patient_id, claim, now=now)
        if store.save_entry(tenant_id, patient_id, decision.entry):
            refresh_account(tenant_id, patient_id, now=now)
    elif decision.action == "reverse" and decision.reverses_key is not None:
        _, entries = store.load_patient(tenant_id, patient_id)
        reversed_ids = {e.reverses for e in entries if e.kind is EntryKind.CHARGE_REVERSAL}
        charges = [
            e
            for e in entries
            if e.kind is EntryKind.CHARGE
            and e.adjudication == decision.reverses_key
            and e.entry_id not in reversed_ids
        ]
        if charges and store.save_entry(tenant_id, patient_id, reversal_of(charges[-1], at=now)):
            refresh_account(tenant_id, patient_id, now=now)
    return decision.action


def _visit(
    tenant_id: str, claim_id: str, parent_claim_id: str | None
) -> tuple[str, tuple[Posting, ...]]:
    """The visit's first claim (the primary's) and the postings of the claims billed before
    this one, oldest payer first."""
    visit_id, parent = claim_id, parent_claim_id
    prior: tuple[Posting, ...] = ()
    for _ in range(MAX_COB_DEPTH):
        if parent is None:
            break
        record = claim_repository().load_claim(tenant_id, parent)
        if record is None:
            break
        visit_id = record.claim_id
        prior = (*record.remittances, *prior)
        parent = record.parent_claim_id
    return visit_id, prior


def _ensure_account(tenant_id: str, patient_id: str, claim: Claim, *, now: datetime) -> None:
    """Create the account, or bring its identity up to the latest visit's (a new address)."""
    identity = billed_identity(claim)

    def write() -> None:
        account, _ = store.load_patient(tenant_id, patient_id)
        if account is None:
            store.save_account(
                PatientAccount(tenant_id=tenant_id, patient_id=patient_id, identity=identity),
                now=now,
            )
        elif account.identity != identity:
            store.save_account(replace(account, identity=identity), now=now)

    replaced(write)


def refresh_account(tenant_id: str, patient_id: str, *, now: datetime) -> PatientView:
    """Recompute the balance from the entries and write it under the account's version."""

    def write() -> PatientView:
        account, entries = store.load_patient(tenant_id, patient_id)
        if account is None:
            account = PatientAccount(tenant_id=tenant_id, patient_id=patient_id)
        balance, since = balance_of(entries), oldest_owed(entries)
        # A balance puts the account on the statement run's due index (the next run, then
        # every cycle); nothing owed, do-not-send or the agency takes it off. Paid off, the
        # dunning starts over.
        due, notice = account.statement_due, account.last_notice
        if balance <= 0 or account.do_not_send or account.collection_placed_on:
            due = None
        elif due is None:
            due = now
        if balance <= 0:
            notice = None
        owed = tuple((debit.owed_since, left) for debit, left in open_debits(entries))
        derived = (balance, since, due, notice, owed)
        stored = (
            account.balance,
            account.owed_since,
            account.statement_due,
            account.last_notice,
            account.open_amounts,
        )
        if stored != derived or account.version is None:
            account = store.save_account(
                replace(
                    account,
                    balance=balance,
                    owed_since=since,
                    statement_due=due,
                    last_notice=notice,
                    open_amounts=owed,
                ),
                now=now,
            )
        return _view(account, entries, now.date())

    return replaced(write)


# -- payments and refunds ----------------------------------------------------------------------


def post_patient_payment(
    tenant_id: str,
    patient_id: str,
    *,
    payment_id: str,
    kind: EntryKind,
    amount: Decimal,
    received_on: date,
    method: str,
    reference: str | None,
    note: str | None,
    now: datetime,
) -> PostedPayment:
    """Post a payment (or a refund) once under `payment_id`: the same id posted again
    answers the first posting and changes nothing; the same id with another amount or kind
    is refused. A refund may not exceed the credit on the account."""
    account, entries = store.load_patient(tenant_id, patient_id)
    if account is None:
        raise RefusedError("not_found", "no such patient account")
    entry = LedgerEntry(
        entry_id=f"P#{payment_id}",
        kind=kind,
        amount=amount,
        at=now,
        owed_since=received_on,
        method=method,
        reference=reference,
        note=note,
    )
    earlier = next((e for e in entries if e.entry_id == entry.entry_id), None)
    if earlier is None and kind is EntryKind.REFUND and amount > -balance_of(entries):
        raise RefusedError(
            "refund_exceeds_credit",
            f"the account's credit is {max(-balance_of(entries), Decimal('0.00'))}:"
            " a refund gives back no more than that",
        )
    created = earlier is None and store.save_entry(tenant_id, patient_id, entry)
    if not created:
        earlier = earlier or store.load_entry(tenant_id, patient_id, entry.entry_id)
        if earlier is None or (earlier.kind, earlier.amount) != (kind, amount):
            raise RefusedError(
                "payment_id_reused", "this payment id was posted with another amount or kind"
            )
        entry = earlier
    return PostedPayment(entry, refresh_account(tenant_id, patient_id, now=now), created)


# -- reading -----------------------------------------------------------------------------------


def patient_view(tenant_id: str, patient_id: str, *, today: date) -> PatientView:
    account, entries = store.load_patient(tenant_id, patient_id)
    if account is None:
        raise RefusedError("not_found", "no such patient account")
    return _view(account, entries, today)


def _view(account: PatientAccount, entries: list[LedgerEntry], today: date) -> PatientView:
    return PatientView(
        account=account,
        entries=tuple(entries),
        balance=balance_of(entries),
        aging=aging_of(entries, today),
        owed_since=oldest_owed(entries),
    )


# -- the account's flags and the tenant's policy -----------------------------------------------


def set_do_not_send(
    tenant_id: str, patient_id: str, *, do_not_send: bool, now: datetime
) -> PatientView:
    """Hold (or release) the patient's statements: a dispute, a bankruptcy, a deceased
    patient. The balance stays and ages; no statement goes out while held."""

    def write() -> None:
        account, _ = store.load_patient(tenant_id, patient_id)
        if account is None:
            raise RefusedError("not_found", "no such patient account")
        if account.do_not_send != do_not_send:
            store.save_account(replace(account, do_not_send=do_not_send), now=now)

    replaced(write)
    return refresh_account(tenant_id, patient_id, now=now)


def billing_policy(tenant_id: str) -> PatientBillingPolicy:
    return policy_from_json(store.load_policy(tenant_id)[0])


def update_billing_policy(
    tenant_id: str, changes: Mapping[str, Any], *, now: datetime
) -> PatientBillingPolicy:
    """The policy with `changes` (field name -> checked value) applied and saved."""

    def write() -> PatientBillingPolicy:
        stored, version = store.load_policy(tenant_id)
        policy = replace(policy_from_json(stored), **changes)
        store.save_policy(tenant_id, policy_to_json(policy), version=version, now=now)
        return policy

    return replaced(write)

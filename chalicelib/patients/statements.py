"""Patient statements: decide whether a patient gets one this cycle, and what it says — each
open visit (what was billed, what each payer paid and adjusted, what the patient owes and why
in plain words), payments since the last statement, the amount due and by when, how to pay.
Then the same statement as a document for the PDF module and as JSON.

No statement for a zero or credit balance, below the tenant's minimum, or for an account
marked do-not-send. On a payment plan the amount due is the instalment, not the balance."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from chalicelib.documents.pdf import Document, Table

from .ledger import (
    EntryKind,
    LedgerEntry,
    PayerShare,
    Reason,
    aging_of,
    balance_of,
    open_debits,
)
from .policy import PatientBillingPolicy

# The patient's words for the three shares every plan has; other codes read as the CARC list.
PLAIN_WORDS: Mapping[str, str] = {
    "PR-1": "Deductible: what you pay for covered care before your plan starts to pay",
    "PR-2": "Coinsurance: your percentage share of the amount your plan allows",
    "PR-3": "Copay: the fixed amount your plan asks you to pay for this service",
}

# Statement kinds, in dunning order (chalicelib.patients.dunning picks one).
STATEMENT, REMINDER, SECOND_REMINDER, FINAL_NOTICE = (
    "statement",
    "reminder",
    "second_reminder",
    "final_notice",
)
NOTICES: Mapping[str, str] = {
    STATEMENT: "",
    REMINDER: "Reminder: part of this balance is past due. Please pay it or call us.",
    SECOND_REMINDER: "Second reminder: this balance is well past due. Please pay it or call us "
    "to set up a payment plan.",
    FINAL_NOTICE: "Final notice: unless this balance is paid or a payment plan is agreed by "
    "the due date, the account will be sent to a collection agency.",
}


@dataclass(frozen=True, slots=True)
class StatementVisit:
    claim_id: str | None
    service_date: date | None
    billed: Decimal | None
    payers: tuple[PayerShare, ...]
    patient_share: Decimal
    still_owed: Decimal
    reasons: tuple[tuple[str, Decimal | None, str], ...]  # code, amount, plain words


@dataclass(frozen=True, slots=True)
class StatementCredit:
    on: date
    kind: str
    amount: Decimal
    method: str | None


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement of one patient for one cycle (`cycle`: the day the cycle's statement
    fell due, so a run delivered twice makes the same one)."""

    patient_id: str
    cycle: str
    kind: str
    made_on: date
    due_on: date
    identity: Mapping[str, Any]
    balance: Decimal
    amount_due: Decimal
    aging: Mapping[str, Decimal]
    visits: tuple[StatementVisit, ...]
    credits: tuple[StatementCredit, ...]
    how_to_pay: str
    practice_name: str
    plan_note: str | None = None
    notice: str = ""
    pages: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class NoStatement:
    reason: str  # zero_or_credit_balance, below_minimum, do_not_send, plan_nothing_due


def plan_statement(
    *,
    patient_id: str,
    identity: Mapping[str, Any],
    entries: Sequence[LedgerEntry],
    policy: PatientBillingPolicy,
    today: date,
    cycle: str,
    do_not_send: bool,
    practice_name: str,
    since: date | None = None,
    kind: str = STATEMENT,
    instalment_due: Decimal | None = None,
    plan_note: str | None = None,
) -> Statement | NoStatement:
    """The statement for this cycle, or why there is none. `since`: the last statement's
    day (credits after it are listed); `instalment_due`: a payment plan's amount due now."""
    balance = balance_of(entries)
    if do_not_send:
        return NoStatement("do_not_send")
    if balance <= 0:
        return NoStatement("zero_or_credit_balance")
    if balance < policy.minimum_statement:
        return NoStatement("below_minimum")
    if instalment_due is not None and instalment_due <= 0:
        return NoStatement("plan_nothing_due")
    visits = tuple(
        _visit(debit, left)
        for debit, left in open_debits(entries)
        if debit.kind is EntryKind.CHARGE
    )
    credits = tuple(
        StatementCredit(e.owed_since, e.kind.value, e.amount, e.method)
        for e in entries
        if e.signed < 0
        and e.kind is not EntryKind.CHARGE_REVERSAL
        and (since is None or e.owed_since > since)
    )
    due = balance if instalment_due is None else min(instalment_due, balance)
    return Statement(
        patient_id=patient_id,
        cycle=cycle,
        kind=kind,
        made_on=today,
        due_on=today + timedelta(days=policy.due_days),
        identity=identity,
        balance=balance,
        amount_due=due,
        aging=aging_of(entries, today),
        visits=visits,
        credits=credits,
        how_to_pay=policy.how_to_pay,
        practice_name=practice_name,
        plan_note=plan_note,
        notice=NOTICES.get(kind, ""),
    )


def _visit(charge: LedgerEntry, left: Decimal) -> StatementVisit:
    return StatementVisit(
        claim_id=charge.claim_id,
        service_date=charge.service_date,
        billed=charge.charge,
        payers=charge.payers,
        patient_share=charge.amount,
        still_owed=left,
        reasons=tuple((r.code, r.amount, plain_words(r)) for r in charge.reasons),
    )


def plain_words(reason: Reason) -> str:
    """A PR or remark code as a patient can read it."""
    words = PLAIN_WORDS.get(reason.code) or reason.text
    if words:
        return words.rstrip(".")
    return f"Code {reason.code}: your plan's explanation of benefits gives the details"


# -- as a document and as JSON -----------------------------------------------------------------


def _money(amount: Decimal | None) -> str:
    return "" if amount is None else f"${amount:,.2f}"


def _name(person: Mapping[str, Any] | None) -> str:
    if not person:
        return ""
    return f"{person.get('firstName', '')} {person.get('lastName', '')}".strip()


def statement_document(statement: Statement) -> Document:
    """The statement as the PDF module draws it."""
    identity = statement.identity
    address = identity.get("address") or {}
    lines = [
        _name(identity.get("patient")),
        str(address.get("address1", "")),
        str(address.get("address2", "")),
        " ".join(
            str(address.get(k, "")) for k in ("city", "state", "postalCode") if address.get(k)
        ),
    ]
    blocks: list[str | Table] = [
        "\n".join(line for line in lines if line),
        f"Account {statement.patient_id}    Statement date {statement.made_on.isoformat()}"
        f"    Guarantor {_name(identity.get('guarantor'))}",
    ]
    if statement.notice:
        blocks.append(f"## {statement.notice}")
    blocks.append(
        f"## Amount due: {_money(statement.amount_due)} by {statement.due_on.isoformat()}"
    )
    if statement.plan_note:
        blocks.append(statement.plan_note)
    blocks.append(f"Account balance: {_money(statement.balance)}")
    blocks.append("## Visits")
    blocks.append(
        Table(
            ("Date of service", "Billed", "Insurance paid", "Insurance adjusted", "You owe"),
            tuple(
                (
                    visit.service_date.isoformat() if visit.service_date else "",
                    _money(visit.billed),
                    "; ".join(f"{p.payer_id} {_money(p.paid)}" for p in visit.payers),
                    "; ".join(
                        f"{p.payer_id} {_money(sum(p.adjusted.values(), Decimal('0.00')))}"
                        for p in visit.payers
                    ),
                    _money(visit.still_owed),
                )
                for visit in statement.visits
            ),
        )
    )
    for visit in statement.visits:
        when = visit.service_date.isoformat() if visit.service_date else "the visit"
        blocks.append(f"## Why you owe {_money(visit.patient_share)} for {when}")
        for code, amount, words in visit.reasons:
            blocks.append(f"{code} {_money(amount)} - {words}".replace("  ", " "))
    if statement.credits:
        blocks.append("## Payments and credits since your last statement")
        blocks.append(
            Table(
                ("Date", "What", "Amount"),
                tuple(
                    (c.on.isoformat(), c.kind.replace("_", " "), _money(c.amount))
                    for c in statement.credits
                ),
            )
        )
    blocks.append("## Account aging (days since owed)")
    blocks.append(
        Table(tuple(statement.aging), (tuple(_money(a) for a in statement.aging.values()),))
    )
    blocks.append("## How to pay")
    blocks.append(statement.how_to_pay)
    title = f"{statement.practice_name} - patient statement"
    if statement.kind == FINAL_NOTICE:
        title = f"{statement.practice_name} - final notice"
    return Document(title=title, blocks=tuple(blocks))


def statement_to_json(statement: Statement) -> dict[str, Any]:
    return {
        "patientId": statement.patient_id,
        "cycle": statement.cycle,
        "kind": statement.kind,
        "madeOn": statement.made_on.isoformat(),
        "dueOn": statement.due_on.isoformat(),
        "patient": dict(statement.identity),
        "balance": str(statement.balance),
        "amountDue": str(statement.amount_due),
        "aging": {k: str(v) for k, v in statement.aging.items()},
        "planNote": statement.plan_note,
        "notice": statement.notice or None,
        "visits": [
            {
                "claimId": v.claim_id,
                "serviceDate": v.service_date.isoformat() if v.service_date else None,
                "billed": None if v.billed is None else str(v.billed),
                "payers": [
                    {
                        "payerId": p.payer_id,
                        "paid": str(p.paid),
                        "adjusted": {g: str(a) for g, a in p.adjusted.items()},
                    }
                    for p in v.payers
                ],
                "patientShare": str(v.patient_share),
                "stillOwed": str(v.still_owed),
                "reasons": [
                    {"code": c, "amount": None if a is None else str(a), "text": t}
                    for c, a, t in v.reasons
                ],
            }
            for v in statement.visits
        ],
        "credits": [
            {"on": c.on.isoformat(), "kind": c.kind, "amount": str(c.amount), "method": c.method}
            for c in statement.credits
        ],
        "howToPay": statement.how_to_pay,
    }

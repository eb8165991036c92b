"""The figures a billing office reports, from each claim's facts (derived whenever the claim is
saved and kept on it, so a report reads one small item a claim from an index, never the
table) and from the deposits the 835s made.

A claim's insurance balance (what is still expected from payers):

| the claim | balance |
| --- | --- |
| not billed (queued, failed our scrub), closed, voided, replaced by a newer claim | 0 |
| billed, not adjudicated | the charge; a later payer's claim (COB): the prior PR |
| adjudicated | each line in force: charge - paid - adjustments (0: it balances) |
| ... a denied line | charge - paid, until appealed, corrected or closed |

A later payer's claim asks for what the prior payers left to the patient (their PR
adjustments, 2320 and 2430 CAS).

Aging buckets count days from the first date of service (0-30, 31-60, 61-90, 91-120,
120+), so the buckets of a report always sum to its open balance.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Final

from .appeals import allowed_in_force
from .cob import responsibility_rank
from .lifecycle import Event, Status
from .posting import Posting, current_postings
from .records import ClaimRecord

_ZERO: Final = Decimal("0.00")
BUCKETS: Final = ("0-30", "31-60", "61-90", "91-120", "120+")
UNBILLED: Final = frozenset({Status.QUEUED, Status.REJECTED, Status.CLOSED})
_REJECTIONS: Final = frozenset(
    {Event.ACK_REJECTED, Event.CLEARINGHOUSE_REJECTED, Event.PAYER_REJECTED}
)
_ACCEPTANCES: Final = frozenset(
    {
        Event.PAYER_ACCEPTED,
        Event.STATUS_PENDING,
        Event.INFO_REQUESTED,
        Event.REMIT_PAID,
        Event.REMIT_PARTIAL,
        Event.REMIT_DENIED,
    }
)
VOID: Final = "8"
ACCEPTED, REJECTED = "accepted", "rejected"  # a claim's first answer


@dataclass(frozen=True, slots=True)
class Denial:
    """One denied line (or a denied claim, `procedure` None): the payer's first adjustment
    reason (group-CARC) and what it left unpaid."""

    reason: str
    procedure: str | None
    amount: Decimal


@dataclass(frozen=True, slots=True)
class ClaimFacts:
    """What the reports need of one claim (no PHI beyond the practice's account number)."""

    claim_id: str
    payer_id: str
    patient_account: str
    status: str
    service_date: date | None
    billed_on: date | None
    charge: Decimal
    paid: Decimal
    allowed: Decimal
    contractual: Decimal  # CO
    other_adjustments: Decimal  # OA, PI, CR
    patient_responsibility: Decimal  # PR
    denied: Decimal
    written_off: Decimal
    balance: Decimal
    first_pass: str | None  # accepted, rejected, or None before either
    denials: tuple[Denial, ...] = ()
    appeals_overturned: int = 0
    overturned_recovered: Decimal = _ZERO
    underpaid_recovered: Decimal = _ZERO


def patient_account(record: ClaimRecord) -> str:
    """The practice's account for the patient: the medical record number (2300 REF*EA),
    else the patient control number (CLM01)."""
    information = record.claim.claim_information
    return information.medical_record_number or information.patient_control_number


def claim_facts(record: ClaimRecord) -> ClaimFacts:
    information = record.claim.claim_information
    in_force = current_postings(record.remittances)
    adjustments = [a for p in in_force for a in p.all_adjustments()]

    def group(*names: str) -> Decimal:
        return sum((a.amount for a in adjustments if a.group in names), _ZERO)

    denials = tuple(_denials(in_force))
    won = [a for a in record.appeals if a.status in ("won", "partially_won")]
    return ClaimFacts(
        claim_id=record.claim_id,
        payer_id=record.payer_id,
        patient_account=patient_account(record),
        status=record.status.value,
        service_date=min((line.service_date for line in information.service_lines), default=None),
        billed_on=record.submitted_at.date() if record.submitted_at else None,
        charge=record.charge_amount,
        paid=sum((p.paid for p in in_force), _ZERO),
        allowed=allowed_in_force(record.remittances),
        contractual=group("CO"),
        other_adjustments=group("OA", "PI", "CR"),
        patient_responsibility=group("PR"),
        denied=sum((d.amount for d in denials), _ZERO),
        written_off=record.written_off or _ZERO,
        balance=insurance_balance(record, in_force),
        first_pass=_first_pass(record),
        denials=denials,
        appeals_overturned=sum(1 for a in won if a.allowed_before is None),
        overturned_recovered=sum(
            (a.recovered or _ZERO for a in won if a.allowed_before is None), _ZERO
        ),
        underpaid_recovered=sum(
            (a.recovered or _ZERO for a in won if a.allowed_before is not None), _ZERO
        ),
    )


def insurance_balance(record: ClaimRecord, in_force: Sequence[Posting]) -> Decimal:
    """What payers still owe on the claim (the module docstring's table)."""
    information = record.claim.claim_information
    if record.status in UNBILLED or record.replaced_by or information.claim_frequency_code == VOID:
        return _ZERO
    if not in_force:
        return _asked(record)
    balance = _ZERO
    for posting in in_force:
        if posting.claim_level_only or not posting.lines:
            left = posting.charge - posting.paid
            balance += (
                left
                if posting.status_code == "4"
                else left - sum((a.amount for a in posting.claim_adjustments), _ZERO)
            )
            continue
        for line in (*posting.lines, *posting.unmatched_lines):
            left = line.charge - line.paid
            balance += (
                left if line.denied else left - sum((a.amount for a in line.adjustments), _ZERO)
            )
        balance -= sum((a.amount for a in posting.claim_adjustments), _ZERO)
    return balance


def _asked(record: ClaimRecord) -> Decimal:
    """Billed, not adjudicated: the charge, or for a later payer's claim what the last prior
    payer left to the patient (its PR adjustments, 2320 and 2430 CAS)."""
    information = record.claim.claim_information
    prior = [o for o in information.other_subscribers if o.payer_paid_amount is not None]
    if not prior:
        return record.charge_amount
    last = max(prior, key=lambda o: responsibility_rank(o.payment_responsibility_level_code))
    claim_level = sum((a.amount for a in last.claim_adjustments if a.group_code == "PR"), _ZERO)
    line_level = sum(
        (
            a.amount
            for line in information.service_lines
            for adjudication in line.line_adjudications
            if adjudication.other_payer_primary_identifier == last.payer.identifier
            for a in adjudication.adjustments
            if a.group_code == "PR"
        ),
        _ZERO,
    )
    return claim_level + line_level


def _denials(in_force: Sequence[Posting]) -> Iterable[Denial]:
    for posting in in_force:
        if posting.status_code == "4" and not posting.lines:
            reason = posting.claim_adjustments[0] if posting.claim_adjustments else None
            yield Denial(_reason(reason), None, posting.charge - posting.paid)
            continue
        for line in posting.lines:
            if line.denied:
                first = line.adjustments[0] if line.adjustments else None
                yield Denial(_reason(first), line.procedure_code, line.charge - line.paid)


def _reason(adjustment: object) -> str:
    group, reason = getattr(adjustment, "group", None), getattr(adjustment, "reason", None)
    return f"{group}-{reason}" if group and reason else "unknown"


def _first_pass(record: ClaimRecord) -> str | None:
    """Whether the claim's first answer from the clearinghouse or payer took it or turned it
    down (first-pass acceptance)."""
    for event in record.events:
        if event.event in _REJECTIONS:
            return REJECTED
        if event.event in _ACCEPTANCES:
            return ACCEPTED
    return None


# -- reports ----------------------------------------------------------------------------------


def bucket(service_date: date | None, today: date) -> str:
    days = (today - service_date).days if service_date else 0
    for limit, name in ((30, "0-30"), (60, "31-60"), (90, "61-90"), (120, "91-120")):
        if days <= limit:
            return name
    return "120+"


def aging(facts: Iterable[ClaimFacts], *, today: date, by: str) -> dict[str, Any]:
    """Open insurance balances by payer (or patient account) and age; rows, totals per
    bucket, and the total, which the buckets sum to."""
    rows: dict[str, dict[str, Decimal]] = defaultdict(lambda: dict.fromkeys(BUCKETS, _ZERO))
    claims: dict[str, int] = defaultdict(int)
    for fact in facts:
        if fact.balance == 0:
            continue
        key = fact.payer_id if by == "payer" else fact.patient_account
        rows[key][bucket(fact.service_date, today)] += fact.balance
        claims[key] += 1
    totals = {name: sum((row[name] for row in rows.values()), _ZERO) for name in BUCKETS}
    return {
        "asOf": today.isoformat(),
        "by": by,
        "buckets": list(BUCKETS),
        "rows": [
            {
                "key": key,
                "claims": claims[key],
                **{name: str(row[name]) for name in BUCKETS},
                "total": str(sum(row.values(), _ZERO)),
            }
            for key, row in sorted(rows.items())
        ],
        "totals": {name: str(amount) for name, amount in totals.items()},
        "total": str(sum(totals.values(), _ZERO)),
    }


def patient_aging(
    accounts: Iterable[tuple[str, Sequence[tuple[date, Decimal]]]], *, today: date
) -> dict[str, Any]:
    """What patients owe by account and age: each open debit (the ledger's FIFO) ages from
    the day it became the patient's; the buckets sum to the total."""
    rows: list[dict[str, Any]] = []
    totals = dict.fromkeys(BUCKETS, _ZERO)
    for patient_id, debits in accounts:
        row = dict.fromkeys(BUCKETS, _ZERO)
        for owed_since, left in debits:
            row[bucket(owed_since, today)] += left
        for name in BUCKETS:
            totals[name] += row[name]
        rows.append(
            {
                "key": patient_id,
                **{name: str(row[name]) for name in BUCKETS},
                "total": str(sum(row.values(), _ZERO)),
            }
        )
    return {
        "asOf": today.isoformat(),
        "by": "patient",
        "buckets": list(BUCKETS),
        "rows": sorted(rows, key=lambda r: str(r["key"])),
        "totals": {name: str(amount) for name, amount in totals.items()},
        "total": str(sum(totals.values(), _ZERO)),
    }


def collections(facts: Sequence[ClaimFacts]) -> dict[str, Any]:
    """Billed, allowed, paid, adjusted, written off, and the net collection rate: paid over
    what could be collected (charges less contractual adjustments)."""
    billed = sum((f.charge for f in facts), _ZERO)
    contractual = sum((f.contractual for f in facts), _ZERO)
    paid = sum((f.paid for f in facts), _ZERO)
    collectable = billed - contractual
    return {
        "claims": len(facts),
        "billed": str(billed),
        "allowed": str(sum((f.allowed for f in facts), _ZERO)),
        "paid": str(paid),
        "contractualAdjustments": str(contractual),
        "otherAdjustments": str(sum((f.other_adjustments for f in facts), _ZERO)),
        "patientResponsibility": str(sum((f.patient_responsibility for f in facts), _ZERO)),
        "writtenOff": str(sum((f.written_off for f in facts), _ZERO)),
        "netCollectionRate": _percent(paid, collectable),
    }


def denials(facts: Sequence[ClaimFacts]) -> dict[str, Any]:
    """Denied amounts by reason, payer and procedure, and the appeals that overturned one."""
    by: dict[str, dict[str, list[Decimal]]] = {
        "reason": defaultdict(list),
        "payer": defaultdict(list),
        "procedure": defaultdict(list),
    }
    for fact in facts:
        for denial in fact.denials:
            by["reason"][denial.reason].append(denial.amount)
            by["payer"][fact.payer_id].append(denial.amount)
            by["procedure"][denial.procedure or "(claim)"].append(denial.amount)
    return {
        "deniedClaims": sum(1 for f in facts if f.denials),
        "deniedAmount": str(sum((f.denied for f in facts), _ZERO)),
        **{
            f"by{name.capitalize()}": [
                {"key": key, "count": len(amounts), "amount": str(sum(amounts, _ZERO))}
                for key, amounts in sorted(groups.items())
            ]
            for name, groups in by.items()
        },
        "appealsOverturned": sum(f.appeals_overturned for f in facts),
        "recoveredOnAppeal": str(sum((f.overturned_recovered for f in facts), _ZERO)),
    }


def underpayments(facts: Sequence[ClaimFacts]) -> dict[str, Any]:
    recovered = [f for f in facts if f.underpaid_recovered]
    return {
        "claimsRecovered": len(recovered),
        "recovered": str(sum((f.underpaid_recovered for f in recovered), _ZERO)),
        "claims": [
            {"claimId": f.claim_id, "payerId": f.payer_id, "recovered": str(f.underpaid_recovered)}
            for f in recovered
        ],
    }


def first_pass(facts: Sequence[ClaimFacts]) -> dict[str, Any]:
    answered = [f for f in facts if f.first_pass is not None]
    accepted = sum(1 for f in answered if f.first_pass == ACCEPTED)
    return {
        "answered": len(answered),
        "acceptedFirstTime": accepted,
        "rejectedFirstTime": len(answered) - accepted,
        "rate": _percent(Decimal(accepted), Decimal(len(answered))),
    }


def claims_by_status(facts: Sequence[ClaimFacts]) -> dict[str, Any]:
    """How many claims (and what they charged) stand in each status."""
    counts: dict[str, list[Decimal]] = defaultdict(list)
    for fact in facts:
        counts[fact.status].append(fact.charge)
    return {
        "statuses": [
            {"status": status, "claims": len(charges), "charges": str(sum(charges, _ZERO))}
            for status, charges in sorted(counts.items())
        ]
    }


def days_in_ar(
    open_facts: Iterable[ClaimFacts], period: Sequence[ClaimFacts], days: int
) -> dict[str, Any]:
    """Open balance over the average charges a day of the period (claims with a date of
    service in it)."""
    open_balance = sum((f.balance for f in open_facts), _ZERO)
    charged = sum((f.charge for f in period), _ZERO)
    daily = charged / days if days else _ZERO
    return {
        "openBalance": str(open_balance),
        "chargesInPeriod": str(charged),
        "periodDays": days,
        "daysInAr": None if not daily else str((open_balance / daily).quantize(Decimal("0.1"))),
    }


def _percent(part: Decimal, whole: Decimal) -> str | None:
    if not whole:
        return None
    return str((part * 100 / whole).quantize(Decimal("0.01")))

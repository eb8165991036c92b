"""The patient responsibility ledger: entries (charges from the payers' PR adjustments,
payments, refunds, reversals, write-offs), the balance and its aging.

A charge appears only when every payer on the visit has finished: the COB decision on the
last payer's posting (chalicelib.claims.cob.plan_next_payer) says no payer is left to bill
(`nothing_to_bill`, or `denied` with no payer after it). While a payer is still billed
(`bill_next`), forwarding the claim (`crossed_over`), reversing (`reversed`, its new
remittance follows) or needs a person (`review`, `denied` with a next payer), the patient
owes nothing yet: statements for claims still at the payer are the classic bug.

The amount is the LAST adjudicating payer's PR total (claim and lines): a secondary's PR is
what remains after it paid part of the primary's deductible or coinsurance.

Aging: credits (payments, write-offs, reversals) settle the oldest debits first; what is left
of each debit ages from the day it became patient-owed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from chalicelib.claims.cob import NextPayerAction, plan_next_payer
from chalicelib.claims.model import Claim
from chalicelib.claims.posting import Posting

_CENT = Decimal("0.01")
ZERO = Decimal("0.00")

# Aging buckets by days since the amount became patient-owed (upper bound inclusive).
AGING_BUCKETS: tuple[tuple[str, int | None], ...] = (
    ("0-30", 30),
    ("31-60", 60),
    ("61-90", 90),
    ("91-120", 120),
    ("120+", None),
)


class EntryKind(StrEnum):
    CHARGE = "charge"  # the patient's share of a visit, once the payers finished
    CHARGE_REVERSAL = "charge_reversal"  # the payer took its adjudication back
    PAYMENT = "payment"  # money from the patient
    REFUND = "refund"  # money given back to the patient
    WRITE_OFF = "write_off"  # the practice will not collect it (small balance, policy)


# The sign an entry's amount carries in the balance: what the patient owes goes up (+1) or down.
_SIGN: Mapping[EntryKind, int] = {
    EntryKind.CHARGE: 1,
    EntryKind.REFUND: 1,
    EntryKind.CHARGE_REVERSAL: -1,
    EntryKind.PAYMENT: -1,
    EntryKind.WRITE_OFF: -1,
}


@dataclass(frozen=True, slots=True)
class Reason:
    """Why the patient owes part of a visit: a PR adjustment (CARC) or a remark (RARC), with
    the code list's words (None when the code is not in the list)."""

    code: str  # "PR-2", "N130"
    amount: Decimal | None
    text: str | None
    procedure_code: str | None = None


@dataclass(frozen=True, slots=True)
class PayerShare:
    """What one payer did with the visit: paid, and adjusted by group (CO, OA, PI, PR)."""

    payer_id: str
    paid: Decimal
    adjusted: Mapping[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One line of the patient's account, written once under `entry_id`. `owed_since` is the
    day a debit became patient-owed (aging) or a credit was received. Amounts are positive;
    `signed` gives the effect on the balance."""

    entry_id: str
    kind: EntryKind
    amount: Decimal
    at: datetime
    owed_since: date
    claim_id: str | None = None
    service_date: date | None = None
    charge: Decimal | None = None  # what the visit was billed
    payers: tuple[PayerShare, ...] = ()
    reasons: tuple[Reason, ...] = ()
    method: str | None = None  # cash, check, card, ach, other
    reference: str | None = None  # check number, card receipt: the practice's, never PHI
    note: str | None = None
    reverses: str | None = None  # the entry a reversal takes back
    adjudication: str | None = (
        None  # a charge's payer and CLP07 (Posting.key): what a reversal names
    )

    @property
    def signed(self) -> Decimal:
        return self.amount * _SIGN[self.kind]


@dataclass(frozen=True, slots=True)
class ShareDecision:
    """What the last posting means for the patient: `charge` (an entry to write), `reverse`
    (take back the charge whose `adjudication` is `reverses_key`), or `wait` (a payer is not
    finished, or nobody owes anything: `reason` says which)."""

    action: str
    reason: str
    entry: LedgerEntry | None = None
    reverses_key: str | None = None


def patient_account_of(claim: Claim) -> str:
    """The practice's patient account: REF*EA (medical record / account number) when sent,
    else CLM01, the patient control number the practice's system gives the patient."""
    info = claim.claim_information
    return (info.medical_record_number or info.patient_control_number).strip()


def charge_entry_id(visit_claim_id: str, posting: Posting) -> str:
    """One charge per visit and adjudication: a second delivery of the same 835 is the same id."""
    return f"C#{visit_claim_id}#{_digest(posting)}"


def _digest(posting: Posting) -> str:
    ids = (
        posting.payer_id,
        posting.trace_number,
        posting.payer_claim_control_number,
        posting.patient_control_number,
    )
    return hashlib.sha256("|".join(ids).encode()).hexdigest()[:20]


_FINISHED = frozenset({NextPayerAction.NOTHING_TO_BILL})


def plan_patient_share(
    claim: Claim,
    postings: Sequence[Posting],
    *,
    visit_claim_id: str,
    claim_id: str,
    prior_postings: Sequence[Posting] = (),
    at: datetime,
) -> ShareDecision:
    """Decide what the newest of `postings` (this claim's, oldest first) means for the
    patient. `prior_postings` are the earlier payers' on the claims billed before this one
    (COB), shown on the statement as what each payer paid."""
    if not postings:
        return ShareDecision("wait", "no remittance posted")
    last = postings[-1]
    if last.is_reversal:
        return ShareDecision(
            "reverse",
            "the payer reversed its adjudication",
            reverses_key=last.key,
        )
    decision = plan_next_payer(claim, postings)
    finished = decision.action in _FINISHED or (
        decision.action is NextPayerAction.DENIED and decision.next_payer is None
    )
    if not finished:
        return ShareDecision("wait", f"cob:{decision.action.value}")
    owed = _cents(last.group_total("PR"))
    entry = LedgerEntry(
        entry_id=charge_entry_id(visit_claim_id, last),
        kind=EntryKind.CHARGE,
        amount=owed,
        at=at,
        owed_since=(last.payment_date or at.date()),
        claim_id=claim_id,
        service_date=_first_service_date(claim),
        charge=_cents(claim.claim_information.claim_charge_amount),
        payers=tuple(_payer_share(p) for p in (*prior_postings, *postings) if not p.is_reversal),
        reasons=patient_reasons(last),
        adjudication=last.key,
    )
    if owed <= 0:
        return ShareDecision("wait", "every payer finished; the patient owes nothing", entry)
    return ShareDecision("charge", f"cob:{decision.action.value}", entry)


def patient_reasons(posting: Posting) -> tuple[Reason, ...]:
    """The PR adjustments (claim and lines, by CARC, amounts summed per code and procedure)
    and every remark the payer sent, in the code lists' words."""
    sums: dict[tuple[str, str | None], tuple[Decimal, str | None]] = {}
    for item in posting.claim_adjustments:
        if item.group == "PR":
            _add(sums, (f"PR-{item.reason}", None), item.amount, item.description)
    for line in (*posting.lines, *posting.unmatched_lines):
        for item in line.adjustments:
            if item.group == "PR":
                key = (f"PR-{item.reason}", line.billed_procedure_code)
                _add(sums, key, item.amount, item.description)
    reasons = [
        Reason(code=code, amount=_cents(amount), text=text, procedure_code=procedure)
        for (code, procedure), (amount, text) in sums.items()
    ]
    seen: set[str] = set()
    for remark in (*posting.remarks, *(r for line in posting.lines for r in line.remarks)):
        if remark.code not in seen:
            seen.add(remark.code)
            reasons.append(Reason(code=remark.code, amount=None, text=remark.description))
    return tuple(reasons)


def _add(
    sums: dict[tuple[str, str | None], tuple[Decimal, str | None]],
    key: tuple[str, str | None],
    amount: Decimal,
    text: str | None,
) -> None:
    before = sums.get(key, (ZERO, text))[0]
    sums[key] = (before + amount, text)


def _payer_share(posting: Posting) -> PayerShare:
    """What the payer paid and wrote off, by group. PR is the patient's (the reasons), and
    OA-23 only repeats what an earlier payer did, so neither counts as this payer's."""
    adjusted: dict[str, Decimal] = {}
    for item in posting.all_adjustments():
        if item.group != "PR" and (item.group, item.reason) != ("OA", "23"):
            adjusted[item.group] = adjusted.get(item.group, ZERO) + item.amount
    return PayerShare(
        payer_id=posting.payer_id,
        paid=_cents(posting.paid),
        adjusted={group: _cents(amount) for group, amount in adjusted.items() if amount},
    )


def _first_service_date(claim: Claim) -> date | None:
    dates = [line.service_date for line in claim.claim_information.service_lines]
    return min(dates) if dates else None


# -- balance and aging -------------------------------------------------------------------------


def balance_of(entries: Iterable[LedgerEntry]) -> Decimal:
    return _cents(sum((e.signed for e in entries), ZERO))


def open_debits(entries: Iterable[LedgerEntry]) -> list[tuple[LedgerEntry, Decimal]]:
    """Each debit (charge, refund) with what is still owed of it once the credits have settled
    the oldest debits first (FIFO), oldest first; settled debits are left out."""
    every = list(entries)
    # A reversal settles the charge it takes back, not the oldest one.
    reversed_ids = {e.reverses for e in every if e.kind is EntryKind.CHARGE_REVERSAL}
    ordered = sorted(
        (
            e
            for e in every
            if e.entry_id not in reversed_ids and e.kind is not EntryKind.CHARGE_REVERSAL
        ),
        key=lambda e: (e.owed_since, e.entry_id),
    )
    credit = sum((-e.signed for e in ordered if e.signed < 0), ZERO)
    left: list[tuple[LedgerEntry, Decimal]] = []
    for debit in (e for e in ordered if e.signed > 0):
        settled = min(credit, debit.amount)
        credit -= settled
        if debit.amount - settled > 0:
            left.append((debit, _cents(debit.amount - settled)))
    return left


def aging_of(entries: Iterable[LedgerEntry], today: date) -> dict[str, Decimal]:
    """What is owed by age bucket: the rest of each open debit ages from its `owed_since`.
    A credit balance ages nothing."""
    buckets = {name: ZERO for name, _ in AGING_BUCKETS}
    for debit, left in open_debits(entries):
        buckets[bucket_of((today - debit.owed_since).days)] += left
    return {name: _cents(amount) for name, amount in buckets.items()}


def oldest_owed(entries: Iterable[LedgerEntry]) -> date | None:
    """The day the oldest debit not yet settled became owed: None when the patient owes
    nothing. Dunning counts its days from here."""
    debits = open_debits(entries)
    return debits[0][0].owed_since if debits else None


def bucket_of(days: int) -> str:
    for name, upper in AGING_BUCKETS:
        if upper is None or days <= upper:
            return name
    return AGING_BUCKETS[-1][0]


def _cents(value: Decimal) -> Decimal:
    return value.quantize(_CENT)


def reversal_of(charge: LedgerEntry, *, at: datetime) -> LedgerEntry:
    """The entry taking `charge` back (written once: its id is the charge's)."""
    return LedgerEntry(
        entry_id=f"X#{charge.entry_id}",
        kind=EntryKind.CHARGE_REVERSAL,
        amount=charge.amount,
        at=at,
        owed_since=charge.owed_since,
        claim_id=charge.claim_id,
        service_date=charge.service_date,
        note="the payer reversed its adjudication; a new one follows",
        reverses=charge.entry_id,
    )

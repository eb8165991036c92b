"""What one 835 claim payment means for our claim: the posting a biller would key in by hand.

Input is one Loop 2100 (CLP and its Loop 2110 SVC lines, TR3 005010X221A1) and the claim it
answers; output is a `Posting`: each payment line tied to the claim line it pays, the allowed
amount, who owes what, the lifecycle event, and what looks wrong. Decide only: the remittance
service stores the posting on the claim and applies the event.

Line matching (DESIGN.md "Matching inbound data to claims"), each claim line at most once:
1. REF*6R line item control number (Loop 2110) = the claim line's provider control number.
2. Otherwise procedure + service date + charge: the payer dropped the REF*6R or a modifier, or
   changed the code and echoed ours in SVC06. Same modifiers win a tie.
A payment line that matches nothing is kept in `unmatched_lines`, never dropped. A claim payment
without SVC lines is posted at claim level.

The event, by CLP02 (`STATUS_EVENTS`):

| CLP02 | event |
| --- | --- |
| 22 reversal of previous payment | REMIT_REVERSED |
| 4 denied | REMIT_DENIED |
| 1, 2, 3 processed; 19, 20, 21 processed and forwarded | decided by the amounts, below |
| 23 not our claim, forwarded; 25 predetermination only | NOTE: nothing adjudicated for us |
| anything else | None: the caller records a note, the claim stays where it is |

For the processed codes:
- paid 0 and patient responsibility 0, unless every adjustment settles rather than denies
  (`SETTLING_ADJUSTMENTS`: a prior payer or a capitation paid it) -> REMIT_DENIED;
- paid > 0 and some payment line denied (paid 0 with an adjustment that does not settle it;
  for a claim-level-only payment, a claim adjustment that does not settle) -> REMIT_PARTIAL;
- otherwise REMIT_PAID: the payer's share is settled, including a claim applied wholly to the
  deductible (paid 0, patient responsibility > 0: processed, the patient owes).
A claim line with no payment line is a finding, not a partial payment: payers split claims
(MA15) and the rest comes on another remittance.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from chalicelib.x12.read.remit835 import Adjustment
from chalicelib.x12.read.remit835_values import Procedure

from .carc_rarc import (
    CARC_VERSION,
    CLAIM_STATUS_CODES,
    RARC_VERSION,
    describe_carc,
    describe_rarc,
)
from .lifecycle import Event
from .model import Claim, ServiceLine


class PaymentLine(Protocol):
    """What posting reads of a Loop 2110 payment line: the 835 reader's ServiceLine, or a
    line of a paper EOB keyed by hand (claims.manual_remittance)."""

    @property
    def procedure(self) -> Procedure: ...
    @property
    def original_procedure(self) -> Procedure | None: ...
    @property
    def charge(self) -> Decimal: ...
    @property
    def paid(self) -> Decimal: ...
    @property
    def units(self) -> Decimal | None: ...
    @property
    def original_units(self) -> Decimal | None: ...
    @property
    def segment_index(self) -> int: ...
    @property
    def adjustments(self) -> tuple[Adjustment, ...]: ...
    @property
    def service_date(self) -> date | None: ...
    @property
    def service_start(self) -> date | None: ...
    @property
    def line_item_control_number(self) -> str | None: ...
    @property
    def allowed(self) -> Decimal | None: ...
    @property
    def remark_codes(self) -> tuple[str, ...]: ...
    @property
    def reject_codes(self) -> tuple[str, ...]: ...


class Carrier(Protocol):
    @property
    def last_name(self) -> str: ...
    @property
    def id(self) -> str: ...


class ClaimPayment(Protocol):
    """What posting reads of a Loop 2100 claim payment: the 835 reader's ClaimPayment, or a
    paper EOB keyed by hand. One posting path for both, so a manual remittance moves the claim,
    the worklist, the payment checks and secondary billing as an 835 does."""

    @property
    def patient_control_number(self) -> str: ...
    @property
    def status_code(self) -> str: ...
    @property
    def charge(self) -> Decimal: ...
    @property
    def paid(self) -> Decimal: ...
    @property
    def patient_responsibility(self) -> Decimal | None: ...
    @property
    def payer_claim_control_number(self) -> str: ...
    @property
    def lines(self) -> Sequence[PaymentLine]: ...
    @property
    def adjustments(self) -> tuple[Adjustment, ...]: ...
    @property
    def inpatient_remark_codes(self) -> tuple[str, ...]: ...
    @property
    def outpatient_remark_codes(self) -> tuple[str, ...]: ...
    @property
    def crossover_carrier(self) -> Carrier | None: ...
    @property
    def statement_start(self) -> date | None: ...
    @property
    def segment_index(self) -> int: ...


MATCHED_BY_CONTROL_NUMBER = "line_control_number"
MATCHED_BY_PROCEDURE = "procedure_date_charge"
ALLOWED_FROM_AMT_B6 = "amt_b6"  # Loop 2110 AMT*B6 allowed - actual
ALLOWED_FROM_CHARGE = "charge_less_co"  # SVC02 less the line's CO adjustments
RESPONSIBILITY_FROM_CLP05 = "clp05"
RESPONSIBILITY_FROM_ADJUSTMENTS = "pr_adjustments"  # CLP05 empty: sum of PR, claim and lines

_ADJUDICATED = "adjudicated"  # processed: the amounts decide the event

STATUS_EVENTS: Mapping[str, Event | str] = {
    "1": _ADJUDICATED,
    "2": _ADJUDICATED,
    "3": _ADJUDICATED,
    "19": _ADJUDICATED,
    "20": _ADJUDICATED,
    "21": _ADJUDICATED,
    "4": Event.REMIT_DENIED,
    "22": Event.REMIT_REVERSED,
    "23": Event.NOTE,
    "25": Event.NOTE,
}

# Crossover: the payer forwarded the claim to the next payer itself, so claimgate must not bill
# that payer (DESIGN.md "secondary routing"). CLP02 19-21, a Loop 2100 NM1*TT crossover
# carrier, or a remark saying so: MA18 (supplemental insurer), N89 (more than one payer),
# MA07 (Medicaid).
CROSSOVER_STATUS_CODES = frozenset({"19", "20", "21"})
CROSSOVER_REMARKS = frozenset({"MA07", "MA18", "N89"})

# (group, reason) pairs that settle a line without denying it; any PR adjustment settles too
# (the patient owes it). CO-45 contractual and its retired forms CO-42 and CO-A2, OA-23 a prior
# payer's adjudication, CO-24 covered under capitation.
SETTLING_ADJUSTMENTS = frozenset(
    {("CO", "45"), ("CO", "42"), ("CO", "A2"), ("OA", "23"), ("CO", "24")}
)
GROUP_ORDER = ("CO", "PR", "OA", "PI", "CR")

_CENT = Decimal("0.01")
_ZERO = Decimal(0)
_ONE = Decimal(1)


@dataclass(frozen=True, slots=True)
class PostedAdjustment:
    """One CAS triplet with the CARC's description (None when the code is not in the table)."""

    group: str
    reason: str
    amount: Decimal
    quantity: Decimal | None
    description: str | None


@dataclass(frozen=True, slots=True)
class Remark:
    """A remark code (MOA/MIA in Loop 2100, LQ*HE in 2110) with the RARC's description."""

    code: str
    description: str | None


@dataclass(frozen=True, slots=True)
class GroupTotal:
    """All adjustments of one CAS01 group, claim and lines, in cents."""

    group: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class PostingFinding:
    """Something a biller should look at; indexes are 0-based positions in the claim's service
    lines and in the payment's Loop 2110 order."""

    code: str
    message: str
    claim_line_index: int | None = None
    payment_line_index: int | None = None


@dataclass(frozen=True, slots=True)
class PostedLine:
    """One Loop 2110 payment line. `claim_line_index` and `matched_by` are None for a line
    that matched no claim line. Procedure fields are as paid (SVC01); `billed_*` are as we
    billed them, or SVC06 (else SVC01) for an unmatched line. `units` is SVC05, which TR3
    says is one when absent. `segment_index` is the SVC's position in the archived file."""

    payment_line_index: int
    segment_index: int
    claim_line_index: int | None
    matched_by: str | None
    provider_control_number: str | None
    procedure_qualifier: str
    procedure_code: str
    procedure_modifiers: tuple[str, ...]
    billed_procedure_code: str
    billed_procedure_modifiers: tuple[str, ...]
    service_date: date | None
    charge: Decimal
    paid: Decimal
    allowed: Decimal
    allowed_source: str
    units: Decimal
    billed_units: Decimal | None
    adjustments: tuple[PostedAdjustment, ...]
    remarks: tuple[Remark, ...]
    reject_codes: tuple[str, ...]
    denied: bool


@dataclass(frozen=True, slots=True)
class Posting:
    """The decision for one claim payment, kept on the claim."""

    patient_control_number: str
    payer_claim_control_number: str
    payer_id: str
    trace_number: str
    payment_date: date | None
    status_code: str
    status_description: str | None
    event: Event | None
    charge: Decimal
    paid: Decimal
    patient_responsibility: Decimal
    patient_responsibility_source: str
    claim_adjustments: tuple[PostedAdjustment, ...]
    remarks: tuple[Remark, ...]
    crossover: bool
    crossover_carrier_name: str | None
    crossover_carrier_id: str | None
    group_totals: tuple[GroupTotal, ...]
    claim_level_only: bool
    lines: tuple[PostedLine, ...]
    unmatched_lines: tuple[PostedLine, ...]
    findings: tuple[PostingFinding, ...]
    carc_version: str
    rarc_version: str

    @property
    def key(self) -> str:
        """Identifies the payer's adjudication: payer id and CLP07. A later reversal of it
        carries the same CLP07, and so the same key in `reversal_key`."""
        return f"{self.payer_id}|{self.payer_claim_control_number}"

    @property
    def is_reversal(self) -> bool:
        return self.status_code == "22"

    @property
    def reversal_key(self) -> str | None:
        """For a reversal (CLP02 22), the `key` of the posting it takes back: the caller looks
        among the claim's postings for the latest non-reversal with this key. None otherwise,
        or when the payer left CLP07 empty."""
        if not self.is_reversal or not self.payer_claim_control_number:
            return None
        return self.key

    def all_adjustments(self) -> tuple[PostedAdjustment, ...]:
        """Claim-level adjustments, then each payment line's (unmatched lines included)."""
        lines = (*self.lines, *self.unmatched_lines)
        return (*self.claim_adjustments, *(item for line in lines for item in line.adjustments))

    def group_total(self, group: str) -> Decimal:
        return next((total.amount for total in self.group_totals if total.group == group), _ZERO)


def post_claim_payment(
    claim: Claim,
    payment: ClaimPayment,
    *,
    trace_number: str,
    payer_id: str,
    payment_date: date | None,
) -> Posting:
    """Decide what `payment` (one Loop 2100) means for `claim`. `trace_number` (TRN02),
    `payer_id` and `payment_date` (BPR16) come from the remittance around it."""
    claim_lines = claim.claim_information.service_lines
    matches = match_lines(claim_lines, payment)
    lines: list[PostedLine] = []
    unmatched: list[PostedLine] = []
    findings: list[PostingFinding] = []
    for index, payment_line in enumerate(payment.lines):
        match = matches.get(index)
        claim_line = None if match is None else claim_lines[match[0]]
        posted = _post_line(index, payment_line, payment, match, claim_line)
        (unmatched if match is None else lines).append(posted)
        findings.extend(_line_findings(posted))
    claim_level_only = not payment.lines
    matched_claim_lines = {posted.claim_line_index for posted in lines}
    if not claim_level_only:
        findings.extend(
            PostingFinding(
                "line_not_paid",
                f"claim line {index + 1}{_control(line.provider_control_number)} "
                f"({line.procedure_code}) has no payment line in this remittance",
                claim_line_index=index,
            )
            for index, line in enumerate(claim_lines)
            if index not in matched_claim_lines
        )
    claim_adjustments = tuple(_posted_adjustment(item) for item in payment.adjustments)
    all_lines = (*lines, *unmatched)
    adjustments = (*claim_adjustments, *(item for line in all_lines for item in line.adjustments))
    findings.extend(_claim_findings(claim, payment, adjustments))
    responsibility, responsibility_source = _patient_responsibility(payment, adjustments)
    remarks = tuple(
        Remark(code, describe_rarc(code))
        for code in (*payment.inpatient_remark_codes, *payment.outpatient_remark_codes)
    )
    status = payment.status_code
    event = decide_event(
        status,
        paid=payment.paid,
        patient_responsibility=responsibility,
        claim_adjustments=claim_adjustments,
        lines=all_lines,
    )
    carrier = payment.crossover_carrier
    remark_codes = {remark.code for remark in remarks}
    remark_codes.update(remark.code for line in all_lines for remark in line.remarks)
    crossover = (
        status in CROSSOVER_STATUS_CODES
        or carrier is not None
        or not CROSSOVER_REMARKS.isdisjoint(remark_codes)
    )
    return Posting(
        patient_control_number=payment.patient_control_number,
        payer_claim_control_number=payment.payer_claim_control_number,
        payer_id=payer_id,
        trace_number=trace_number,
        payment_date=payment_date,
        status_code=status,
        status_description=CLAIM_STATUS_CODES.get(status),
        event=event,
        charge=payment.charge,
        paid=payment.paid,
        patient_responsibility=responsibility,
        patient_responsibility_source=responsibility_source,
        claim_adjustments=claim_adjustments,
        remarks=remarks,
        crossover=crossover,
        crossover_carrier_name=None if carrier is None else carrier.last_name or None,
        crossover_carrier_id=None if carrier is None else carrier.id or None,
        group_totals=_group_totals(adjustments),
        claim_level_only=claim_level_only,
        lines=tuple(lines),
        unmatched_lines=tuple(unmatched),
        findings=tuple(findings),
        carc_version=CARC_VERSION,
        rarc_version=RARC_VERSION,
    )


def decide_event(
    status_code: str,
    *,
    paid: Decimal,
    patient_responsibility: Decimal,
    claim_adjustments: Sequence[PostedAdjustment],
    lines: Sequence[PostedLine],
) -> Event | None:
    """The lifecycle event for a claim payment (table in the module docstring); None for a
    CLP02 value the table does not know."""
    mapped = STATUS_EVENTS.get(status_code)
    if mapped is None or isinstance(mapped, Event):
        return mapped
    adjustments = [*claim_adjustments, *(item for line in lines for item in line.adjustments)]
    settled = bool(adjustments) and all(_settles(item) for item in adjustments)
    if paid == 0 and patient_responsibility == 0 and not settled:
        return Event.REMIT_DENIED
    if lines:
        some_denied = any(line.denied for line in lines)
    else:
        some_denied = not all(_settles(item) for item in claim_adjustments)
    if paid > 0 and some_denied:
        return Event.REMIT_PARTIAL
    return Event.REMIT_PAID


def match_lines(
    claim_lines: Sequence[ServiceLine], payment: ClaimPayment
) -> dict[int, tuple[int, str]]:
    """Payment line index -> (claim line index, how it matched). REF*6R first, for all lines,
    so a fallback match can never take the line another payment line names by control number."""
    free = list(range(len(claim_lines)))
    matches: dict[int, tuple[int, str]] = {}
    for index, payment_line in enumerate(payment.lines):
        number = payment_line.line_item_control_number
        if not number:
            continue
        found = next((i for i in free if claim_lines[i].provider_control_number == number), None)
        if found is not None:
            free.remove(found)
            matches[index] = (found, MATCHED_BY_CONTROL_NUMBER)
    for index, payment_line in enumerate(payment.lines):
        if index in matches:
            continue
        when = _line_date(payment_line, payment)
        candidates = [i for i in free if _same_service(claim_lines[i], payment_line, when)]
        if not candidates:
            continue
        modifiers = (payment_line.original_procedure or payment_line.procedure).modifiers
        found = next(
            (i for i in candidates if claim_lines[i].procedure_modifiers == modifiers),
            candidates[0],
        )
        free.remove(found)
        matches[index] = (found, MATCHED_BY_PROCEDURE)
    return matches


def _same_service(claim_line: ServiceLine, payment_line: PaymentLine, when: date | None) -> bool:
    """Procedure (SVC01, or SVC06 when the payer changed it), date and charge. A reversal
    negates the charge; a line without any date is matched on procedure and charge alone."""
    codes = {payment_line.procedure.code}
    if payment_line.original_procedure is not None:
        codes.add(payment_line.original_procedure.code)
    if claim_line.procedure_code not in codes:
        return False
    if abs(payment_line.charge) != claim_line.charge_amount:
        return False
    if when is None:
        return True
    return (
        claim_line.service_date <= when <= (claim_line.service_date_end or claim_line.service_date)
    )


def _line_date(payment_line: PaymentLine, payment: ClaimPayment) -> date | None:
    """DTM*472, else DTM*150 (Loop 2110); else the claim's DTM*232 (Loop 2100), which TR3
    lets stand for the lines when they share it."""
    return payment_line.service_date or payment_line.service_start or payment.statement_start


def _post_line(
    index: int,
    payment_line: PaymentLine,
    payment: ClaimPayment,
    match: tuple[int, str] | None,
    claim_line: ServiceLine | None,
) -> PostedLine:
    adjustments = tuple(_posted_adjustment(item) for item in payment_line.adjustments)
    if payment_line.allowed is not None:
        allowed, allowed_source = payment_line.allowed, ALLOWED_FROM_AMT_B6
    else:
        contractual = sum((item.amount for item in adjustments if item.group == "CO"), _ZERO)
        allowed, allowed_source = _cents(payment_line.charge - contractual), ALLOWED_FROM_CHARGE
    paid_procedure = payment_line.procedure
    when: date | None
    if claim_line is not None:
        billed_code = claim_line.procedure_code
        billed_modifiers = claim_line.procedure_modifiers
        billed_units: Decimal | None = claim_line.unit_count
        control_number = claim_line.provider_control_number
        when = payment_line.service_date or payment_line.service_start or claim_line.service_date
    else:
        billed_procedure = payment_line.original_procedure or paid_procedure
        billed_code, billed_modifiers = billed_procedure.code, billed_procedure.modifiers
        billed_units = payment_line.original_units
        control_number = payment_line.line_item_control_number
        when = _line_date(payment_line, payment)
    return PostedLine(
        payment_line_index=index,
        segment_index=payment_line.segment_index,
        claim_line_index=None if match is None else match[0],
        matched_by=None if match is None else match[1],
        provider_control_number=control_number,
        procedure_qualifier=paid_procedure.qualifier,
        procedure_code=paid_procedure.code,
        procedure_modifiers=paid_procedure.modifiers,
        billed_procedure_code=billed_code,
        billed_procedure_modifiers=billed_modifiers,
        service_date=when,
        charge=payment_line.charge,
        paid=payment_line.paid,
        allowed=allowed,
        allowed_source=allowed_source,
        units=_ONE if payment_line.units is None else payment_line.units,
        billed_units=billed_units,
        adjustments=adjustments,
        remarks=tuple(Remark(code, describe_rarc(code)) for code in payment_line.remark_codes),
        reject_codes=payment_line.reject_codes,
        denied=payment_line.paid == 0 and not all(_settles(item) for item in adjustments),
    )


def _line_findings(line: PostedLine) -> Iterable[PostingFinding]:
    adjusted = sum((item.amount for item in line.adjustments), _ZERO)
    where = f"payment line {line.payment_line_index + 1} ({line.procedure_code})"
    if line.charge - adjusted != line.paid:
        yield PostingFinding(
            "line_out_of_balance",
            f"{where}: SVC02 {line.charge} less adjustments {adjusted} is "
            f"{line.charge - adjusted}, but SVC03 is {line.paid}",
            claim_line_index=line.claim_line_index,
            payment_line_index=line.payment_line_index,
        )
    if line.claim_line_index is None:
        yield PostingFinding(
            "unmatched_payment_line",
            f"{where}{_control(line.provider_control_number)} matches no line of the claim",
            payment_line_index=line.payment_line_index,
        )


def _claim_findings(
    claim: Claim, payment: ClaimPayment, adjustments: Sequence[PostedAdjustment]
) -> Iterable[PostingFinding]:
    info = claim.claim_information
    if payment.patient_control_number != info.patient_control_number:
        yield PostingFinding(
            "patient_control_number_mismatch",
            f"CLP01 {payment.patient_control_number!r} is not the claim's patient control "
            f"number {info.patient_control_number!r}",
        )
    if abs(payment.charge) != info.claim_charge_amount:  # a reversal negates CLP03
        yield PostingFinding(
            "charge_mismatch",
            f"CLP03 total claim charge {payment.charge} is not the claim's charge "
            f"{info.claim_charge_amount}",
        )
    adjusted = sum((item.amount for item in adjustments), _ZERO)
    if payment.charge - adjusted != payment.paid:  # TR3 balancing: CLP03 - CAS = CLP04
        yield PostingFinding(
            "claim_out_of_balance",
            f"CLP03 {payment.charge} less adjustments {adjusted} is "
            f"{payment.charge - adjusted}, but CLP04 is {payment.paid}",
        )
    if payment.status_code not in STATUS_EVENTS:
        yield PostingFinding(
            "unknown_claim_status",
            f"CLP02 claim status {payment.status_code!r} is not one the 835 uses",
        )


def _patient_responsibility(
    payment: ClaimPayment, adjustments: Sequence[PostedAdjustment]
) -> tuple[Decimal, str]:
    """CLP05 as the payer states it; when it is empty, the PR adjustments of the claim and
    its lines, which is what CLP05 would have said."""
    if payment.patient_responsibility is not None:
        return payment.patient_responsibility, RESPONSIBILITY_FROM_CLP05
    owed = sum((item.amount for item in adjustments if item.group == "PR"), _ZERO)
    return _cents(owed), RESPONSIBILITY_FROM_ADJUSTMENTS


def _settles(adjustment: PostedAdjustment) -> bool:
    return adjustment.group == "PR" or (adjustment.group, adjustment.reason) in SETTLING_ADJUSTMENTS


def _posted_adjustment(adjustment: Adjustment) -> PostedAdjustment:
    return PostedAdjustment(
        group=adjustment.group,
        reason=adjustment.reason,
        amount=adjustment.amount,
        quantity=adjustment.quantity,
        description=describe_carc(adjustment.reason),
    )


def _group_totals(adjustments: Iterable[PostedAdjustment]) -> tuple[GroupTotal, ...]:
    """Every CAS01 group of the TR3, zero when absent, then any other group the payer sent."""
    totals = dict.fromkeys(GROUP_ORDER, _ZERO)
    for adjustment in adjustments:
        totals[adjustment.group] = totals.get(adjustment.group, _ZERO) + adjustment.amount
    others = sorted(group for group in totals if group not in GROUP_ORDER)
    return tuple(GroupTotal(group, _cents(totals[group])) for group in (*GROUP_ORDER, *others))


def _control(number: str | None) -> str:
    return f" (REF*6R {number!r})" if number else ""


def _cents(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def current_postings(postings: Sequence[Posting]) -> tuple[Posting, ...]:
    """The postings still in force, in order: a reversal (CLP02 22) takes back the latest
    earlier posting with its key, and is itself no adjudication to work."""
    kept: list[Posting] = []
    for posting in postings:
        key = posting.reversal_key
        if posting.is_reversal:
            for position in range(len(kept) - 1, -1, -1):
                if key is not None and kept[position].key == key:
                    del kept[position]
                    break
            continue
        kept.append(posting)
    return tuple(kept)

"""A paper EOB keyed by hand, as the claim payment an 835 would have carried.

A payer that takes paper claims answers with a paper explanation of benefits and a check. The
biller keys in what it says; this module checks it the way the 835 TR3 balances a claim
payment (X221A1 1.10.2: each line's charge less its adjustments is its payment, the claim's
charge less every adjustment is the claim's payment) and, when it balances, writes it as the
Loop 2100 / 2110 the reader would have produced (`KeyedPayment`). Posting then takes it down
the same path as an 835 (claims.posting), so the claim's status, the worklist, the payment
checks against the contract and secondary billing follow as they would.

The EOB names each line by its number on the claim (1-based) or by the line's provider
control number; the procedure, date, units and charge are the claim's own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from chalicelib.x12.read.remit835 import Adjustment
from chalicelib.x12.read.remit835_values import Procedure

from .model import Claim, ServiceLine

# The EOB's claim status -> CLP02: processed as primary (the amounts decide paid, partially
# paid or denied, as for an 835), or denied.
STATUS_CODES = {"paid": "1", "denied": "4"}
_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class EobAdjustment:
    group: str  # CO, PR, OA, PI, CR
    reason: str  # CARC
    amount: Decimal


@dataclass(frozen=True, slots=True)
class EobLine:
    paid: Decimal
    line_number: int | None = None  # 1-based, on the claim
    provider_control_number: str | None = None
    allowed: Decimal | None = None
    adjustments: tuple[EobAdjustment, ...] = ()
    remarks: tuple[str, ...] = ()  # RARCs


@dataclass(frozen=True, slots=True)
class Eob:
    """What a paper EOB says about one claim."""

    payer_claim_control_number: str
    payment_date: date
    check_number: str
    status: str  # paid | denied
    paid: Decimal
    lines: tuple[EobLine, ...] = ()
    patient_responsibility: Decimal | None = None
    adjustments: tuple[EobAdjustment, ...] = ()  # claim-level
    remarks: tuple[str, ...] = ()  # claim-level RARCs


@dataclass(frozen=True, slots=True)
class EobProblem:
    """A field of the EOB (a path in the request, e.g. lines[1].paid) that is wrong."""

    field: str
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class KeyedLine:
    """A Loop 2110 as keyed: the attributes posting reads of the 835 reader's ServiceLine."""

    procedure: Procedure
    charge: Decimal
    paid: Decimal
    units: Decimal | None
    segment_index: int
    adjustments: tuple[Adjustment, ...]
    service_date: date | None
    line_item_control_number: str | None
    allowed: Decimal | None
    remark_codes: tuple[str, ...]
    original_procedure: Procedure | None = None
    original_units: Decimal | None = None
    service_start: date | None = None
    reject_codes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class KeyedPayment:
    """A Loop 2100 as keyed: the attributes posting reads of the 835 reader's ClaimPayment."""

    patient_control_number: str
    status_code: str
    charge: Decimal
    paid: Decimal
    patient_responsibility: Decimal | None
    payer_claim_control_number: str
    lines: tuple[KeyedLine, ...]
    adjustments: tuple[Adjustment, ...]
    outpatient_remark_codes: tuple[str, ...]
    inpatient_remark_codes: tuple[str, ...] = ()
    crossover_carrier: None = None
    statement_start: date | None = None
    segment_index: int = 0


def plan_keyed_payment(
    claim: Claim, eob: Eob
) -> tuple[KeyedPayment | None, tuple[EobProblem, ...]]:
    """The claim payment the EOB stands for, or every problem with it (field by field)."""
    problems: list[EobProblem] = []
    if eob.status not in STATUS_CODES:
        problems.append(EobProblem("status", "invalid_value", "paid or denied"))
    if eob.status == "denied" and eob.paid != 0:
        problems.append(EobProblem("paid", "denied_with_payment", "a denied claim pays 0.00"))
    claim_lines = claim.claim_information.service_lines
    keyed: list[KeyedLine] = []
    taken: set[int] = set()
    for position, line in enumerate(eob.lines):
        where = f"lines[{position}]"
        index = _claim_line(claim_lines, line, where, problems)
        if index is None:
            continue
        if index in taken:
            problems.append(
                EobProblem(where, "duplicate_line", f"claim line {index + 1} is given twice")
            )
            continue
        taken.add(index)
        claim_line = claim_lines[index]
        adjusted = _sum(a.amount for a in line.adjustments)
        difference = claim_line.charge_amount - adjusted - line.paid
        if difference != 0:
            problems.append(
                EobProblem(
                    where,
                    "line_out_of_balance",
                    f"claim line {index + 1}: charge {claim_line.charge_amount} less "
                    f"adjustments {adjusted} is {claim_line.charge_amount - adjusted}, "
                    f"but paid is {line.paid} (difference {difference})",
                )
            )
        keyed.append(_keyed_line(position, claim_line, line))
    adjusted = _sum(a.amount for a in eob.adjustments)
    adjusted += _sum(a.amount for line in eob.lines for a in line.adjustments)
    charge = claim.claim_information.claim_charge_amount
    difference = charge - adjusted - eob.paid
    if difference != 0:
        problems.append(
            EobProblem(
                "paid",
                "claim_out_of_balance",
                f"the claim's charge {charge} less every adjustment ({adjusted}) is "
                f"{charge - adjusted}, but paid is {eob.paid} (difference {difference}): "
                "give every line of the EOB, or the claim-level adjustments",
            )
        )
    if problems:
        return None, tuple(problems)
    payment = KeyedPayment(
        patient_control_number=claim.claim_information.patient_control_number,
        status_code=STATUS_CODES[eob.status],
        charge=charge,
        paid=eob.paid,
        patient_responsibility=eob.patient_responsibility,
        payer_claim_control_number=eob.payer_claim_control_number,
        lines=tuple(keyed),
        adjustments=_adjustments(eob.adjustments),
        outpatient_remark_codes=eob.remarks,
    )
    return payment, ()


def _claim_line(
    claim_lines: Sequence[ServiceLine], line: EobLine, where: str, problems: list[EobProblem]
) -> int | None:
    if line.line_number is not None:
        if 1 <= line.line_number <= len(claim_lines):
            return line.line_number - 1
        problems.append(
            EobProblem(
                f"{where}.lineNumber",
                "unknown_line",
                f"the claim's lines are numbered 1 to {len(claim_lines)}",
            )
        )
        return None
    for index, claim_line in enumerate(claim_lines):
        if line.provider_control_number and (
            claim_line.provider_control_number == line.provider_control_number
        ):
            return index
    problems.append(
        EobProblem(
            f"{where}.providerControlNumber",
            "unknown_line",
            "no line of the claim has this provider control number",
        )
    )
    return None


def _keyed_line(position: int, claim_line: ServiceLine, line: EobLine) -> KeyedLine:
    return KeyedLine(
        procedure=Procedure(
            claim_line.procedure_identifier,
            claim_line.procedure_code,
            claim_line.procedure_modifiers,
            None,
        ),
        charge=claim_line.charge_amount,
        paid=line.paid,
        units=claim_line.unit_count,
        segment_index=position + 1,
        adjustments=_adjustments(line.adjustments),
        service_date=claim_line.service_date,
        line_item_control_number=claim_line.provider_control_number,
        allowed=line.allowed,
        remark_codes=line.remarks,
    )


def _adjustments(items: tuple[EobAdjustment, ...]) -> tuple[Adjustment, ...]:
    return tuple(Adjustment(a.group, a.reason, a.amount, None) for a in items)


def _sum(values: Iterable[Decimal]) -> Decimal:
    return sum(values, _ZERO)

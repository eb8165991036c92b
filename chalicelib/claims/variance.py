"""Payment mismatches: does what a payer paid on a claim agree with its contract and with its
own arithmetic? Decide only: the payment-mismatch schedule stores the flags as worklist items.

Per payment line of one posted claim payment (`check_payment`):

| check | flag | expected / actual |
| --- | --- | --- |
| allowed below the contract beyond the tolerance | underpaid | contract / allowed |
| allowed above the contract beyond the tolerance | overpaid | contract / allowed |
| paid differs by more than a cent from allowed - PR - reductions | math_error | that / paid |

`difference` is always expected - actual: positive when the payer owes more, negative when it
paid more than it should. The tolerance is the larger of `tolerance` and `tolerance_percent`
of the contract amount, so neither pennies of rounding on a $10 line nor a percent-based
contract's rounding on a $2,000 line become work for a biller.

- Contract amount: the rate in force on the date of service (`rate_for`) x the units paid
  (SVC05), but not more than the line's charge: contracts pay the lesser of the two.
- Allowed: `PostedLine.allowed` (AMT*B6, else the charge less the CO adjustments; a CO
  adjustment taken after pricing, in `PAYMENT_REDUCTIONS`, is added back).
- Patient responsibility: the line's PR adjustments. Reductions: adjustments that come off
  the allowed amount, not the charge (`PAYMENT_REDUCTIONS`). Never below zero: a secondary
  whose allowed amount the primary's payment exceeds pays nothing.
- Not checked: reversals (CLP02 22) and claims not adjudicated for us (4 denied, 23, 25, or
  a status the 835 does not use); denied lines, which are denial worklist items; capitated
  lines (CO-24) against the contract. Secondary and tertiary payments (CLP02 2, 3, 20, 21)
  are checked for arithmetic only: the contract is with the primary, and a secondary's
  allowed amount follows coordination of benefits, not the fee schedule.
- A line with no contract rate is not a mismatch but a gap in the contract (`contract_gaps`):
  underpayments of such codes can only be found once the contract has them.

For a whole 835 (`check_remittance_balance`): the reader's balancing findings (TR3 balancing:
line, claim, transaction) become `remittance_imbalance` flags with the amounts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Final, Literal

from chalicelib.payers.fee_schedules import ContractedRate, FeeScheduleVersion, contracted_rate
from chalicelib.x12.read.remit835 import Remittance

from .model import Claim, ServiceLine
from .posting import ALLOWED_FROM_CHARGE, PostedLine, Posting, current_postings

VarianceKind = Literal[
    "underpaid", "overpaid", "math_error", "remittance_imbalance", "possible_duplicate_payment"
]
RateFor = Callable[[ServiceLine, PostedLine], ContractedRate | None]

# CLP02 whose lines are compared with the contract (processed as primary, forwarded or not),
# and those checked for arithmetic only (processed as secondary or tertiary).
PRIMARY_STATUS_CODES: Final = frozenset({"1", "19"})
SECONDARY_STATUS_CODES: Final = frozenset({"2", "3", "20", "21"})

# CARC reasons that come off the allowed amount rather than the charge: 23 a prior payer's
# adjudication, 24 paid under capitation, 253 sequestration, B4 late filing penalty.
PAYMENT_REDUCTIONS: Final = frozenset({"23", "24", "253", "B4"})
CAPITATION = "24"
BALANCING_FINDINGS: Final = frozenset(
    {"line_out_of_balance", "claim_out_of_balance", "transaction_out_of_balance"}
)

_CENT: Final = Decimal("0.01")
_ZERO: Final = Decimal(0)
_HUNDRED: Final = Decimal(100)


@dataclass(frozen=True, slots=True)
class VarianceFlag:
    """One mismatch. Indexes are 0-based, as in the posting: `claim_line_index` the claim's
    service line (None for a payment line matching none, and for remittance-level flags),
    `payment_line_index` the Loop 2110 line in its claim payment (None for claim and
    transaction flags). `contract` is the rate an underpaid/overpaid flag was judged by."""

    kind: VarianceKind
    claim_line_index: int | None
    procedure_code: str | None
    expected: Decimal
    actual: Decimal
    difference: Decimal
    detail: str
    payment_line_index: int | None = None
    patient_control_number: str | None = None
    contract: ContractedRate | None = None
    # The payment it was found on (payer and TRN02): kept with the flag on the claim.
    payer_id: str | None = None
    trace_number: str | None = None


@dataclass(frozen=True, slots=True)
class ContractGap:
    """A paid line of a code the contract does not price on its date of service."""

    claim_line_index: int
    payment_line_index: int
    procedure_code: str
    modifiers: tuple[str, ...]
    service_date: date
    detail: str


def check_payment(
    posting: Posting,
    claim: Claim,
    *,
    rate_for: RateFor,
    tolerance: Decimal = Decimal("0.50"),
    tolerance_percent: Decimal = Decimal("1"),
) -> tuple[VarianceFlag, ...]:
    """The mismatches of one posted claim payment (rules in the module docstring), in payment
    line order. `rate_for` prices a line, e.g. `contract_rate_for(versions, claim)`."""
    if tolerance < 0 or tolerance_percent < 0:
        raise ValueError("tolerances must not be negative")
    status = posting.status_code
    if status not in PRIMARY_STATUS_CODES and status not in SECONDARY_STATUS_CODES:
        return ()
    service_lines = claim.claim_information.service_lines
    flags: list[VarianceFlag] = []
    for line in sorted((*posting.lines, *posting.unmatched_lines), key=_payment_order):
        if line.denied:
            continue
        index = line.claim_line_index
        if (
            status in PRIMARY_STATUS_CODES
            and index is not None
            and 0 <= index < len(service_lines)
            and not _capitated(line)
        ):
            rate = rate_for(service_lines[index], line)
            if rate is not None:
                flag = _contract_flag(line, rate, tolerance, tolerance_percent)
                if flag is not None:
                    flags.append(flag)
        math = _math_flag(line)
        if math is not None:
            flags.append(math)
    return tuple(
        replace(
            flag,
            patient_control_number=posting.patient_control_number,
            payer_id=posting.payer_id,
            trace_number=posting.trace_number,
        )
        for flag in flags
    )


def contract_gaps(posting: Posting, claim: Claim, *, rate_for: RateFor) -> tuple[ContractGap, ...]:
    """The lines `check_payment` would compare with the contract but could not price."""
    if posting.status_code not in PRIMARY_STATUS_CODES:
        return ()
    service_lines = claim.claim_information.service_lines
    gaps: list[ContractGap] = []
    for line in posting.lines:
        index = line.claim_line_index
        if line.denied or _capitated(line) or index is None or not 0 <= index < len(service_lines):
            continue
        service_line = service_lines[index]
        if rate_for(service_line, line) is None:
            when = line.service_date or service_line.service_date
            gaps.append(
                ContractGap(
                    claim_line_index=index,
                    payment_line_index=line.payment_line_index,
                    procedure_code=line.procedure_code,
                    modifiers=line.procedure_modifiers,
                    service_date=when,
                    detail=f"no contracted rate for {_code(line)} on {when.isoformat()}",
                )
            )
    return tuple(gaps)


def contract_rate_for(versions: Sequence[FeeScheduleVersion], claim: Claim) -> RateFor:
    """`rate_for` over a payer's fee schedule versions: the procedure as paid (the allowed
    amount is for it), the modifiers as paid and then as billed (a payer that drops a 26 or TC
    still priced the component), the line's place of service else the claim's, and the date
    of service as paid else as billed."""
    claim_place = claim.claim_information.place_of_service_code

    def rate_for(service_line: ServiceLine, line: PostedLine) -> ContractedRate | None:
        modifiers = list(line.procedure_modifiers)
        modifiers += [m for m in service_line.procedure_modifiers if m not in modifiers]
        return contracted_rate(
            versions,
            procedure_code=line.procedure_code,
            modifiers=modifiers,
            place_of_service=service_line.place_of_service_code or claim_place,
            service_date=line.service_date or service_line.service_date,
        )

    return rate_for


def check_remittance_balance(remittance: Remittance) -> tuple[VarianceFlag, ...]:
    """The 835 reader's balancing findings as flags with their amounts, in file order: a line
    (SVC02 - line CAS = SVC03), a claim (CLP03 - claim and line CAS = CLP04), the transaction
    (sum of CLP04 - PLB = BPR02). Other findings are not about money and stay findings."""
    lines = {
        line.segment_index: (claim.patient_control_number, position, line)
        for claim in remittance.claims
        for position, line in enumerate(claim.lines)
    }
    claims = {claim.segment_index: claim for claim in remittance.claims}
    flags: list[VarianceFlag] = []
    for finding in remittance.findings:
        if finding.code not in BALANCING_FINDINGS or finding.segment_index is None:
            continue
        if finding.code == "line_out_of_balance" and finding.segment_index in lines:
            number, position, line = lines[finding.segment_index]
            expected = line.charge - _sum(item.amount for item in line.adjustments)
            flags.append(
                _imbalance(
                    expected,
                    line.paid,
                    f"line {position + 1} ({line.procedure.code}): SVC02 {line.charge} less "
                    f"its adjustments is {expected}, but SVC03 is {line.paid}",
                    procedure_code=line.procedure.code,
                    payment_line_index=position,
                    patient_control_number=number,
                )
            )
        elif finding.code == "claim_out_of_balance" and finding.segment_index in claims:
            claim = claims[finding.segment_index]
            adjusted = _sum(item.amount for item in claim.adjustments) + _sum(
                item.amount for line in claim.lines for item in line.adjustments
            )
            expected = claim.charge - adjusted
            flags.append(
                _imbalance(
                    expected,
                    claim.paid,
                    f"CLP03 {claim.charge} less the claim and line adjustments is {expected}, "
                    f"but CLP04 is {claim.paid}",
                    patient_control_number=claim.patient_control_number,
                )
            )
        elif finding.code == "transaction_out_of_balance":
            paid = _sum(claim.paid for claim in remittance.claims)
            provider = _sum(item.amount for item in remittance.provider_adjustments)
            expected = paid - provider
            flags.append(
                _imbalance(
                    expected,
                    remittance.total_paid,
                    f"the claim payments ({paid}) less the provider adjustments ({provider}) "
                    f"are {expected}, but BPR02 is {remittance.total_paid}",
                )
            )
    return tuple(flags)


# -- the line checks -----------------------------------------------------------------------


def _contract_flag(
    line: PostedLine, rate: ContractedRate, tolerance: Decimal, tolerance_percent: Decimal
) -> VarianceFlag | None:
    units = line.units if line.units > 0 else (line.billed_units or Decimal(1))
    contract = _cents(rate.amount * units)
    expected = min(contract, line.charge) if line.charge > 0 else contract
    actual = allowed_amount(line)
    difference = expected - actual
    allowed_slack = max(tolerance, _cents(expected * tolerance_percent / _HUNDRED))
    if abs(difference) <= allowed_slack:
        return None
    row = rate.row
    priced = f"{_number(units)} x {rate.amount} = {contract}"
    if expected < contract:
        priced += f", capped at the charge {line.charge}"
    source = (
        f"fee schedule v{rate.version} row {_row_name(row.procedure_code, row.modifier)}"
        f"{f' POS {row.place_of_service}' if row.place_of_service else ''} "
        f"from {row.effective_from.isoformat()}"
    )
    underpaid = difference > 0
    return VarianceFlag(
        kind="underpaid" if underpaid else "overpaid",
        claim_line_index=line.claim_line_index,
        procedure_code=line.procedure_code,
        expected=expected,
        actual=actual,
        difference=difference,
        detail=(
            f"{_code(line)}: allowed {actual} is {abs(difference)} "
            f"{'below' if underpaid else 'above'} the contract {expected} ({priced}; {source})"
        ),
        payment_line_index=line.payment_line_index,
        contract=rate,
    )


def _math_flag(line: PostedLine) -> VarianceFlag | None:
    allowed = allowed_amount(line)
    responsibility = _sum(item.amount for item in line.adjustments if item.group == "PR")
    reductions = _sum(
        item.amount
        for item in line.adjustments
        if item.group != "PR" and item.reason in PAYMENT_REDUCTIONS
    )
    expected = max(_ZERO, allowed - responsibility - reductions)
    difference = expected - line.paid
    if abs(difference) <= _CENT:
        return None
    less = f" less reductions {reductions}" if reductions else ""
    return VarianceFlag(
        kind="math_error",
        claim_line_index=line.claim_line_index,
        procedure_code=line.procedure_code,
        expected=expected,
        actual=line.paid,
        difference=difference,
        detail=(
            f"{_code(line)}: allowed {allowed} less patient responsibility {responsibility}"
            f"{less} is {expected}, but the payer paid {line.paid}"
        ),
        payment_line_index=line.payment_line_index,
    )


def allowed_amount(line: PostedLine) -> Decimal:
    """The allowed amount to judge a line by: the posting's, plus, when the posting derived it
    from the charge less CO adjustments, the CO adjustments taken after pricing (a Medicare
    CO-253 sequestration is not a lower allowed amount)."""
    if line.allowed_source != ALLOWED_FROM_CHARGE:
        return line.allowed
    after_pricing = _sum(
        item.amount
        for item in line.adjustments
        if item.group == "CO" and item.reason in PAYMENT_REDUCTIONS
    )
    return _cents(line.allowed + after_pricing)


def _capitated(line: PostedLine) -> bool:
    return any(item.reason == CAPITATION for item in line.adjustments)


def _imbalance(
    expected: Decimal,
    actual: Decimal,
    detail: str,
    *,
    procedure_code: str | None = None,
    payment_line_index: int | None = None,
    patient_control_number: str | None = None,
) -> VarianceFlag:
    return VarianceFlag(
        kind="remittance_imbalance",
        claim_line_index=None,
        procedure_code=procedure_code,
        expected=expected,
        actual=actual,
        difference=expected - actual,
        detail=detail,
        payment_line_index=payment_line_index,
        patient_control_number=patient_control_number,
    )


def _payment_order(line: PostedLine) -> int:
    return line.payment_line_index


def _code(line: PostedLine) -> str:
    where = (
        f"claim line {line.claim_line_index + 1}"
        if line.claim_line_index is not None
        else f"payment line {line.payment_line_index + 1}"
    )
    return f"{where} {_row_name(line.procedure_code, *line.procedure_modifiers)}"


def _row_name(code: str, *modifiers: str | None) -> str:
    return "-".join([code, *(m for m in modifiers if m)])


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _sum(values: Iterable[Decimal]) -> Decimal:
    return sum(values, _ZERO)


def _cents(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def duplicate_payment(posting: Posting, original_claim_id: str) -> VarianceFlag:
    """A replacement (frequency 7) paid while the claim it replaces keeps its payment: the
    visit would count as paid twice unless the payer reverses the original (CLP02 22)."""
    return VarianceFlag(
        kind="possible_duplicate_payment",
        claim_line_index=None,
        procedure_code=None,
        expected=_ZERO,
        actual=posting.paid,
        difference=posting.paid,
        detail=f"the original claim {original_claim_id} is still paid: no reversal on file",
        patient_control_number=posting.patient_control_number,
        payer_id=posting.payer_id,
        trace_number=posting.trace_number,
    )


def flags_in_force(
    flags: Sequence[VarianceFlag], postings: Sequence[Posting]
) -> tuple[VarianceFlag, ...]:
    """The flags of the payments still in force: a flag found on a payment the payer has
    since reversed (CLP02 22) goes with it. Flags stored without their payment stay."""
    in_force = {(p.payer_id, p.trace_number) for p in current_postings(postings)}
    return tuple(
        flag
        for flag in flags
        if flag.trace_number is None or (flag.payer_id, flag.trace_number) in in_force
    )

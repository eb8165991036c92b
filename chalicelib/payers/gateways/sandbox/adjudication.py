"""How a sandbox payer adjudicates one professional claim: pure, and deterministic given the
claim. Whatever looks random (which lines are underpaid, which claims earn interest) comes
from sha256 of the claim's own identifiers, never from a clock or a random generator, so the
same claim always gets the same outcome and a test can name it in advance.

Line by line, the first rule that applies decides (CARC / RARC as in the 835, X221A1 2110 CAS
and LQ):

| rule | outcome |
| --- | --- |
| date of service older than the payer's filing limit at receipt | CO-29, nothing allowed |
| code non-covered by the payer (SBXMCR 99395/99396, SBXMCD G0439) | PR-96 (CO-96 Medicaid) + N130 |
| 20610 without RT, LT or 50 | CO-16 + M78 (missing/invalid modifier) |
| 36415 (SBXMCD also 81002) with an office E/M the same day | CO-97 + M15 (bundled) |
| otherwise | allowed = lesser of charge and schedule x units; CO-45 = charge - allowed |

A code not on the schedule is allowed at a share of its charge (60 / 40 / 30 %).

Patient responsibility on an allowed line: SBX01 PR-3 $20 copay on 99211-99215, else PR-1
deductible then PR-2 20 %; SBXMCR PR-1 Part B deductible then PR-2 20 %; SBXMCD none. The
remaining deductible is passed in by the caller (the clearinghouse tracks it per member).

Deliberate underpayment: on SBX01 a line whose sha256(patient control number + ":" + line
control number) has a first byte divisible by 4 (about 1 line in 4) is allowed 5-10 % (5 +
second byte mod 6) below SBX01's own schedule, so CO-45 is larger than the contract says.
The contract's claim-basic.json line 1 (99214-25, REF*6R MSFP-0001-1) is one: 10 % under,
allowed 154.80 instead of 172.00.

Claim status (CLP02): 4 when every line is denied; 19 when SBXMCR is primary and SBXMCD is on
file as the next payer (Medicare crossover: MOA MA18 and NM1*TT, so claim-medicare-with-
secondary.json crosses over); 2 when a prior payer's payment is on file (loop 2320 AMT*D);
else 1. A secondary claim is paid as the lesser of the payer's own benefit and what the prior
payer left of the allowed amount, the prior payment shown as OA-23.

Provider-level adjustments: SBX01 pays L6 interest (1 % of the claim payment) on a claim whose
sha256("plb|" + patient control number) has a first byte = 0 mod 8 ("paid late"); SBXMCR
recovers a $12.50 WO overpayment on one with first byte = 1 mod 8 (only when that 835 pays
enough to cover it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from chalicelib.claims.model import Adjustment, Claim, ServiceLine

from .payers import SANDBOX_PAYERS, SandboxPayer

_ZERO = Decimal(0)
_CENT = Decimal("0.01")
CROSSOVER = ("SBXMCR", "SBXMCD")  # (primary that crosses over, the payer it forwards to)
OVERPAYMENT_RECOVERY = Decimal("12.50")
INTEREST_RATE = Decimal("0.01")


def _money(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()


def _sum(values: Iterable[Decimal]) -> Decimal:
    total = _ZERO
    for value in values:
        total += value
    return total


@dataclass(frozen=True, slots=True)
class LineAdjudication:
    """One service line as the payer decided it. `contract_allowed` is the payer's own fee
    schedule amount (0 when the line is denied); `allowed` what it actually allowed."""

    line_number: int
    procedure_code: str
    modifiers: tuple[str, ...]
    units: Decimal
    service_date: date
    charge: Decimal
    contract_allowed: Decimal
    allowed: Decimal
    paid: Decimal
    adjustments: tuple[Adjustment, ...]
    remark_codes: tuple[str, ...] = ()
    line_item_control_number: str | None = None
    denied: bool = False

    @property
    def underpaid_by(self) -> Decimal:
        """How far the allowed amount is below the payer's own schedule."""
        return self.contract_allowed - self.allowed

    @property
    def patient_responsibility(self) -> Decimal:
        return _sum(a.amount for a in self.adjustments if a.group_code == "PR")


@dataclass(frozen=True, slots=True)
class ProviderAdjustment:
    """A PLB item this claim causes: L6 interest (negative, adds to the payment) or WO
    overpayment recovery (positive)."""

    reason_code: str
    reference: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class ClaimAdjudication:
    """The payer's decision on one claim, balanced: charge - adjustments = paid, per line and
    per claim; `patient_responsibility` is the sum of PR adjustments."""

    patient_control_number: str
    payer_id: str
    payer_claim_control_number: str
    status_code: str  # CLP02
    charge: Decimal
    paid: Decimal
    patient_responsibility: Decimal
    filing_code: str  # CLP06 (X221A1 list)
    frequency_code: str
    place_of_service: str
    received: date
    lines: tuple[LineAdjudication, ...]
    remark_codes: tuple[str, ...] = ()  # MOA
    crossover_payer_id: str | None = None  # NM1*TT
    provider_adjustments: tuple[ProviderAdjustment, ...] = ()
    deductible_applied: Decimal = _ZERO

    @property
    def allowed(self) -> Decimal:
        return _sum(line.allowed for line in self.lines)

    @property
    def denied(self) -> bool:
        return self.status_code == "4"


def payer_claim_control_number(claim: Claim, payer: SandboxPayer) -> str:
    """CLP07, stable for a claim: payer prefix + 13 digits from the claim's identity."""
    info = claim.claim_information
    first = min(line.service_date for line in info.service_lines)
    key = (
        f"{payer.payer_id}|{info.patient_control_number}|{info.claim_frequency_code}|"
        f"{info.claim_charge_amount}|{first.isoformat()}"
    )
    number = int.from_bytes(_digest(key)[:8], "big") % 10**13
    return f"{payer.payer_id[-2:]}{number:013d}"


def _underpaid_percent(claim: Claim, line: ServiceLine, line_number: int) -> int | None:
    key = line.provider_control_number or str(line_number)
    digest = _digest(f"{claim.claim_information.patient_control_number}:{key}")
    return 5 + digest[1] % 6 if digest[0] % 4 == 0 else None


def _denial(
    claim: Claim, payer: SandboxPayer, line: ServiceLine, received: date
) -> tuple[Adjustment, tuple[str, ...]] | None:
    """The first denial rule that applies to the line (module docstring table), if any."""
    charge = line.charge_amount
    last_day = line.service_date_end or line.service_date
    if (received - last_day).days > payer.timely_filing_days:
        return Adjustment("CO", "29", charge), ()
    code = line.procedure_code
    if code in payer.non_covered:
        return Adjustment(payer.non_covered_group, "96", charge), (payer.non_covered_remark,)
    required = payer.modifier_required.get(code)
    if required is not None and not required & set(line.procedure_modifiers):
        return Adjustment("CO", "16", charge), ("M78",)
    for bundle in payer.bundles:
        if code != bundle.component:
            continue
        same_day = [
            other
            for other in claim.claim_information.service_lines
            if other is not line
            and other.service_date == line.service_date
            and other.procedure_code in bundle.comprehensive
        ]
        if same_day:
            return Adjustment("CO", "97", charge), ("M15",)
    return None


def _prior_payments(claim: Claim) -> tuple[Decimal, ...] | None:
    """What a prior payer paid per line (loop 2430 SVD02, else the 2320 AMT*D claim payment
    spread over the lines by charge), or None when no prior payment is on file."""
    info = claim.claim_information
    prior = [o for o in info.other_subscribers if o.payer_paid_amount is not None]
    if not prior:
        return None
    lines = info.service_lines
    if any(line.line_adjudications for line in lines):
        return tuple(_sum(a.paid_amount for a in line.line_adjudications) for line in lines)
    total = _sum(o.payer_paid_amount or _ZERO for o in prior)
    charges = _sum(line.charge_amount for line in lines)
    shares: list[Decimal] = []
    for line in lines[:-1]:
        shares.append(_money(total * line.charge_amount / charges) if charges else _ZERO)
    shares.append(total - _sum(shares))
    return tuple(shares)


def _crosses_over(claim: Claim, payer: SandboxPayer) -> bool:
    primary, secondary = CROSSOVER
    return payer.payer_id == primary and any(
        other.payer.identifier == secondary and other.payer_paid_amount is None
        for other in claim.claim_information.other_subscribers
    )


def adjudicate_claim(
    claim: Claim,
    payer: SandboxPayer,
    *,
    received: date,
    deductible_remaining: Decimal | None = None,
    appealed: bool = False,
) -> ClaimAdjudication:
    """Adjudicate `claim` as `payer` on the day it was `received` (module docstring rules).
    `deductible_remaining` is the member's deductible still to meet; None means a member new
    to the sandbox (`SandboxPayer.initial_deductible`). `appealed`: reconsidered on appeal,
    the payer pays the contracted rate and overturns its denials but for non-covered
    services (CARC 96)."""
    info = claim.claim_information
    remaining = (
        payer.initial_deductible(claim.subscriber.member_id)
        if deductible_remaining is None
        else deductible_remaining
    )
    priors = _prior_payments(claim)
    lines: list[LineAdjudication] = []
    deductible_applied = _ZERO
    for number, line in enumerate(info.service_lines, 1):
        prior = priors[number - 1] if priors is not None else None
        decided = _line(claim, payer, line, number, received, remaining, prior, appealed)
        applied = _sum(
            a.amount for a in decided.adjustments if (a.group_code, a.reason_code) == ("PR", "1")
        )
        deductible_applied += applied
        remaining -= applied
        lines.append(decided)
    paid = _sum(line.paid for line in lines)
    patient = _sum(line.patient_responsibility for line in lines)
    crossover = _crosses_over(claim, payer)
    if all(line.denied for line in lines):
        status = "4"
    elif crossover:
        status = "19"
    elif priors is not None:
        status = "2"
    else:
        status = "1"
    remarks = list(payer.remark_codes)
    if status == "19":
        remarks.append("MA18")
    ccn = payer_claim_control_number(claim, payer)
    return ClaimAdjudication(
        patient_control_number=info.patient_control_number,
        payer_id=payer.payer_id,
        payer_claim_control_number=ccn,
        status_code=status,
        charge=info.claim_charge_amount,
        paid=paid,
        patient_responsibility=patient,
        filing_code=payer.remittance_filing_code,
        frequency_code=info.claim_frequency_code,
        place_of_service=info.place_of_service_code,
        received=received,
        lines=tuple(lines),
        remark_codes=tuple(remarks),
        crossover_payer_id=CROSSOVER[1] if status == "19" else None,
        provider_adjustments=_provider_adjustments(claim, payer, paid, ccn),
        deductible_applied=deductible_applied,
    )


def _line(
    claim: Claim,
    payer: SandboxPayer,
    line: ServiceLine,
    number: int,
    received: date,
    deductible_remaining: Decimal,
    prior_paid: Decimal | None,
    appealed: bool = False,
) -> LineAdjudication:
    charge = line.charge_amount
    denial = _denial(claim, payer, line, received)
    if appealed and denial is not None and denial[0].reason_code != "96":
        denial = None
    if denial is not None:
        adjustment, remarks = denial
        return LineAdjudication(
            line_number=number,
            procedure_code=line.procedure_code,
            modifiers=line.procedure_modifiers,
            units=line.unit_count,
            service_date=line.service_date,
            charge=charge,
            contract_allowed=_ZERO,
            allowed=_ZERO,
            paid=_ZERO,
            adjustments=(adjustment,),
            remark_codes=remarks,
            line_item_control_number=line.provider_control_number,
            denied=True,
        )
    rate = payer.allowed_per_unit(line.procedure_code, line.procedure_modifiers)
    priced = (
        _money(charge * payer.unknown_code_rate) if rate is None else _money(rate * line.unit_count)
    )
    contract = min(charge, priced)  # the lesser of billed charge and fee schedule
    allowed = contract
    percent = _underpaid_percent(claim, line, number) if payer.underpays and not appealed else None
    if percent is not None:
        allowed = _money(contract * (100 - percent) / 100)
    # Patient responsibility, in the order a payer applies it.
    responsibility: list[Adjustment] = []
    if line.procedure_code in payer.copay_codes and payer.copay:
        copay = min(payer.copay, allowed)
        if copay:
            responsibility.append(Adjustment("PR", "3", copay))
    else:
        deductible = min(deductible_remaining, allowed)
        if deductible:
            responsibility.append(Adjustment("PR", "1", deductible))
        coinsurance = _money((allowed - deductible) * payer.coinsurance_rate)
        if coinsurance:
            responsibility.append(Adjustment("PR", "2", coinsurance))
    adjustments: list[Adjustment] = []
    if prior_paid is None:
        if charge - allowed:
            adjustments.append(Adjustment("CO", "45", charge - allowed))
        adjustments += responsibility
        paid = allowed - _sum(a.amount for a in responsibility)
    else:
        # Secondary (COB, non-duplication): the prior payment (OA-23, whole, up to the charge)
        # comes off the allowed amount; the contractual write-off is what exceeds the larger
        # of the two; this payer pays the lesser of its own benefit and what is left, and the
        # rest of what is left stays with the patient, as this payer's PR reasons in order.
        own_benefit = allowed - _sum(a.amount for a in responsibility)
        prior = min(prior_paid, charge)
        if charge - max(allowed, prior):
            adjustments.append(Adjustment("CO", "45", charge - max(allowed, prior)))
        if prior:
            adjustments.append(Adjustment("OA", "23", prior))
        left = max(_ZERO, allowed - prior)
        paid = min(own_benefit, left)
        patient = left - paid
        for item in responsibility:
            share = min(item.amount, patient)
            if share:
                adjustments.append(Adjustment("PR", item.reason_code, share))
                patient -= share
    return LineAdjudication(
        line_number=number,
        procedure_code=line.procedure_code,
        modifiers=line.procedure_modifiers,
        units=line.unit_count,
        service_date=line.service_date,
        charge=charge,
        contract_allowed=contract,
        allowed=allowed,
        paid=paid,
        adjustments=tuple(adjustments),
        line_item_control_number=line.provider_control_number,
    )


def _provider_adjustments(
    claim: Claim, payer: SandboxPayer, paid: Decimal, ccn: str
) -> tuple[ProviderAdjustment, ...]:
    digest = _digest(f"plb|{claim.claim_information.patient_control_number}")
    if payer.interest_on_late_claims and digest[0] % 8 == 0 and paid > 0:
        interest = max(_CENT, _money(paid * INTEREST_RATE))
        return (ProviderAdjustment("L6", ccn, -interest),)
    if payer.recovers_overpayments and digest[0] % 8 == 1:
        return (ProviderAdjustment("WO", f"OVP{ccn}", OVERPAYMENT_RECOVERY),)
    return ()


def sandbox_payer_name(payer_id: str) -> str:
    payer = SANDBOX_PAYERS.get(payer_id)
    return payer.name if payer is not None else payer_id

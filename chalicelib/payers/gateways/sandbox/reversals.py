"""Replacements (frequency 7) and voids (8) as the sandbox payers answer them: the
adjudication a claim's REF*F8 names is taken back with a reversal (835 CLP02 22, every
amount negated, under the original's CLP07), in the same 835 as the replacement's own
payment, as payers do (X221A1 1.10.2.8, reversals and corrections)."""

from __future__ import annotations

from decimal import Decimal

from chalicelib.claims.model import Adjustment, Claim

from .adjudication import ClaimAdjudication
from .mailbox import ClaimRecord
from .payers import SANDBOX_PAYERS
from .write import remit835

_ZERO = Decimal(0)


def summed_adjustments(adjudication: ClaimAdjudication) -> tuple[tuple[str, str, Decimal], ...]:
    totals: dict[tuple[str, str], Decimal] = {}
    for line in adjudication.lines:
        for item in line.adjustments:
            key = (item.group_code, item.reason_code)
            totals[key] = totals.get(key, _ZERO) + item.amount
    return tuple((group, reason, amount) for (group, reason), amount in totals.items())


def replaced(claims: tuple[ClaimRecord, ...], claim: Claim, payer_id: str) -> ClaimRecord | None:
    """The finalized adjudication a replacement or void names (REF*F8 = its CLP07)."""
    info = claim.claim_information
    if info.claim_frequency_code not in ("7", "8") or not info.payer_claim_control_number:
        return None
    for record in reversed(claims):
        if (
            record.payer_id == payer_id
            and record.payer_claim_control_number == info.payer_claim_control_number
            and record.state == "finalized"
            and record.status_code != "22"
            and record.paid is not None
        ):
            return record
    return None


def reversal_of(claim: Claim, original: ClaimRecord) -> remit835.ClaimPayment:
    """CLP02 22: every amount of the original's adjudication taken back, balanced at the
    claim level (CLP03 - CLP04 = the CAS amounts), under the original's CLP07."""
    subscriber, dependent = claim.subscriber, claim.dependent
    patient = (
        remit835.Person(dependent.last_name, None, dependent.first_name)
        if dependent
        else remit835.Person(subscriber.last_name, subscriber.member_id, subscriber.first_name)
    )
    paid = original.paid or _ZERO
    return remit835.ClaimPayment(
        patient_control_number=original.patient_control_number,
        status_code="22",
        charge=-original.charge,
        paid=-paid,
        patient_responsibility=-(original.patient_responsibility or _ZERO),
        filing_code=SANDBOX_PAYERS[original.payer_id].remittance_filing_code,
        payer_claim_control_number=original.payer_claim_control_number or "",
        patient=patient,
        lines=(),
        adjustments=tuple(
            Adjustment(group, reason, -amount) for group, reason, amount in original.adjustments
        ),
        statement_from=original.service_from,
        statement_to=original.service_to,
    )

"""Replacements (frequency 7), voids (8) and appeals as the sandbox payers answer them: the
adjudication a claim's REF*F8 (or an appeal) names is taken back with a reversal (835 CLP02
22, every amount negated, under the original's CLP07), in the same 835 as the new
adjudication, as payers do (X221A1 1.10.2.8, reversals and corrections). On appeal a payer
reconsiders: the contracted rate, its denials overturned but for non-covered services."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

from chalicelib.claims.model import Adjustment, Claim
from chalicelib.codec import decode, encode
from chalicelib.payers.gateways.base import AppealRequest

from .adjudication import ClaimAdjudication, adjudicate_claim
from .mailbox import ClaimRecord, PendingAppeal, PendingClaim
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


def pending_appeal(
    request: AppealRequest, *, account: str, poll: int, now: datetime
) -> PendingAppeal:
    """An appeal as the sandbox keeps it until the next poll answers it."""
    return PendingAppeal(
        claim=json.dumps(encode(request.claim)),
        payer_claim_control_number=request.payer_claim_control_number,
        payer_id=request.claim.trading_partner_service_id,
        submitted_at=now,
        due_poll=poll + 1,
        receiver_id=account,
    )


def answer_appeal(
    appeal: PendingAppeal, claims: tuple[ClaimRecord, ...]
) -> (
    tuple[tuple[PendingClaim, Claim, ClaimAdjudication, remit835.ClaimPayment], ClaimRecord] | None
):
    """The 835 entry answering an appeal (the claim reconsidered, with the reversal of the
    adjudication it contests) and that adjudication; None when the payer has none."""
    claim = decode(Claim, json.loads(appeal.claim))
    payer = SANDBOX_PAYERS.get(appeal.payer_id)
    original = next(
        (
            c
            for c in reversed(claims)
            if c.payer_claim_control_number == appeal.payer_claim_control_number
            and c.state == "finalized"
            and c.status_code != "22"
        ),
        None,
    )
    if payer is None or original is None:
        return None
    item = PendingClaim(
        reference="appeal",
        set_index=0,
        claim_index=0,
        payer_id=payer.payer_id,
        received=appeal.submitted_at.date(),
        submitted_at=appeal.submitted_at,
        due_poll=appeal.due_poll,
        receiver_qualifier="ZZ",
        receiver_id=appeal.receiver_id,
        usage_indicator=claim.usage_indicator,
    )
    reconsidered = adjudicate_claim(
        claim,
        payer,
        received=original.adjudicated or item.received,
        deductible_remaining=_ZERO,
        appealed=True,
    )
    return (item, claim, reconsidered, reversal_of(claim, original)), original

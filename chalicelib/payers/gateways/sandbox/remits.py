"""The 835s the sandbox payers write: one remittance advice per payer, payee and receiver,
its claims (a reversal before the adjudication that replaces it), its provider-level
adjustments and the payment (EFT, check, or a notification when nothing is paid)."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal

from chalicelib.claims.model import BILLING, RENDERING, Claim

from .adjudication import ClaimAdjudication
from .mailbox import PendingClaim
from .payers import SANDBOX_PAYERS, SandboxPayer
from .write import remit835

_ZERO = Decimal(0)


def service_period(claim: Claim) -> tuple[date, date]:
    lines = claim.claim_information.service_lines
    start = min(line.service_date for line in lines)
    end = max(line.service_date_end or line.service_date for line in lines)
    return start, end


def _digits(seed: str, count: int) -> str:
    number = int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big")
    return f"{number % 10**count:0{count}d}"


# One due claim in an 835: its adjudication (None for a void) and the reversal of the claim
# it replaces or voids (None for an original).
Member = tuple[PendingClaim, Claim, ClaimAdjudication | None, remit835.ClaimPayment | None]


def remittance_advice(
    payer: SandboxPayer,
    members: list[Member],
    control: int,
) -> remit835.RemittanceAdvice:
    """One 835's content: the claims (a reversal before the claim that replaces it), the PLBs
    (a WO recovery only while the payment covers it; a forward balance FB when reversals take
    back more than is paid) and the payment (EFT or check; a notification when nothing is
    paid)."""
    first_claim = members[0][1]
    billing = first_claim.provider(BILLING)
    assert billing is not None  # parse_837p builds no claim without 2010AA
    payment_date = max(item.submitted_at for item, _, _, _ in members).date()
    claims = tuple(
        payment
        for _, claim, adjudication, reversal in members
        for payment in (
            reversal,
            None if adjudication is None else _claim_payment(claim, adjudication),
        )
        if payment is not None
    )
    total = sum((c.paid for c in claims), _ZERO)
    plb: list[remit835.ProviderAdjustment] = []
    fiscal = date(payment_date.year, 12, 31)
    if total < 0:  # BPR02 is never negative: the payer carries the balance forward
        plb.append(remit835.ProviderAdjustment(billing.npi, fiscal, "FB", total, None))
        total = _ZERO
    for _, _, adjudication, _ in members:
        if adjudication is None:
            continue
        for item in adjudication.provider_adjustments:
            if item.amount > 0 and total - item.amount < 0:
                continue
            total -= item.amount
            plb.append(
                remit835.ProviderAdjustment(
                    billing.npi, fiscal, item.reason_code, item.amount, item.reference
                )
            )
    method = payer.payment_method if total > 0 else "NON"
    if method == "CHK":
        trace = f"{700000 + control}"
    else:
        trace = f"{payer.payer_id[-2:]}{payment_date:%y%m%d}{control:07d}"
    payment = remit835.Payment(
        method=method,
        total_paid=total,
        payment_date=payment_date,
        trace_number=trace,
        payer_tax_id=payer.tax_id,
        sender_routing=payer.routing_number if method == "ACH" else None,
        sender_account=payer.account_number if method == "ACH" else None,
        receiver_routing=("0" + _digits(f"routing|{billing.npi}", 8)) if method == "ACH" else None,
        receiver_account=_digits(f"account|{billing.npi}", 10) if method == "ACH" else None,
    )
    return remit835.RemittanceAdvice(
        payment=payment,
        payer=remit835.Payer(
            name=payer.name,
            payer_id=payer.payer_id,
            address=payer.address,
            contact_name="PROVIDER SERVICES",
            contact_phone=payer.contact_phone,
            contact_url=payer.contact_url,
        ),
        payee=remit835.Payee(
            name=billing.organization_name or billing.last_name or "UNKNOWN",
            npi=billing.npi,
            address=billing.address,
            tax_id=billing.employer_id,
        ),
        claims=claims,
        production_date=payment_date,
        receiver_id=members[0][0].receiver_id,
        provider_adjustments=tuple(plb),
    )


def _claim_payment(claim: Claim, adjudication: ClaimAdjudication) -> remit835.ClaimPayment:
    subscriber = claim.subscriber
    dependent = claim.dependent
    patient = (
        remit835.Person(dependent.last_name, None, dependent.first_name)
        if dependent
        else remit835.Person(subscriber.last_name, subscriber.member_id, subscriber.first_name)
    )
    insured = (
        remit835.Person(subscriber.last_name, subscriber.member_id, subscriber.first_name)
        if dependent
        else None
    )
    rendering = claim.provider(RENDERING)
    crossover = None
    if adjudication.crossover_payer_id is not None:
        carrier = SANDBOX_PAYERS[adjudication.crossover_payer_id]
        crossover = remit835.Carrier(carrier.name, carrier.payer_id)
    start, end = service_period(claim)
    return remit835.ClaimPayment(
        patient_control_number=adjudication.patient_control_number,
        status_code=adjudication.status_code,
        charge=adjudication.charge,
        paid=adjudication.paid,
        patient_responsibility=adjudication.patient_responsibility,
        filing_code=adjudication.filing_code,
        payer_claim_control_number=adjudication.payer_claim_control_number,
        patient=patient,
        insured=insured,
        rendering_provider=(
            remit835.RenderingProvider(
                rendering.organization_name or rendering.last_name or "UNKNOWN",
                rendering.npi,
                None if rendering.organization_name else rendering.first_name,
            )
            if rendering
            else None
        ),
        crossover_carrier=crossover,
        remark_codes=adjudication.remark_codes,
        frequency_code=adjudication.frequency_code,
        facility_code=adjudication.place_of_service or "11",
        statement_from=start,
        statement_to=end,
        received=adjudication.received,
        coverage_amount=None if adjudication.denied else adjudication.allowed,
        lines=tuple(
            remit835.LinePayment(
                procedure_code=line.procedure_code,
                modifiers=line.modifiers,
                charge=line.charge,
                paid=line.paid,
                units=line.units,
                service_date=line.service_date,
                adjustments=line.adjustments,
                line_item_control_number=line.line_item_control_number,
                allowed=None if line.denied else line.allowed,
                remark_codes=line.remark_codes,
            )
            for line in adjudication.lines
        ),
    )

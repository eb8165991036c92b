"""Paper claims: a stored claim printed on the CMS-1500 (02/12)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from chalicelib.claims.records import ClaimRecord
from chalicelib.documents.cms1500 import PaperClaim, render_cms1500
from chalicelib.documents.pdf import render_form

from .claims import ClaimNotFoundError, get_claim
from .lookups import find_payer


def paper_claim(record: ClaimRecord, *, today: date) -> PaperClaim:
    """The claim as it is printed: addressed to the payer by the name the directory gives it,
    box 29 what the patient and the payers before this one have paid (NUCC: paid on the
    covered services of this claim)."""
    claim = record.claim
    info = claim.claim_information
    payer = find_payer(record.tenant_id, record.payer_id)
    paid = info.patient_amount_paid or Decimal("0")
    paid += sum((o.payer_paid_amount or Decimal("0") for o in info.other_subscribers), Decimal("0"))
    name = payer.name if payer else claim.trading_partner_name or claim.receiver_name
    return PaperClaim(claim=claim, payer_name=name, printed_on=today, amount_paid=paid)


def cms1500_pdf(tenant_id: str, claim_id: str, *, today: date, drawn: bool) -> tuple[bytes, int]:
    """The claim's CMS-1500 as a PDF, and its number of pages (one per six service lines)."""
    record = get_claim(tenant_id, claim_id)
    if record is None:
        raise ClaimNotFoundError(claim_id)
    form = render_cms1500(paper_claim(record, today=today), drawn=drawn)
    return render_form(form), len(form.pages)

"""A paper EOB posted by hand: found claim, checked EOB, then the same posting as an 835
(services.inbound.post_payment), so the claim's status, worklist, payment checks and
secondary billing follow as they would from an 835.

Once: a check pays a claim once, so a payment of the same payer and check number already on
the claim refuses the EOB (409); two posts of the same EOB at once are told apart by the
posting's key in the claim's version-checked write (the second finds it there). The EOB as
keyed is archived (JSON) and named on the claim's history, as an 835 file is."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from chalicelib.claims.errors import LifecycleError
from chalicelib.claims.lifecycle import apply_event
from chalicelib.claims.manual_remittance import Eob, EobProblem, plan_keyed_payment
from chalicelib.claims.posting import post_claim_payment
from chalicelib.claims.records import ClaimRecord
from chalicelib.codec import encode
from chalicelib.store import archive, contracts, inbound

from .claims import get_claim
from .errors import RefusedError
from .inbound import FileOutcome, find_claim, post_payment

SOURCE = "manual-eob"


class EobRejectedError(Exception):
    """The EOB does not stand: every problem, field by field."""

    def __init__(self, problems: tuple[EobProblem, ...]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problems")


@dataclass(frozen=True, slots=True)
class ClaimReference:
    claim_id: str | None = None
    patient_control_number: str | None = None
    payer_id: str | None = None


def post_manual_remittance(
    tenant_id: str, reference: ClaimReference, eob: Eob, *, now: datetime
) -> ClaimRecord:
    record = _claim(tenant_id, reference)
    payment, problems = plan_keyed_payment(record.claim, eob)
    if payment is None:
        raise EobRejectedError(problems)
    payer = record.payer_id
    if any(p.payer_id == payer and p.trace_number == eob.check_number for p in record.remittances):
        _deposit(tenant_id, payer, eob, record.claim_id)  # a retry after a crash: counted once
        raise RefusedError(
            "already_posted", f"check {eob.check_number} of {payer} is already posted on the claim"
        )
    posting = post_claim_payment(
        record.claim,
        payment,
        trace_number=eob.check_number,
        payer_id=payer,
        payment_date=eob.payment_date,
    )
    if posting.event is not None:
        try:
            apply_event(record.status, posting.event)
        except LifecycleError as error:
            raise RefusedError("not_allowed_in_status", str(error)) from None
    content = json.dumps(
        {"tenantId": tenant_id, "claimId": record.claim_id, "eob": encode(eob)},
        sort_keys=True,
    ).encode()
    key = archive.save_raw(
        content, kind="manual-eob", source=f"{tenant_id}/manual", content_type="application/json"
    )
    outcome = FileOutcome(hashlib.sha256(content).hexdigest(), key, "applied")
    post_payment(
        tenant_id,
        record,
        payment,
        payer_key=payer,
        trace=eob.check_number,
        payment_date=eob.payment_date,
        contract=contracts.load_fee_schedules(tenant_id, payer),
        outcome=outcome,
        now=now,
        file_key=key,
        source=SOURCE,
    )
    # Posted (or, when the claim moved meanwhile to where the lifecycle refuses the event,
    # recorded with a note, as an 835 would be); else another post of it came first.
    if record.claim_id not in (*outcome.claims_updated, *outcome.notes):
        if outcome.errors:
            raise RefusedError("concurrent_update", "the claim changed meanwhile: retry")
        _deposit(tenant_id, payer, eob, record.claim_id)
        raise RefusedError("already_posted", "this EOB is already posted on the claim")
    _deposit(tenant_id, payer, eob, record.claim_id)
    posted = get_claim(tenant_id, record.claim_id)
    assert posted is not None
    return posted


def _deposit(tenant_id: str, payer_id: str, eob: Eob, claim_id: str) -> None:
    """The check's payment for this claim, for the cash report: once per payer, check and
    claim (a conditional write), so every retry may say it again."""
    inbound.record_paper_payment(
        tenant_id, payer_id, eob.check_number, eob.payment_date, claim_id, eob.paid
    )


def _claim(tenant_id: str, reference: ClaimReference) -> ClaimRecord:
    if reference.claim_id is not None:
        record = get_claim(tenant_id, reference.claim_id)
        where = "claimId"
    else:
        record = find_claim(tenant_id, reference.patient_control_number, reference.payer_id)
        if record is not None and record.payer_id != reference.payer_id:
            record = None
        where = "patientControlNumber"
    if record is None:
        raise EobRejectedError((EobProblem(where, "unknown_claim", "no such claim"),))
    return record

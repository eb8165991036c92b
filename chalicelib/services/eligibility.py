"""Real-time eligibility: a 270 for one member through the tenant's connection for the payer,
its 271 read into a coverage answer, both archived unchanged, the answer kept.

The member's name, id and birth date travel in the 270 and come back in the 271 (both in the
archive); the stored answer and the logs carry only ids of the check, codes and amounts."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime

from chalicelib.claims.eligibility import EligibilityCheck, coverage_answer, payer_member_id
from chalicelib.payers.gateways.base import GatewayError
from chalicelib.store import archive, batches
from chalicelib.store import eligibility as store
from chalicelib.wiring import gateway_for
from chalicelib.x12.envelope import EnvelopeReader
from chalicelib.x12.errors import X12Error
from chalicelib.x12.read.eligibility271 import parse_271
from chalicelib.x12.write.eligibility270 import (
    EligibilityInquiry,
    EligibilityRequest,
    render_270,
)
from chalicelib.x12.write.inquiry import Payer, Person, Provider

from .errors import RefusedError
from .lookups import find_payer
from .submission import account_for, outbound_envelope


@dataclass(frozen=True, slots=True)
class Inquiry:
    """One member's question to a payer (a 2000C/D inquiry of the 270)."""

    payer_id: str
    provider: Provider
    subscriber: Person
    dependent: Person | None
    service_types: tuple[str, ...]
    date_of_service: date | None


def check_eligibility(tenant_id: str, inquiry: Inquiry, *, now: datetime) -> EligibilityCheck:
    """Ask the payer, now. RefusedError: `invalid_payer` for a payer the tenant cannot reach,
    `payer_unavailable` when the connection fails or the answer cannot be read (nothing is
    stored then; asking again is safe)."""
    payer_id, provider, subscriber = inquiry.payer_id, inquiry.provider, inquiry.subscriber
    dependent, service_types = inquiry.dependent, inquiry.service_types
    date_of_service = inquiry.date_of_service
    payer = find_payer(tenant_id, payer_id)
    if payer is None:
        raise RefusedError("invalid_payer", "the payer is not in the directory")
    try:
        gateway = gateway_for(tenant_id, payer.gateway)
    except GatewayError as error:
        raise RefusedError("payer_unavailable", str(error)) from None
    check_id = "elg_" + uuid.uuid4().hex
    account = account_for(tenant_id, gateway)
    control = batches.next_control_number(tenant_id)
    request = EligibilityRequest(
        payer=Payer(payer.name, payer.gateway_payer_id),
        provider=provider,
        inquiries=(
            EligibilityInquiry(
                subscriber=subscriber,
                trace_number=check_id[4:20].upper(),
                # TRN03: "9" and our own number for the originator (X279A1 2000C TRN03)
                trace_originator_id="9" + hashlib.sha256(tenant_id.encode()).hexdigest()[:9],
                service_types=service_types,
                date_of_service=date_of_service,
                dependent=dependent,
            ),
        ),
        reference_id=f"{control:09d}",
    )
    text = render_270(
        request,
        outbound_envelope(account, gateway, control, now),
        control_number=control,
    ).encode()
    inquiry_key = archive.save_raw(text, kind="270", source=tenant_id)
    try:
        answer = gateway.eligibility(account, text)
    except GatewayError as error:
        raise RefusedError("payer_unavailable", f"the payer did not answer: {error}") from None
    response_key = archive.save_raw(answer, kind="271", source=tenant_id)
    try:
        [response] = [parse_271(ts) for ts in EnvelopeReader(answer)]
    except (X12Error, ValueError) as error:
        raise RefusedError(
            "payer_unavailable", f"the payer's 271 cannot be read ({type(error).__name__})"
        ) from None
    check = EligibilityCheck(
        tenant_id=tenant_id,
        check_id=check_id,
        payer_id=payer_id,
        checked_at=now,
        date_of_service=date_of_service,
        service_types=service_types,
        answer=coverage_answer(
            response,
            asked_member_id=subscriber.member_id,
            asked_payer_id=payer.gateway_payer_id,
        ),
        inquiry_key=inquiry_key,
        response_key=response_key,
    )
    patient = dependent or subscriber
    member = store.member_key(payer_id, subscriber.member_id or "", patient.birth_date)
    store.save_check(check, member=member)
    held = payer_member_id(response)
    if check.answer.member_id_changed and held:
        # Under the id the payer holds, the same answer with nothing to correct: a claim
        # billed with the new id is held to this coverage too.
        current = replace(check, answer=replace(check.answer, member_id_changed=False))
        store.save_check(
            current, member=store.member_key(payer_id, held, patient.birth_date), member_only=True
        )
    return check


def get_check(tenant_id: str, check_id: str) -> EligibilityCheck:
    found = store.load_check(tenant_id, check_id)
    if found is None:
        raise RefusedError("not_found", "no such eligibility check")
    return found

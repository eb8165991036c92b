"""Appeals of denied or underpaid claims: made (drafted or sent at once), sent, read back,
and printed as a letter. The appeal lives on the claim, written with its event in one
version-checked write; its attachments are archived in S3 and kept by reference. A later
835 that pays more settles it (services.inbound, claims.appeals.settle)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

from chalicelib.claims.appeals import (
    allowed_in_force,
    appeal_grounds,
    appeal_letter,
    paid_in_force,
)
from chalicelib.claims.lifecycle import Event, Status
from chalicelib.claims.records import Appeal, ClaimEvent, ClaimRecord, with_event
from chalicelib.documents.pdf import render_pdf
from chalicelib.payers.policies import appeal_deadline

from .claims import ClaimNotFoundError, get_claim, update_claim
from .errors import RefusedError
from .worklist import policy_in_force

APPEALABLE = frozenset({Status.DENIED, Status.PARTIALLY_PAID, Status.PAID})
MAX_ATTACHMENT_BYTES = 4 * 1024 * 1024


class AppealRefusedError(RefusedError):
    """See RefusedError."""


def new_appeal_id() -> str:
    return f"apl_{uuid.uuid4().hex[:16]}"


def make_appeal(
    tenant_id: str,
    claim_id: str,
    *,
    argument: str,
    line_numbers: tuple[int, ...],
    attachments: tuple[tuple[str, bytes], ...],
    send: bool,
    deadline: date | None,
    appeal_id: str,
    now: datetime,
) -> Appeal:
    """A new appeal on the claim: its grounds read off the claim's remittances and flags,
    its deadline from the payer's appeal window (unless given). Sent at once unless
    drafted. Raises AppealRefusedError, ClaimNotFoundError."""
    from chalicelib.store.archive import save_raw

    record = _claim(tenant_id, claim_id)
    reasons, requested, flags = appeal_grounds(record, line_numbers)
    _check_appealable(record, line_numbers, requested, flags)
    # The names stay with the caller: object metadata never carries what could be PHI.
    keys = tuple(
        save_raw(content, kind="appeal-attachment", source=tenant_id) for _, content in attachments
    )
    appeal = Appeal(
        appeal_id=appeal_id,
        created_at=now,
        status="drafted",
        reason_codes=reasons,
        argument=argument,
        paid_before=paid_in_force(record.remittances),
        allowed_before=(
            allowed_in_force(record.remittances)
            if any(f.kind == "underpaid" for f in flags)
            else None
        ),
        requested=requested,
        line_numbers=line_numbers,
        deadline=deadline or _deadline(record),
        attachments=keys,
    )

    def change(current: ClaimRecord) -> tuple[ClaimRecord, tuple[ClaimEvent, ...]]:
        if any(a.appeal_id == appeal_id for a in current.appeals):
            raise AppealRefusedError("duplicate_appeal", "this appeal exists already")
        made = replace(appeal, status="sent", sent_at=now) if send else appeal
        updated, entry = with_event(
            current,
            Event.APPEAL if send else Event.NOTE,
            at=now,
            source="api",
            codes=(f"appeal:{made.status}", *reasons[:10]),
            detail={"appealId": appeal_id, "requested": str(requested)},
            appeals=(*current.appeals, made),
        )
        return updated, (entry,)

    saved = update_claim(tenant_id, claim_id, change)
    made = next(a for a in saved.appeals if a.appeal_id == appeal_id)
    if made.status == "sent":
        _deliver(saved, made)
    return made


def send_appeal(tenant_id: str, claim_id: str, appeal_id: str, *, now: datetime) -> Appeal:
    """A drafted appeal, sent: the claim moves to `appealed`. Sending twice changes nothing."""

    def change(current: ClaimRecord) -> tuple[ClaimRecord, tuple[ClaimEvent, ...]]:
        appeal = _appeal(current, appeal_id)
        if appeal.status != "drafted":
            raise AppealRefusedError("not_a_draft", f"the appeal is {appeal.status} already")
        sent = replace(appeal, status="sent", sent_at=now)
        updated, entry = with_event(
            current,
            Event.APPEAL,
            at=now,
            source="api",
            codes=("appeal:sent",),
            detail={"appealId": appeal_id},
            appeals=tuple(sent if a.appeal_id == appeal_id else a for a in current.appeals),
        )
        return updated, (entry,)

    saved = update_claim(tenant_id, claim_id, change)
    sent = _appeal(saved, appeal_id)
    _deliver(saved, sent)
    return sent


def _deliver(record: ClaimRecord, appeal: Appeal) -> None:
    """Hand the appeal to the payer through the claim's clearinghouse when it takes appeals
    electronically; otherwise (or when it fails) the letter goes by mail or portal, and the
    appeal stays sent: the biller's record of having asked."""
    from chalicelib import wiring
    from chalicelib.observability import logger
    from chalicelib.payers.gateways.base import AppealRequest, GatewayError

    from .lookups import find_payer
    from .submission import account_for

    payer = find_payer(record.tenant_id, record.payer_id)
    if payer is None or not record.payer_claim_control_number:
        return
    gateway = wiring.gateway_for(record.tenant_id, payer.gateway)
    request = AppealRequest(record.claim, record.payer_claim_control_number, appeal.requested)
    try:
        gateway.appeal(account_for(record.tenant_id, gateway), request)
    except GatewayError as error:
        logger.warning(
            "appeal not delivered",
            extra={"claim_id": record.claim_id, "error": type(error).__name__},
        )


OUTCOMES = ("won", "partially_won", "lost")


def record_outcome(
    tenant_id: str,
    claim_id: str,
    appeal_id: str,
    *,
    status: str,
    recovered: Decimal | None,
    now: datetime,
) -> Appeal:
    """The payer's answer to a sent appeal, as a person read it (a letter, a call): won,
    partially won (with what was recovered) or lost. A later 835 settles it by itself."""
    if status not in OUTCOMES:
        raise AppealRefusedError("invalid_outcome", f"one of {', '.join(OUTCOMES)}")

    def change(current: ClaimRecord) -> tuple[ClaimRecord, tuple[ClaimEvent, ...]]:
        appeal = _appeal(current, appeal_id)
        if appeal.status != "sent":
            raise AppealRefusedError("not_sent", f"the appeal is {appeal.status}")
        closed = replace(appeal, status=status, recovered=recovered, closed_at=now)
        updated, entry = with_event(
            current,
            Event.NOTE,
            at=now,
            source="api",
            codes=(f"appeal:{status}",),
            detail={"appealId": appeal_id, "recovered": str(recovered or 0)},
            appeals=tuple(closed if a.appeal_id == appeal_id else a for a in current.appeals),
        )
        return updated, (entry,)

    saved = update_claim(tenant_id, claim_id, change)
    return _appeal(saved, appeal_id)


def appeal_pdf(tenant_id: str, claim_id: str, appeal_id: str) -> bytes:
    """The appeal letter as a PDF, from the claim as it is stored now."""
    record = _claim(tenant_id, claim_id)
    appeal = _appeal(record, appeal_id)
    _, _, flags = appeal_grounds(record, appeal.line_numbers)
    billing = next(
        (p for p in record.claim.providers if p.provider_type == "BillingProvider"), None
    )
    practice = (billing.organization_name or billing.last_name or "") if billing else ""
    return render_pdf(appeal_letter(record, appeal, flags, practice))


def _check_appealable(
    record: ClaimRecord, line_numbers: tuple[int, ...], requested: object, flags: tuple[object, ...]
) -> None:
    if record.status not in APPEALABLE and record.status is not Status.APPEALED:
        raise AppealRefusedError(
            "not_appealable",
            f"a {record.status.value} claim is not appealed: appeals are for denials and "
            "underpayments the payer has decided",
        )
    lines = len(record.claim.claim_information.service_lines)
    if any(not 1 <= n <= lines for n in line_numbers):
        raise AppealRefusedError("invalid_line", f"lines are numbered 1 to {lines}")
    if record.status is Status.PAID and not flags:
        raise AppealRefusedError(
            "not_appealable", "the claim is paid as contracted: nothing to appeal"
        )


def _deadline(record: ClaimRecord) -> date | None:
    dates = [p.payment_date for p in record.remittances if p.payment_date]
    policy = policy_in_force(record.tenant_id, record.payer_id)
    if not dates or policy is None:
        return None
    return appeal_deadline(max(dates), policy)


def _claim(tenant_id: str, claim_id: str) -> ClaimRecord:
    record = get_claim(tenant_id, claim_id)
    if record is None:
        raise ClaimNotFoundError(claim_id)
    return record


def _appeal(record: ClaimRecord, appeal_id: str) -> Appeal:
    for appeal in record.appeals:
        if appeal.appeal_id == appeal_id:
            return appeal
    raise AppealRefusedError("not_found", "no such appeal on this claim")

"""Sending queued claims to their clearinghouses.

A batch (one interchange) is rendered, archived and saved BEFORE its first send, and every
retry resends the very same archived bytes under the same ISA13: a send that timed out and was
in fact received is then recognised by the clearinghouse as the same interchange, so no claim is
ever in two accepted interchanges. Claims stay `queued` until their interchange is taken.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from chalicelib.claims.batching import PlannedBatch, QueuedClaim, plan_batches, retry_delay
from chalicelib.claims.errors import LifecycleError
from chalicelib.claims.followup import due_time
from chalicelib.claims.lifecycle import Event, Status
from chalicelib.claims.records import ClaimEvent, ClaimRecord, with_event
from chalicelib.contract import ClaimRequest
from chalicelib.observability import logger
from chalicelib.payers.gateways.base import Gateway, GatewayError
from chalicelib.payers.policies import first_check_due
from chalicelib.schedules.runs import Run
from chalicelib.store import archive, batches
from chalicelib.store import claims as claim_store
from chalicelib.store.batches import Batch
from chalicelib.store.errors import ConcurrentUpdateError
from chalicelib.x12.claim837 import render_837p
from chalicelib.x12.errors import X12WriteError
from chalicelib.x12.writer import EnvelopeValues

from .claims import ClaimNotFoundError, find_payer, update_claim
from .worklist import policy_in_force

GatewayLookup = Callable[[str], Gateway]
SOURCE = "submission"


def account_for(tenant_id: str, gateway: Gateway) -> str:
    """The tenant's mailbox and submitter id (ETIN, ISA06 / GS02 / 1000A NM109: 2-15
    characters) at a clearinghouse, derived from the tenant id until tenants carry their own
    enrolment ids. Long ids are hashed so two tenants never share a mailbox."""
    compact = "".join(ch for ch in tenant_id.upper() if ch.isalnum())
    if len(compact) <= 13 and compact:
        return f"CG{compact}"
    return "CG" + hashlib.sha256(tenant_id.encode()).hexdigest()[:13].upper()


def send_queued_claims(
    run: Run, *, now: datetime, gateway_for: GatewayLookup, limit: int = 1000
) -> None:
    """Retry batches whose retry time has come, then batch and send newly queued claims."""
    for batch in batches.due_batches(now, limit=limit):
        run.examined += len(batch.claim_ids)
        _send(run, batch, now=now, gateway=gateway_for(batch.gateway))
    queued: list[QueuedClaim] = []
    records: dict[str, ClaimRecord] = {}
    due, _ = claim_store.due_claims("send", now, limit=limit)
    for record in due:
        run.examined += 1
        tenant_id, claim_id = record.tenant_id, record.claim_id
        if record.status is not Status.QUEUED or record.batch_id:
            continue
        payer = find_payer(record.payer_id)
        if payer is None:
            run.fail("payer is not in the directory", claim_id=claim_id, tenant_id=tenant_id)
            continue
        records[claim_id] = record
        queued.append(QueuedClaim(tenant_id, claim_id, record.payer_id, payer.gateway))
    for planned in plan_batches(queued):
        gateway = gateway_for(planned.gateway)
        created = _create_batch(run, planned, [records[i] for i in planned.claim_ids], now, gateway)
        if created is not None:
            _send(run, created, now=now, gateway=gateway)


def _create_batch(
    run: Run, planned: PlannedBatch, records: list[ClaimRecord], now: datetime, gateway: Gateway
) -> Batch | None:
    control = batches.next_control_number(planned.tenant_id)
    account = account_for(planned.tenant_id, gateway)
    claims = []
    for record in records:
        try:
            claims.append(ClaimRequest.model_validate(record.body).to_claim())
        except ValueError as error:  # stored before a schema change: needs a person
            run.fail(
                f"stored claim no longer valid: {error.__class__.__name__}",
                claim_id=record.claim_id,
                tenant_id=record.tenant_id,
            )
            return None
    usage = claims[0].usage_indicator
    try:
        text = render_837p(
            claims,
            EnvelopeValues(
                sender_qualifier="ZZ",
                sender_id=account,
                receiver_qualifier="ZZ",
                receiver_id=gateway.receiver_id,
                interchange_control_number=control,
                group_control_number=control,
                date=now.date(),
                time=now.strftime("%H%M"),
                usage_indicator=usage,
                functional_id="HC",
                implementation_reference="005010X222A1",
            ),
            submitter_id=account,
            receiver_id=gateway.receiver_id,
            transaction_control_number=f"{control:09d}",
            reference_id=f"{control:09d}",
            created_at=now,
        )
    except X12WriteError as error:
        for record in records:
            run.fail(
                f"837P could not be written: {error.field}",
                claim_id=record.claim_id,
                tenant_id=record.tenant_id,
                code="x12_write_error",
            )
        return None
    content = text.encode()
    key = archive.save_raw(content, kind="837P", source=f"{planned.tenant_id}/{gateway.name}")
    batch = batches.save_batch(
        Batch(
            tenant_id=planned.tenant_id,
            batch_id=f"{control:09d}",
            gateway=gateway.name,
            account=account,
            control_number=f"{control:09d}",
            archive_key=key,
            claim_ids=planned.claim_ids,
            status="pending",
            attempts=0,
            created_at=now,
            due_at=now,  # due until sent: a crash from here on is picked up by the next run
        )
    )
    for record in records:
        try:
            update_claim(
                record.tenant_id,
                record.claim_id,
                lambda r: (
                    replace(r, batch_id=batch.batch_id, x12_key=key, next_action=None, due_at=None),
                    (),
                ),
            )
        except (ClaimNotFoundError, ConcurrentUpdateError) as error:
            run.fail(error.__class__.__name__, claim_id=record.claim_id, tenant_id=record.tenant_id)
    return batch


def _record_outcome(
    run: Run, batch: Batch, event: Event, now: datetime, detail: dict[str, str]
) -> int:
    """Move every claim of the batch by `event`; returns how many moved. A claim the
    clearinghouse took gets its first status check due by its payer's policy."""
    moved = 0

    def change(record: ClaimRecord) -> tuple[ClaimRecord, tuple[ClaimEvent, ...]]:
        changes: dict[str, Any] = {}
        if event is Event.SENT:
            changes = {
                "submitted_at": now,
                "next_action": "status_check",
                "due_at": _first_check(record, now),
            }
        updated, entry = with_event(
            record,
            event,
            at=now,
            source=SOURCE,
            detail=detail,
            send_attempts=batch.attempts + 1,
            **changes,
        )
        return updated, (entry,)

    for claim_id in batch.claim_ids:
        try:
            update_claim(batch.tenant_id, claim_id, change)
            moved += 1
        except (ClaimNotFoundError, ConcurrentUpdateError, LifecycleError) as error:
            run.fail(error.__class__.__name__, claim_id=claim_id, tenant_id=batch.tenant_id)
    return moved


def _first_check(record: ClaimRecord, now: datetime) -> datetime:
    policy = policy_in_force(record.tenant_id, record.payer_id)
    if policy is None:
        return now
    return due_time(first_check_due(now.date(), policy), now)


def _send(run: Run, batch: Batch, *, now: datetime, gateway: Gateway) -> None:
    content = archive.load_raw(batch.archive_key)
    attempts = batch.attempts + 1
    try:
        receipt = gateway.submit(batch.account, content)
    except GatewayError as error:
        retry_at = now + retry_delay(attempts)
        batches.save_batch(
            replace(batch, attempts=attempts, due_at=retry_at, last_error=error.__class__.__name__)
        )
        logger.warning(
            "send failed",
            extra={"batch_id": batch.batch_id, "gateway": batch.gateway, "attempts": attempts},
        )
        for claim_id in batch.claim_ids:
            run.fail(
                f"gateway {batch.gateway} failed: {error}",
                claim_id=claim_id,
                tenant_id=batch.tenant_id,
                code="gateway_error",
            )
        _record_outcome(
            run,
            batch,
            Event.SEND_FAILED,
            now,
            {
                "interchange": batch.control_number,
                "retryAt": retry_at.isoformat(),
                "attempt": str(attempts),
            },
        )
        return
    batches.save_batch(
        replace(
            batch,
            status="sent",
            attempts=attempts,
            due_at=None,
            sent_at=now,
            reference=receipt.reference,
            last_error=None,
        )
    )
    run.count("interchanges_sent")
    run.acted += _record_outcome(
        run,
        batch,
        Event.SENT,
        now,
        {
            "interchange": batch.control_number,
            "file": batch.archive_key,
            "gateway": batch.gateway,
            "reference": receipt.reference,
        },
    )

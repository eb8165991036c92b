"""Sending queued claims to their clearinghouses, each claim in exactly one interchange.

A batch (one interchange) is the lock on its claims. It is created first (`forming`, under a
lease), then each claim joins it with a conditional write that succeeds only while the claim
is queued and in no batch; only the claims that joined are rendered, archived and sent. A run
that loses any of these writes moves on: the claim or batch belongs to the run that won.

The rendered bytes are archived before the first send, and every retry resends the very same
bytes under the same ISA13: a send that timed out and was in fact received is recognised by
the clearinghouse as the same interchange. A batch being formed or sent holds a lease of one
Lambda lifetime: a run that died there is taken over when the lease expires, never earlier.
One claim that can no longer be rendered is rejected with its error; the others go.
Claims to a payer whose policy says paper only are printed into the print queue instead
(services.print_queue).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from chalicelib.claims.batching import (
    PlannedBatch,
    QueuedClaim,
    plan_batches,
    retry_delay,
    transaction_key,
)
from chalicelib.claims.claim_v3 import claim_v3
from chalicelib.claims.errors import LifecycleError
from chalicelib.claims.followup import due_time
from chalicelib.claims.lifecycle import Event, Status
from chalicelib.claims.model import Claim
from chalicelib.claims.records import ClaimEvent, ClaimRecord, with_event
from chalicelib.observability import logger
from chalicelib.payers.gateways.base import (
    CLAIMS_V3,
    Gateway,
    GatewayBusyError,
    GatewayError,
    SubmissionRejectedError,
)
from chalicelib.payers.policies import first_check_due
from chalicelib.schedules.runs import Run
from chalicelib.store import archive, batches
from chalicelib.store.batches import Batch
from chalicelib.store.errors import ConcurrentUpdateError
from chalicelib.wiring import claim_repository
from chalicelib.x12.errors import X12WriteError
from chalicelib.x12.write.claim837p import render_837p
from chalicelib.x12.writer import EnvelopeValues

from .claims import ClaimNotFoundError, update_claim
from .lookups import find_payer, tenant_account
from .print_queue import is_paper_only, print_queued_claims
from .worklist import policy_in_force

GatewayLookup = Callable[[str, str], Gateway]  # (tenant id, gateway name): wiring.gateway_for
SOURCE = "submission"
# How long a run owns a batch it forms or sends: the longest a Lambda function can run, so a
# live run never loses it; a run that died is taken over when it expires.
OWNER_LEASE = timedelta(minutes=15)


class SkipClaimError(Exception):
    """The claim is no longer this batch's to change (another run took it): leave it."""


def account_for(tenant_id: str, gateway: Gateway) -> str:
    """The tenant's mailbox and submitter id (ETIN, ISA06 / GS02 / 1000A NM109: 2-15
    characters) at a clearinghouse: the one the clearinghouse enrolled the tenant under for
    its own accounts; at the sandbox, derived from the tenant id (long ids hashed, so two
    tenants never share a mailbox)."""
    account = tenant_account(tenant_id, gateway.name)
    if account is not None and account.submitter_id:
        return account.submitter_id
    compact = "".join(ch for ch in tenant_id.upper() if ch.isalnum())
    if len(compact) <= 13 and compact:
        return f"CG{compact}"
    return "CG" + hashlib.sha256(tenant_id.encode()).hexdigest()[:13].upper()


def send_queued_claims(
    run: Run,
    *,
    now: datetime,
    gateway_for: GatewayLookup,
    due_batches: Sequence[Batch],
    due_claims: Sequence[ClaimRecord],
) -> None:
    """One tenant's outbound work: batches whose (re)send or forming is due, then new batches
    of its newly queued claims. Both lists come from the due index and may be stale: every
    write below is conditional, so a claim or batch another run took is simply skipped."""
    for batch in due_batches:
        run.examined += len(batch.claim_ids)
        gateway = _connect(run, batch.tenant_id, batch.gateway, gateway_for)
        if gateway is not None:
            _resume(run, batch, now=now, gateway=gateway)
    queued: list[QueuedClaim] = []
    records: dict[str, ClaimRecord] = {}
    on_paper: list[ClaimRecord] = []
    for record in due_claims:
        run.examined += 1
        if record.status is not Status.QUEUED or record.batch_id:
            continue  # the index lags behind the claim
        if is_paper_only(record):
            on_paper.append(record)
            continue
        payer = find_payer(record.tenant_id, record.payer_id)
        if payer is None:
            run.fail(
                "payer is not in the directory",
                claim_id=record.claim_id,
                tenant_id=record.tenant_id,
            )
            continue
        records[record.claim_id] = record
        queued.append(
            QueuedClaim(
                record.tenant_id,
                record.claim_id,
                record.payer_id,
                payer.gateway,
                transaction_key(record.claim),
            )
        )
    connected = {
        name: _connect(run, tenant_id, name, gateway_for)
        for tenant_id, name in {(q.tenant_id, q.gateway) for q in queued}
    }
    for planned in _plan(queued, connected):
        gateway = connected[planned.gateway]
        if gateway is None:
            continue  # the claims stay queued until the account is fixed
        formed = _form(run, planned, [records[i] for i in planned.claim_ids], now, gateway)
        if formed is not None:
            _send(run, formed, now=now, gateway=gateway)
    if on_paper:
        print_queued_claims(run, on_paper, now=now)


def _plan(
    queued: list[QueuedClaim], connected: dict[str, Gateway | None]
) -> tuple[PlannedBatch, ...]:
    """Interchanges for X12 connections; one claim per request for a JSON API (a claims v3
    request carries one claim)."""
    one_each = {name for name, g in connected.items() if g is not None and g.wire == CLAIMS_V3}
    return (
        *plan_batches(q for q in queued if q.gateway not in one_each),
        *plan_batches((q for q in queued if q.gateway in one_each), max_claims=1),
    )


def _connect(run: Run, tenant_id: str, name: str, gateway_for: GatewayLookup) -> Gateway | None:
    try:
        return gateway_for(tenant_id, name)
    except GatewayError as error:
        run.fail(f"clearinghouse {name}: {error}", tenant_id=tenant_id, code="gateway_error")
        return None


def _form(
    run: Run, planned: PlannedBatch, records: list[ClaimRecord], now: datetime, gateway: Gateway
) -> Batch | None:
    """Create the batch, let the claims join it, render what joined. None when nothing is to
    be sent (no claim joined, or none could be rendered)."""
    control = batches.next_control_number(planned.tenant_id)
    batch = batches.save_batch(
        Batch(
            tenant_id=planned.tenant_id,
            batch_id=f"{control:09d}",
            gateway=gateway.name,
            account=account_for(planned.tenant_id, gateway),
            control_number=f"{control:09d}",
            archive_key="",
            claim_ids=planned.claim_ids,
            status="forming",
            attempts=0,
            created_at=now,
            due_at=now + OWNER_LEASE,  # taken over only if this run dies before it is sent
        )
    )
    members: list[ClaimRecord] = []
    for record in records:
        joined = replace(record, batch_id=batch.batch_id, next_action=None, due_at=None)
        try:
            members.append(claim_repository().save_claim_change(joined, ()))
        except ConcurrentUpdateError:
            run.count("claims_taken_by_another_run")
    return _finish_forming(run, batch, members, now=now, gateway=gateway)


def _finish_forming(
    run: Run, batch: Batch, members: list[ClaimRecord], *, now: datetime, gateway: Gateway
) -> Batch | None:
    """Render the members (rejecting any that cannot be rendered), archive the bytes and make
    the batch `pending`, version-checked: if another run took the batch over meanwhile, this
    one stops here and sends nothing."""
    text, sendable = _render(run, batch, members, now=now, gateway=gateway)
    try:
        if text is None:
            batches.save_batch(replace(batch, status="empty", claim_ids=(), due_at=None))
            return None
        json_wire = gateway.wire == CLAIMS_V3
        key = archive.save_raw(
            text.encode(),
            kind="claims-v3" if json_wire else "837P",
            source=f"{batch.tenant_id}/{gateway.name}",
            content_type="application/json" if json_wire else "application/edi-x12",
        )
        return batches.save_batch(
            replace(
                batch,
                status="pending",
                archive_key=key,
                claim_ids=tuple(r.claim_id for r in sendable),
                due_at=now + OWNER_LEASE,  # this run sends it now; a retry only if it dies
            )
        )
    except ConcurrentUpdateError:
        run.count("batches_taken_by_another_run")
        return None


def _render(
    run: Run, batch: Batch, members: list[ClaimRecord], *, now: datetime, gateway: Gateway
) -> tuple[str | None, list[ClaimRecord]]:
    """The 837P of every member that can be written, and those members. A claim that cannot
    be written is rejected alone, with its error. For a JSON API: the one member's claims v3
    request."""
    if not members:
        return None, []
    if gateway.wire == CLAIMS_V3:
        for extra in members[1:]:  # formed for X12 before the account became a JSON API
            _release(run, extra, now)
        return _claims_v3_request(batch, members[0].claim), members[:1]
    try:
        return _render_837p(batch, [r.claim for r in members], now, gateway), members
    except X12WriteError:
        pass
    good: list[ClaimRecord] = []
    for record in members:  # find the claims that cannot be written, one by one
        try:
            _render_837p(batch, [record.claim], now, gateway)
            good.append(record)
        except X12WriteError as error:
            _reject(run, batch, record, now, "x12_write_error", error.field or "837P")
    if not good:
        return None, []
    return _render_837p(batch, [r.claim for r in good], now, gateway), good


def outbound_envelope(
    account: str,
    gateway: Gateway,
    control: int,
    now: datetime,
    *,
    usage_indicator: str = "P",
    functional_id: str = "",
    implementation_reference: str = "",
) -> EnvelopeValues:
    """The envelope of an interchange from the tenant's mailbox `account` to `gateway`: ISA13
    and GS06 are the same number, so an acknowledgment leads back to what was sent."""
    return EnvelopeValues(
        sender_qualifier="ZZ",
        sender_id=account,
        receiver_qualifier="ZZ",
        receiver_id=gateway.receiver_id,
        interchange_control_number=control,
        group_control_number=control,
        date=now.date(),
        time=now.strftime("%H%M"),
        usage_indicator=usage_indicator,
        functional_id=functional_id,
        implementation_reference=implementation_reference,
    )


def _render_837p(batch: Batch, claims: list[Claim], now: datetime, gateway: Gateway) -> str:
    control = int(batch.control_number)
    return render_837p(
        [_as_routed(batch.tenant_id, claim) for claim in claims],
        outbound_envelope(
            batch.account,
            gateway,
            control,
            now,
            usage_indicator=claims[0].usage_indicator,
            functional_id="HC",
            implementation_reference="005010X222A1",
        ),
        submitter_id=batch.account,
        receiver_id=gateway.receiver_id,
        transaction_control_number=batch.control_number,
        reference_id=batch.control_number,
        created_at=now,
    )


def _release(run: Run, record: ClaimRecord, now: datetime) -> None:
    """Out of a batch that cannot carry it, back to the queue: the next poll plans it anew."""
    released = replace(record, batch_id=None, next_action="send", due_at=now)
    try:
        claim_repository().save_claim_change(released, ())
    except ConcurrentUpdateError:
        run.count("claims_taken_by_another_run")


def _claims_v3_request(batch: Batch, claim: Claim) -> str:
    """The claim as the JSON API takes it: under the batch's control number (the
    interchange's ISA13 in X12), our submitter id there and the payer's id there."""
    request = claim_v3(_as_routed(batch.tenant_id, claim))
    request["controlNumber"] = batch.control_number
    submitter = request.get("submitter")
    if isinstance(submitter, dict):
        request["submitter"] = {**submitter, "submitterIdentification": batch.account}
    return json.dumps(request, separators=(",", ":"), sort_keys=True)


def _as_routed(tenant_id: str, claim: Claim) -> Claim:
    """The claim under the payer id its clearinghouse knows the payer by (2010BB NM109)."""
    payer = find_payer(tenant_id, claim.trading_partner_service_id)
    if payer is None or payer.gateway_payer_id == claim.trading_partner_service_id:
        return claim
    return replace(claim, trading_partner_service_id=payer.gateway_payer_id)


def _reject(
    run: Run, batch: Batch, record: ClaimRecord, now: datetime, code: str, why: str
) -> None:
    """A claim that cannot be sent leaves the batch as `rejected` with its error on its
    history and the worklist (ids and codes only: `why` is a field path or a type name)."""
    run.fail(
        f"claim cannot be sent: {code} ({why})",
        claim_id=record.claim_id,
        tenant_id=record.tenant_id,
        code=code,
    )

    def change(current: ClaimRecord) -> tuple[ClaimRecord, tuple[ClaimEvent, ...]]:
        if current.batch_id not in (None, batch.batch_id) or current.status is not Status.QUEUED:
            raise SkipClaimError(current.claim_id)
        updated, entry = with_event(
            current,
            Event.SCRUB_FAILED,
            at=now,
            source=SOURCE,
            codes=(code,),
            detail={"reason": why, "interchange": batch.control_number},
            batch_id=None,
            next_action=None,
            due_at=None,
        )
        return updated, (entry,)

    with contextlib.suppress(
        SkipClaimError, ClaimNotFoundError, ConcurrentUpdateError, LifecycleError
    ):
        update_claim(record.tenant_id, record.claim_id, change)


def _resume(run: Run, batch: Batch, *, now: datetime, gateway: Gateway) -> None:
    """A batch whose retry time came, or whose owner died: take it (version-checked, under a
    fresh lease), finish forming it if need be, and send it."""
    try:
        owned = batches.save_batch(replace(batch, due_at=now + OWNER_LEASE))
    except ConcurrentUpdateError:
        run.count("batches_taken_by_another_run")
        return
    if owned.status == "forming":
        members = []
        for claim_id in owned.claim_ids:
            record = claim_repository().load_claim(owned.tenant_id, claim_id)
            if (
                record is not None
                and record.batch_id == owned.batch_id
                and record.status is Status.QUEUED
            ):
                members.append(record)
        formed = _finish_forming(run, owned, members, now=now, gateway=gateway)
        if formed is not None:
            _send(run, formed, now=now, gateway=gateway)
    elif owned.status == "pending":
        _send(run, owned, now=now, gateway=gateway)


def _record_outcome(
    run: Run, batch: Batch, event: Event, now: datetime, detail: dict[str, str]
) -> int:
    """Move every claim of the batch by `event`; returns how many moved. A claim the
    clearinghouse took gets its first status check due by its payer's policy."""
    moved = 0

    def change(record: ClaimRecord) -> tuple[ClaimRecord, tuple[ClaimEvent, ...]]:
        if record.batch_id != batch.batch_id or record.status is not Status.QUEUED:
            raise SkipClaimError(record.claim_id)  # already moved by this outcome
        changes: dict[str, Any] = {"x12_key": batch.archive_key}
        if event is Event.SENT:
            changes |= {
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
        except SkipClaimError:
            run.count("claims_already_moved")
        except (ClaimNotFoundError, ConcurrentUpdateError, LifecycleError) as error:
            run.fail(error.__class__.__name__, claim_id=claim_id, tenant_id=batch.tenant_id)
    return moved


def _first_check(record: ClaimRecord, now: datetime) -> datetime:
    policy = policy_in_force(record.tenant_id, record.payer_id)
    if policy is None:
        return now
    return due_time(first_check_due(now.date(), policy), now)


def _send(run: Run, batch: Batch, *, now: datetime, gateway: Gateway) -> None:
    """Send a batch this run owns; record the outcome on the batch, then on its claims."""
    content = archive.load_raw(batch.archive_key)
    attempts = batch.attempts + 1
    try:
        receipt = gateway.submit(batch.account, content)
    except SubmissionRejectedError as error:
        _refused(run, batch, error, now=now, attempts=attempts)
        return
    except GatewayError as error:
        retry_at = now + retry_delay(attempts)
        if isinstance(error, GatewayBusyError) and error.retry_after:
            retry_at = max(retry_at, now + timedelta(seconds=error.retry_after))
        try:
            batches.save_batch(
                replace(
                    batch,
                    attempts=attempts,
                    due_at=retry_at,
                    last_error=error.__class__.__name__,
                )
            )
        except ConcurrentUpdateError:
            run.count("batches_taken_by_another_run")
            return
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
    try:
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
    except ConcurrentUpdateError:
        run.count("batches_taken_by_another_run")
        return
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


def _refused(
    run: Run, batch: Batch, error: SubmissionRejectedError, *, now: datetime, attempts: int
) -> None:
    """The clearinghouse read the claim and refused it (a JSON API answers at once, as a 999
    or 277CA would later): the claim was sent and is now `clearinghouse_rejected`, with each
    error under the request field it names, for the biller to correct and resubmit."""
    try:
        batches.save_batch(
            replace(
                batch,
                status="rejected",
                attempts=attempts,
                due_at=None,
                sent_at=now,
                last_error="SubmissionRejectedError",
            )
        )
    except ConcurrentUpdateError:
        run.count("batches_taken_by_another_run")
        return
    run.count("claims_refused_by_clearinghouse", len(batch.claim_ids))
    codes = tuple(f"CH:{p.code}" for p in error.problems if p.code)[:20]
    detail = {"interchange": batch.control_number, "file": batch.archive_key}
    detail |= {"gateway": batch.gateway, "message": str(error)}
    for problem in error.problems[:20]:
        where = problem.field or "claim"
        said = f"{problem.code}: {problem.message}" if problem.code else problem.message
        detail[where] = f"{detail[where]}; {said}" if where in detail else said

    def change(record: ClaimRecord) -> tuple[ClaimRecord, tuple[ClaimEvent, ...]]:
        if record.batch_id != batch.batch_id or record.status is not Status.QUEUED:
            raise SkipClaimError(record.claim_id)
        sent, first = with_event(
            record,
            Event.SENT,
            at=now,
            source=SOURCE,
            detail={"interchange": batch.control_number, "gateway": batch.gateway},
            x12_key=batch.archive_key,
            submitted_at=now,
            send_attempts=attempts,
        )
        refused, second = with_event(
            sent,
            Event.CLEARINGHOUSE_REJECTED,
            at=now,
            source=batch.gateway,
            codes=codes,
            detail=detail,
            next_action=None,
            due_at=None,
        )
        return refused, (first, second)

    for claim_id in batch.claim_ids:  # a claim for the worklist, not a failure of the run
        with contextlib.suppress(
            SkipClaimError, ClaimNotFoundError, ConcurrentUpdateError, LifecycleError
        ):
            update_claim(batch.tenant_id, claim_id, change)
            run.acted += 1

"""Claim follow-ups: find the claims whose status check is due (one query on the sparse due
index: reads grow with the due set, not with the table), ask each payer with 276s in batches,
apply the 277 answers through the lifecycle and schedule the next check by payer policy.

When the due set is larger than one batch, the run fans the work out over SQS: each message
carries one batch of due claims as read from the index, so a worker needs no second read.

A status check is asked once per due time, by construction: before any 276 goes out, each
claim is taken with a version-checked write that moves its due time past a lease. Another
run, a second delivery of the same message, or a run that starts before the worker has
drained the queue finds the claim taken (or no longer due) and leaves it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from chalicelib.claims.errors import LifecycleError
from chalicelib.claims.followup import (
    DueClaim,
    InquiryBatch,
    build_276_request,
    decide_followup,
    due_claim,
    plan_followups,
)
from chalicelib.claims.lifecycle import Event
from chalicelib.claims.records import ClaimRecord, with_event
from chalicelib.claims.work_items import WorklistItem
from chalicelib.payers.gateways.base import GatewayError
from chalicelib.schedules.runs import Run
from chalicelib.store import archive, batches
from chalicelib.store.errors import ConcurrentUpdateError
from chalicelib.wiring import claim_repository
from chalicelib.x12.envelope import EnvelopeReader
from chalicelib.x12.errors import X12Error
from chalicelib.x12.read.status277 import ClaimStatus, parse_277
from chalicelib.x12.write.status276 import render_276

from .due import by_tenant, report_unreadable, take_due
from .leases import tenant_lease
from .lookups import find_payer
from .submission import GatewayLookup, account_for, outbound_envelope
from .worklist import policy_in_force, with_worklist

BATCH_SIZE = 100
# How long a claim taken for a status check stays out of the due set: past the queue's
# visibility timeout and a worker's run, so only a check that never happened is asked again.
CHECK_LEASE = timedelta(hours=1)
MAX_DUE_PER_RUN = 100_000
Fanout = Callable[[Sequence[str]], None]  # sends message bodies to the follow-up queue


def run_followups(
    run: Run,
    *,
    now: datetime,
    gateway_for: GatewayLookup,
    fanout: Fanout | None = None,
    batch_size: int = BATCH_SIZE,
) -> None:
    records: list[ClaimRecord] = []
    start: str | None = None
    while len(records) < MAX_DUE_PER_RUN:
        page = claim_repository().due_claims("status_check", now, limit=1000, start=start)
        records.extend(page.claims)
        report_unreadable(run, page, now=now)
        start = page.cursor
        if start is None:
            break
    run.examined += len(records)
    for tenant_id, due in by_tenant(records).items():
        with tenant_lease(run, tenant_id, now=now) as held:
            if not held:
                continue
            if fanout is not None and len(due) > batch_size:
                _fan_out(run, due, now=now, fanout=fanout, batch_size=batch_size)
            else:
                check_claims(run, due, now=now, gateway_for=gateway_for, batch_size=batch_size)


def _fan_out(
    run: Run, records: list[ClaimRecord], *, now: datetime, fanout: Fanout, batch_size: int
) -> None:
    """Take the claims, then queue them in batches: a worker checks each batch."""
    taken = take_due(run, records, now=now, lease=CHECK_LEASE)
    bodies = [
        json.dumps(
            {
                "now": now.isoformat(),
                "claims": [claim_repository().record_to_json(r) for r in chunk],
            }
        )
        for chunk in _chunks(taken, batch_size)
    ]
    fanout(bodies)
    run.count("messages_sent", len(bodies))


def check_message(run: Run, body: str, *, gateway_for: GatewayLookup) -> None:
    """One fanned-out batch, as an SQS worker sees it."""
    data = json.loads(body)
    records = [claim_repository().record_from_json(item) for item in data["claims"]]
    run.examined += len(records)
    check_claims(
        run,
        records,
        now=datetime.fromisoformat(data["now"]),
        gateway_for=gateway_for,
        batch_size=len(records) or 1,
    )


def _chunks(records: list[ClaimRecord], size: int) -> list[list[ClaimRecord]]:
    return [records[i : i + size] for i in range(0, len(records), size)]


def check_claims(
    run: Run,
    records: Sequence[ClaimRecord],
    *,
    now: datetime,
    gateway_for: GatewayLookup,
    batch_size: int,
) -> None:
    records = take_due(run, records, now=now, lease=CHECK_LEASE)
    by_id = {r.claim_id: r for r in records}
    dues: list[DueClaim] = []
    for record in records:
        payer = find_payer(record.tenant_id, record.payer_id)
        policy = policy_in_force(record.tenant_id, record.payer_id)
        if payer is None or policy is None:
            run.fail(
                "payer is not in the directory",
                claim_id=record.claim_id,
                tenant_id=record.tenant_id,
            )
            continue
        dues.append(due_claim(record, record.claim, gateway=payer.gateway, policy=policy))
    plan = plan_followups(dues, now=now, batch_size=batch_size)
    for skipped in plan.skipped:
        record = by_id[skipped.claim_id]
        run.count(f"skipped_{skipped.reason}")
        _save(
            run,
            replace(
                record,
                next_action="status_check" if skipped.next_check_at else None,
                due_at=skipped.next_check_at,
            ),
            (),
            now=now,
        )
    for batch in plan.batches:
        try:
            gateway = gateway_for(batch.tenant_id, batch.gateway)
        except GatewayError as error:
            _inquiries_failed(run, batch, f"status inquiry failed: {error}", "gateway_error")
            continue
        account = account_for(batch.tenant_id, gateway)
        control = batches.next_control_number(batch.tenant_id)
        text = render_276(
            build_276_request(batch, receiver_etin=account),
            outbound_envelope(account, gateway, control, now),
            control_number=control,
        )
        inquiry_key = archive.save_raw(text.encode(), kind="276", source=batch.tenant_id)
        try:
            answer = gateway.claim_status(account, text.encode())
        except GatewayError as error:
            _inquiries_failed(run, batch, f"status inquiry failed: {error}", "gateway_error")
            continue  # the claims come due again when their lease ends: asked again then
        if answer is None:  # a mailbox: the 277 comes later as an inbound file
            statuses: dict[str, ClaimStatus] = {}
            answer_key = "by_mailbox"
        else:
            answer_key = archive.save_raw(answer, kind="277", source=batch.tenant_id)
            try:
                statuses = _statuses(answer)
            except X12Error as error:
                _inquiries_failed(run, batch, f"277 unreadable: {error}", "x12_unreadable")
                continue
        run.count("inquiries_sent", len(batch.inquiries))
        for item in batch.inquiries:
            record = by_id[item.claim_id]
            due = next(d for d in dues if d.claim_id == item.claim_id)
            decision = decide_followup(
                statuses.get(record.patient_control_number),
                record=record,
                policy=due.policy,
                now=now,
            )
            detail = {"inquiry": inquiry_key, "answer": answer_key, "check": str(item.check_number)}
            try:
                updated, entry = with_event(
                    record,
                    decision.event,
                    at=now,
                    source=decision.source,
                    codes=decision.codes,
                    detail={**decision.detail, **detail},
                    status_checks=decision.check_number,
                    next_action=decision.next_action,
                    due_at=decision.next_check_at,
                )
            except LifecycleError:
                updated, entry = with_event(
                    record,
                    Event.NOTE,
                    at=now,
                    source=decision.source,
                    codes=decision.codes,
                    detail={**detail, "refused": decision.event.value},
                    status_checks=decision.check_number,
                    next_action=decision.next_action,
                    due_at=decision.next_check_at,
                )
            if _save(run, updated, (entry,), now=now, extra_worklist=decision.worklist):
                run.acted += 1


def _statuses(answer: bytes) -> dict[str, ClaimStatus]:
    found: dict[str, ClaimStatus] = {}
    for ts in EnvelopeReader(answer):
        if ts.transaction_set_id == "277":
            for status in parse_277(ts).claims:
                if status.patient_control_number:
                    found[status.patient_control_number] = status
    return found


def _save(
    run: Run,
    record: ClaimRecord,
    events: tuple[Any, ...],
    *,
    now: datetime,
    extra_worklist: tuple[WorklistItem, ...] = (),
) -> bool:
    """Save at the version the claim was planned at: if it changed since (another delivery
    of the same message, or an 835 that just posted), this due time was handled: skip."""
    updated = with_worklist(record, now=now)
    if extra_worklist:
        kinds = {item.kind for item in updated.worklist}
        fresh = tuple(item for item in extra_worklist if item.kind not in kinds)
        updated = replace(updated, worklist=(*updated.worklist, *fresh))
    try:
        claim_repository().save_claim_change(updated, events)
    except ConcurrentUpdateError:
        run.count("changed_since_planned")
        return False
    return True


def _inquiries_failed(run: Run, batch: InquiryBatch, message: str, code: str) -> None:
    """Each claim of the batch fails on the run; it comes due again when its lease ends."""
    for item in batch.inquiries:
        run.fail(message, claim_id=item.claim_id, tenant_id=batch.tenant_id, code=code)

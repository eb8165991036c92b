"""Files from clearinghouses: 999, 277CA, 277 and 835, fetched from a mailbox or uploaded.

Every file is archived unchanged first, then read WHOLE before anything is applied: a file that
cannot be read is answered with a located error and nothing of it is applied. A file already
received (same sha256) is not applied again; an 835 already posted (same payer and TRN02) is
answered with its earlier result. What matches no claim is parked in the unmatched queue.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chalicelib.claims.acknowledgments import (
    CLEARINGHOUSE_ENTITY_CODES,
    StatusDecision,
    decide_999,
    decide_status,
)
from chalicelib.claims.errors import LifecycleError
from chalicelib.claims.lifecycle import Event, Status
from chalicelib.claims.posting import post_claim_payment
from chalicelib.claims.records import ClaimEvent, ClaimRecord, with_event
from chalicelib.claims.variance import check_payment, check_remittance_balance, contract_rate_for
from chalicelib.contract import ClaimRequest
from chalicelib.observability import logger
from chalicelib.store import archive, batches, contracts, inbound
from chalicelib.store import claims as claim_store
from chalicelib.store.errors import ConcurrentUpdateError
from chalicelib.x12.ack999 import Acknowledgment, parse_999
from chalicelib.x12.envelope import EnvelopeReader
from chalicelib.x12.errors import X12ReadError
from chalicelib.x12.remittance import ClaimPayment, Remittance, parse_835
from chalicelib.x12.status277 import ClaimStatus, ClaimStatusReport, parse_277

from .claims import ClaimNotFoundError, update_claim

Parsed = Acknowledgment | ClaimStatusReport | Remittance
_OPEN_FOR_STATUS = (Status.SUBMITTED, Status.ACCEPTED, Status.PENDING, Status.INFO_REQUESTED)


@dataclass(slots=True)
class FileOutcome:
    """What applying one file did, for the API answer and the run record (ids and codes)."""

    sha256: str
    archive_key: str
    status: str  # applied | duplicate | unreadable
    kinds: list[str] = field(default_factory=list)
    claims_updated: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unmatched: int = 0
    errors: list[dict[str, object]] = field(default_factory=list)
    remittances: list[dict[str, object]] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "sha256": self.sha256,
            "archiveKey": self.archive_key,
            "status": self.status,
            "kinds": self.kinds,
            "claimsUpdated": self.claims_updated,
            "notes": self.notes,
            "unmatched": self.unmatched,
            "errors": self.errors,
            "remittances": self.remittances,
        }


def _kind(item: Parsed) -> str:
    if isinstance(item, Acknowledgment):
        return "999"
    if isinstance(item, ClaimStatusReport):
        return item.kind
    return "835"


def receive_file(
    tenant_id: str,
    content: bytes,
    *,
    name: str,
    source: str,
    now: datetime,
    accept: frozenset[str] | None = None,
) -> FileOutcome:
    """Archive, read whole, then apply. `accept` limits the transaction types (an upload route
    for 835s refuses a 999 rather than applying it by surprise)."""
    sha = hashlib.sha256(content).hexdigest()
    key = archive.save_raw(content, kind="inbound", source=f"{tenant_id}/{source}")
    seen = inbound.load_inbound_file(tenant_id, sha)
    if seen is not None and seen.status == "applied":
        outcome = FileOutcome(sha, key, "duplicate", kinds=list(seen.result.get("kinds", [])))
        outcome.remittances = list(seen.result.get("remittances", []))
        return outcome
    outcome = FileOutcome(sha, key, "applied")
    try:
        parsed = _read_whole(content)
    except X12ReadError as error:
        outcome.status = "unreadable"
        outcome.errors.append(
            {
                "code": "x12_unreadable",
                "message": error.located(),
                "segmentIndex": error.segment_index,
                "segmentId": error.segment_id,
                "elementPosition": error.element_position,
            }
        )
        inbound.save_inbound_file(
            tenant_id,
            sha,
            name=name,
            source=source,
            received_at=now,
            status="unreadable",
            result=outcome.as_dict(),
        )
        logger.warning(
            "inbound file unreadable", extra={"sha256": sha, "segment": error.segment_id}
        )
        return outcome
    kinds = [_kind(item) for item in parsed]
    if accept is not None and not set(kinds) <= accept:
        outcome.status = "refused"
        outcome.kinds = kinds
        outcome.errors.append(
            {
                "code": "wrong_file_type",
                "message": f"this route takes {', '.join(sorted(accept))}; the file holds "
                f"{', '.join(sorted(set(kinds)))}",
            }
        )
        return outcome
    for item in parsed:
        outcome.kinds.append(_kind(item))
        if isinstance(item, Acknowledgment):
            _apply_999(tenant_id, item, outcome, now=now, file_key=key)
        elif isinstance(item, ClaimStatusReport):
            _apply_277(tenant_id, item, outcome, now=now, file_key=key)
        else:
            _apply_835(tenant_id, item, outcome, now=now, file_key=key)
    inbound.save_inbound_file(
        tenant_id,
        sha,
        name=name,
        source=source,
        received_at=now,
        status="applied",
        result=outcome.as_dict(),
    )
    return outcome


def _read_whole(content: bytes) -> list[Parsed]:
    """Every transaction set of the file, typed; raises before anything is applied."""
    reader = EnvelopeReader(content)
    parsed: list[Parsed] = []
    for ts in reader:
        kind = ts.transaction_set_id
        if kind == "999":
            parsed.append(parse_999(ts))
        elif kind == "277":
            parsed.append(parse_277(ts))
        elif kind == "835":
            parsed.append(parse_835(ts))
        else:
            raise X12ReadError(
                f"transaction set {kind} is not an inbound clearinghouse file (999, 277, 835)",
                segment_index=ts.first_index,
                segment_id="ST",
                element_position=1,
            )
    if not parsed:
        raise X12ReadError("the file holds no transaction set", segment_index=0, segment_id="")
    return parsed


def _move(
    tenant_id: str,
    record: ClaimRecord,
    decision: StatusDecision,
    outcome: FileOutcome,
    *,
    now: datetime,
    source: str,
    detail: Mapping[str, str],
    posting: Mapping[str, object] | None = None,
    flags: tuple[Mapping[str, object], ...] = (),
    **changes: object,
) -> None:
    """Apply a decision; an event the lifecycle refuses is recorded as a note, never dropped.
    A posting is appended to the claim as it is when saved (re-read on a concurrent update),
    so two remittances posted at once both stay."""

    def change(
        current: ClaimRecord, event: Event, extra: Mapping[str, str]
    ) -> tuple[ClaimRecord, tuple[ClaimEvent, ...]]:
        if posting is not None:
            changes["remittances"] = (*current.remittances, posting)
        if flags:
            changes["flags"] = (*current.flags, *flags)
        updated, entry = with_event(
            current,
            event,
            at=now,
            source=source,
            codes=decision.codes,
            detail={**detail, **extra},
            **changes,
        )
        return updated, (entry,)

    try:
        update_claim(tenant_id, record.claim_id, lambda r: change(r, decision.event, {}))
        outcome.claims_updated.append(record.claim_id)
    except LifecycleError:
        refused = {"refused": decision.event.value}
        update_claim(tenant_id, record.claim_id, lambda r: change(r, Event.NOTE, refused))
        outcome.notes.append(record.claim_id)
    except (ClaimNotFoundError, ConcurrentUpdateError) as error:
        outcome.errors.append({"code": error.__class__.__name__, "claimId": record.claim_id})


def _apply_999(
    tenant_id: str, ack: Acknowledgment, outcome: FileOutcome, *, now: datetime, file_key: str
) -> None:
    batch = batches.load_batch(tenant_id, ack.group_control_number.zfill(9))
    if batch is None:
        outcome.unmatched += 1
        inbound.save_unmatched(
            tenant_id,
            f"999#{outcome.sha256}#{ack.group_control_number}",
            received_at=now,
            reason="999 for an interchange we did not send",
            detail={"groupControlNumber": ack.group_control_number, "file": file_key},
        )
        return
    sets = {s.control_number.lstrip("0"): s for s in ack.sets}
    detail = {"file": file_key, "interchange": batch.control_number}
    for claim_id in batch.claim_ids:
        record = claim_store.load_claim(tenant_id, claim_id)
        if record is None:
            continue
        set_ack = sets.get(batch.control_number.lstrip("0"))
        if set_ack is not None:
            decision = decide_999(set_ack)
        elif ack.group_status in ("A", "E", "P"):
            decision = StatusDecision(Event.ACK_ACCEPTED, (f"AK9:{ack.group_status}",))
        else:
            decision = StatusDecision(Event.ACK_REJECTED, (f"AK9:{ack.group_status}",))
        _move(tenant_id, record, decision, outcome, now=now, source="999", detail=detail)


def _find_claim(tenant_id: str, pcn: str | None, payer_id: str | None) -> ClaimRecord | None:
    """CLM01 echoed back (277CA TRN02, 277 REF*EJ, 835 CLP01), narrowed by payer when the
    tenant has the same patient control number with several payers (e.g. a secondary)."""
    if not pcn:
        return None
    candidates = claim_store.claims_by_patient_control_number(tenant_id, pcn)
    if payer_id:
        for_payer = [c for c in candidates if c.payer_id == payer_id]
        candidates = for_payer or candidates
    if len(candidates) > 1:
        open_ones = [c for c in candidates if c.status not in (Status.CLOSED, Status.REJECTED)]
        candidates = open_ones or candidates
    return max(candidates, key=lambda c: c.created_at) if candidates else None


def _apply_277(
    tenant_id: str,
    report: ClaimStatusReport,
    outcome: FileOutcome,
    *,
    now: datetime,
    file_key: str,
) -> None:
    source = report.sources[0].party if report.sources else None
    from_clearinghouse = bool(source and source.entity_code in CLEARINGHOUSE_ENTITY_CODES)
    payer_id = source.identifier if source and not from_clearinghouse else None
    for status in report.claims:
        record = _find_claim(tenant_id, status.patient_control_number, payer_id)
        if record is None:
            _park_status(tenant_id, report, status, outcome, now=now, file_key=file_key)
            continue
        decision = decide_status(status.statuses, from_clearinghouse=from_clearinghouse)
        detail = {"file": file_key, "kind": report.kind}
        changes: dict[str, Any] = {}
        if status.payer_claim_control_number:
            detail["payerClaimControlNumber"] = status.payer_claim_control_number
            changes["payer_claim_control_number"] = status.payer_claim_control_number
        if not decision.known:
            detail["unknownCategory"] = "true"
        _move(
            tenant_id,
            record,
            decision,
            outcome,
            now=now,
            source=report.kind,
            detail=detail,
            **changes,
        )


def _park_status(
    tenant_id: str,
    report: ClaimStatusReport,
    status: ClaimStatus,
    outcome: FileOutcome,
    *,
    now: datetime,
    file_key: str,
) -> None:
    outcome.unmatched += 1
    inbound.save_unmatched(
        tenant_id,
        f"{report.kind}#{outcome.sha256}#{status.segment_index}",
        received_at=now,
        reason=f"{report.kind} status for a claim we do not know",
        detail={
            "patientControlNumber": status.patient_control_number or "",
            "file": file_key,
            "segmentIndex": status.segment_index,
        },
    )


def _remit_payer_key(remittance: Remittance) -> str:
    if remittance.payer and remittance.payer.id:
        return remittance.payer.id
    return remittance.trace.payer_id if remittance.trace else "unknown"


def _apply_835(
    tenant_id: str,
    remittance: Remittance,
    outcome: FileOutcome,
    *,
    now: datetime,
    file_key: str,
) -> None:
    payer_key = _remit_payer_key(remittance)
    trace = remittance.trace.trace_number if remittance.trace else f"ST{remittance.control_number}"
    summary: dict[str, object] = {
        "payer": payer_key,
        "traceNumber": trace,
        "totalPaid": str(remittance.payment.total_paid),
    }
    if not inbound.claim_remittance(tenant_id, payer_key, trace, archive_key=file_key, now=now):
        earlier = inbound.load_remittance(tenant_id, payer_key, trace)
        if earlier is not None and earlier.result.get("state") == "posted":
            outcome.remittances.append({**earlier.result, "duplicate": True})
            return
    posted: list[str] = []
    unmatched = 0
    contract = contracts.load_fee_schedules(tenant_id, payer_key)
    imbalances = check_remittance_balance(remittance)
    for payment in remittance.claims:
        record = _find_claim(tenant_id, payment.patient_control_number, payer_key)
        if record is None:
            unmatched += 1
            _park_payment(tenant_id, payer_key, trace, payment, outcome, now=now, file_key=file_key)
            continue
        if _already_posted(record, trace, payment):
            posted.append(record.claim_id)
            continue
        claim = ClaimRequest.model_validate(record.body).to_claim()
        posting = post_claim_payment(
            claim,
            payment,
            trace_number=trace,
            payer_id=payer_key,
            payment_date=remittance.payment.effective_date,
        )
        for line in posting.unmatched_lines:
            unmatched += 1
            inbound.save_unmatched(
                tenant_id,
                f"835#{payer_key}#{trace}#{payment.segment_index}#{line.segment_index}",
                received_at=now,
                reason="835 service line matches no line of the claim",
                detail={
                    "claimId": record.claim_id,
                    "file": file_key,
                    "procedure": line.procedure_code,
                    "charge": str(line.charge),
                },
            )
        decision = StatusDecision(
            posting.event or Event.NOTE,
            tuple(f"{a.group}-{a.reason}" for a in posting.all_adjustments()),
            posting.event is not None,
        )
        # Payment mismatches against the contract in force on each date of service.
        flags = check_payment(posting, claim, rate_for=contract_rate_for(contract, claim))
        _move(
            tenant_id,
            record,
            decision,
            outcome,
            now=now,
            source="835",
            detail={
                "file": file_key,
                "traceNumber": trace,
                "statusCode": payment.status_code,
                "paid": str(payment.paid),
            },
            posting=posting.to_json(),
            payer_claim_control_number=payment.payer_claim_control_number or None,
            flags=tuple(
                {**flag.to_json(), "trace_number": trace, "payer_id": payer_key} for flag in flags
            ),
            # Other payers on file: secondary routing decides what the next payer gets.
            **(
                {"next_action": "secondary", "due_at": now}
                if claim.claim_information.other_subscribers and not posting.is_reversal
                else {}
            ),
        )
        posted.append(record.claim_id)
    summary.update(
        {
            "imbalances": [flag.to_json() for flag in imbalances],
            "state": "posted",
            "claimsPosted": posted,
            "unmatched": unmatched,
            "findings": len(remittance.findings),
        }
    )
    inbound.finish_remittance(tenant_id, payer_key, trace, summary)
    outcome.remittances.append(summary)
    outcome.unmatched += unmatched


def _already_posted(record: ClaimRecord, trace: str, payment: ClaimPayment) -> bool:
    """A delivery interrupted half-way is resumed: claims it already posted are skipped."""
    return any(
        r.get("trace_number") == trace
        and r.get("status_code") == payment.status_code
        and r.get("payer_claim_control_number") == payment.payer_claim_control_number
        for r in record.remittances
    )


def _park_payment(
    tenant_id: str,
    payer_key: str,
    trace: str,
    payment: ClaimPayment,
    outcome: FileOutcome,
    *,
    now: datetime,
    file_key: str,
) -> None:
    inbound.save_unmatched(
        tenant_id,
        f"835#{payer_key}#{trace}#{payment.segment_index}",
        received_at=now,
        reason="835 claim payment for a claim we do not know",
        detail={
            "patientControlNumber": payment.patient_control_number,
            "file": file_key,
            "statusCode": payment.status_code,
            "charge": str(payment.charge),
            "paid": str(payment.paid),
            "traceNumber": trace,
        },
        payer_id=payer_key,
    )

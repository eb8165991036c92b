"""Files from clearinghouses: 999, 277CA, 277 and 835, fetched from a mailbox or uploaded.

Every file is archived unchanged first, then read WHOLE before anything is applied: a file that
cannot be read (or an 835 without its TRN) is answered with a located error, listed for a
person, and nothing of it is applied. Exactly once, by construction:
- a delivery takes the file with a conditional write on its sha256 (a second delivery of the
  same bytes answers with the first one's result, or "in progress");
- an 835 is taken by payer and TRN02 the same way (a re-encoded copy of a posted 835 answers
  with the earlier result);
- every change to a claim is one version-checked write that also records what was applied:
  a payment's key (payer, TRN02, CLP07, CLP01, CLP02) among its postings, an acknowledgment's
  key among `applied`. Two deliveries, identical, re-encoded or split across files, can never
  post a payment or an acknowledgment twice.
What matches no claim is parked in the unmatched queue.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

from chalicelib.claims.acknowledgments import (
    CLEARINGHOUSE_ENTITY_CODES,
    StatusDecision,
    decide_999,
    decide_status,
)
from chalicelib.claims.appeals import settle
from chalicelib.claims.errors import LifecycleError
from chalicelib.claims.lifecycle import Event, Status
from chalicelib.claims.posting import ClaimPayment as PaymentIn
from chalicelib.claims.posting import Posting, post_claim_payment
from chalicelib.claims.records import ClaimEvent, ClaimRecord, with_applied, with_event
from chalicelib.claims.variance import (
    VarianceFlag,
    check_payment,
    check_remittance_balance,
    contract_rate_for,
    duplicate_payment,
    flags_in_force,
)
from chalicelib.claims.worklist import KIND_ACTIONS
from chalicelib.observability import logger, where_raised
from chalicelib.payers.fee_schedules import FeeScheduleVersion
from chalicelib.store import archive, batches, contracts, inbound
from chalicelib.store.errors import ConcurrentUpdateError
from chalicelib.wiring import claim_repository
from chalicelib.x12.envelope import EnvelopeReader, TransactionSet
from chalicelib.x12.errors import X12ReadError
from chalicelib.x12.read.ack999 import Acknowledgment, parse_999
from chalicelib.x12.read.remit835 import ClaimPayment, Remittance, parse_835
from chalicelib.x12.read.status277 import ClaimStatus, ClaimStatusReport, parse_277

from .claims import ClaimNotFoundError, update_claim
from .patients import settle_patient_share

Parsed = Acknowledgment | ClaimStatusReport | Remittance
# How long a delivery holds a file or a remittance it is applying: one Lambda lifetime, so a
# live delivery never loses it and one that crashed is taken over after it.
APPLY_LEASE = timedelta(minutes=15)


# A stored result lists at most this many ids; its counts say how many there were.
MAX_LISTED = 100


class PartialPostingError(Exception):
    """Some claims of a remittance could not be posted: it stays open for the next delivery."""

    def __init__(self, claim_ids: list[str]) -> None:
        self.claim_ids = claim_ids
        super().__init__(f"{len(claim_ids)} claim(s) not posted")


class AlreadyAppliedError(Exception):
    """The claim already carries what this delivery would apply: nothing to do."""


@dataclass(frozen=True, slots=True)
class ReadSet:
    """One transaction set read from a file, with the identity a redelivery keeps: the
    sender (ISA06), ISA13, GS06 and ST02, whatever the bytes around them."""

    identity: str
    parsed: Parsed
    first_index: int
    source: TransactionSet  # its text, for a remittance posted in parts


@dataclass(slots=True)
class FileOutcome:
    """What applying one file did, for the API answer and the run record (ids and codes)."""

    sha256: str
    archive_key: str
    status: str  # applied | posting | duplicate | in_progress | unreadable | refused | failed
    kinds: list[str] = field(default_factory=list)
    claims_updated: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unmatched: int = 0
    errors: list[dict[str, object]] = field(default_factory=list)
    remittances: list[dict[str, object]] = field(default_factory=list)

    def stored(self) -> dict[str, object]:
        """What the file's record keeps: the lists cut to MAX_LISTED, with their counts (one
        DynamoDB item holds 400 KB; a large 835 updates tens of thousands of claims)."""
        lists: dict[str, list[Any]] = {
            "claimsUpdated": list(self.claims_updated),
            "notes": list(self.notes),
            "errors": list(self.errors),
        }
        whole = self.as_dict()
        for name, items in lists.items():
            whole[name] = items[:MAX_LISTED]
            whole[f"{name}Count"] = len(items)
        return whole

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


class PartsPlanner(Protocol):
    """Posts a file's remittances in parts elsewhere (services.remittance_parts.PartsPlan)."""

    def wanted(self, sets: list[ReadSet]) -> bool: ...

    def take(
        self, tenant_id: str, read: ReadSet, outcome: FileOutcome, *, now: datetime, file_key: str
    ) -> None: ...

    def send(self, tenant_id: str, outcome: FileOutcome) -> None: ...

    def abandon(self, tenant_id: str) -> None: ...


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
    addressed_to: str | None = None,
    max_claims: int | None = None,
    parts: PartsPlanner | None = None,
) -> FileOutcome:
    """Archive, read whole, take the file, then apply it. `accept` limits the transaction
    types (an upload route for 835s refuses a 999 rather than applying it by surprise);
    `addressed_to`, the tenant's submitter id at the mailbox the file came from: a file
    addressed (ISA08) to anyone else is archived and reported, never applied; `max_claims`,
    what one request may apply (status `too_large`, nothing applied, above it); `parts`, how
    to post a file with many claims in parts over SQS (status `posting` until the last part
    is done) rather than here."""
    sha = hashlib.sha256(content).hexdigest()
    key = archive.save_raw(content, kind="inbound", source=f"{tenant_id}/{source}")
    outcome = FileOutcome(sha, key, "applied")
    try:
        sets = _read_whole(content, addressed_to)
        if accept is None or {_kind(s.parsed) for s in sets} <= accept:
            _require_trace(sets)
    except X12ReadError as error:
        return _unreadable(tenant_id, outcome, error, name=name, source=source, now=now)
    except Exception as error:  # a reader fault must not stop the mailbox: quarantine the file
        fault = X12ReadError(
            f"the file could not be read ({error.__class__.__name__} at {where_raised(error)})",
            segment_index=0,
            segment_id="",
        )
        return _unreadable(tenant_id, outcome, fault, name=name, source=source, now=now)
    kinds = [_kind(s.parsed) for s in sets]
    claims = sum(len(getattr(s.parsed, "claims", ())) for s in sets)
    if max_claims is not None and claims > max_claims:
        outcome.status = "too_large"
        outcome.kinds = kinds
        outcome.errors.append(
            {
                "code": "too_many_claims",
                "message": f"the file holds {claims:,} claims; one request applies at most "
                f"{max_claims:,} (it could not finish in time): send it through POST "
                "/v1/uploads",
            }
        )
        return outcome
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
    holder = inbound.claim_inbound_file(
        tenant_id, sha, name=name, source=source, now=now, lease=APPLY_LEASE
    )
    if holder is not None:
        outcome.kinds = list(holder.result.get("kinds", kinds))
        if holder.status == "applied":
            outcome.status = "duplicate"
            outcome.remittances = list(holder.result.get("remittances", []))
        else:
            outcome.status = "in_progress"
        return outcome
    in_parts = parts if parts is not None and parts.wanted(sets) else None
    try:
        for read in sets:
            outcome.kinds.append(_kind(read.parsed))
            if in_parts is not None and isinstance(read.parsed, Remittance):
                in_parts.take(tenant_id, read, outcome, now=now, file_key=key)
            else:
                _apply(tenant_id, read, outcome, now=now, file_key=key)
        if in_parts is not None:
            in_parts.send(tenant_id, outcome)
    except Exception as error:  # isolated: the file is kept for a person, the mailbox goes on
        if in_parts is not None:
            in_parts.abandon(tenant_id)
        where = where_raised(error)
        logger.error(
            "inbound file failed", extra={"sha256": sha, "error": error.__class__.__name__}
        )
        outcome.status = "failed"
        outcome.errors.append(
            {"code": "apply_failed", "message": f"{error.__class__.__name__} at {where}"}
        )
        _list_for_operator(tenant_id, outcome, "the file failed while it was applied", now=now)
    else:
        if any(r.get("state") == "in_progress" for r in outcome.remittances):
            outcome.status = "in_progress"
    if outcome.status == "posting":  # its record is the plan; the last part finishes it
        return outcome
    stored = {"in_progress": "deferred"}.get(outcome.status, outcome.status)
    inbound.finish_inbound_file(tenant_id, sha, status=stored, result=outcome.stored())
    return outcome


def _apply(
    tenant_id: str, read: ReadSet, outcome: FileOutcome, *, now: datetime, file_key: str
) -> None:
    item = read.parsed
    if isinstance(item, Acknowledgment):
        _apply_999(tenant_id, item, outcome, now=now, file_key=file_key, identity=read.identity)
    elif isinstance(item, ClaimStatusReport):
        _apply_277(tenant_id, item, outcome, now=now, file_key=file_key, identity=read.identity)
    else:
        _apply_835(tenant_id, item, outcome, now=now, file_key=file_key)


def _unreadable(
    tenant_id: str,
    outcome: FileOutcome,
    error: X12ReadError,
    *,
    name: str,
    source: str,
    now: datetime,
) -> FileOutcome:
    """Nothing of the file is applied: its located error is kept and listed for a person."""
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
        outcome.sha256,
        name=name,
        source=source,
        received_at=now,
        status="unreadable",
        result=outcome.as_dict(),
    )
    _list_for_operator(tenant_id, outcome, error.located(), now=now)
    logger.warning(
        "inbound file unreadable", extra={"sha256": outcome.sha256, "segment": error.segment_id}
    )
    return outcome


def _list_for_operator(tenant_id: str, outcome: FileOutcome, reason: str, *, now: datetime) -> None:
    inbound.save_unmatched(
        tenant_id,
        f"FILE#{outcome.sha256}",
        received_at=now,
        reason=reason,
        detail={"file": outcome.archive_key, "sha256": outcome.sha256, "errors": outcome.errors},
        kind="inbound_file_error",
        suggested_action="read the located error; ask the sender for a corrected file",
    )


def _read_whole(content: bytes, addressed_to: str | None = None) -> list[ReadSet]:
    """Every transaction set of the file, typed; raises before anything is applied."""
    parsed: list[ReadSet] = []
    for ts in EnvelopeReader(content):
        receiver = ts.interchange.receiver_id
        if addressed_to is not None and receiver != addressed_to:
            raise X12ReadError(
                f"the interchange is addressed to {receiver!r} (ISA08), not to this tenant's "
                f"submitter id {addressed_to!r}: another practice's file",
                segment_index=ts.interchange.segment_index,
                segment_id="ISA",
                element_position=8,
            )
        kind = ts.transaction_set_id
        item: Parsed
        if kind == "999":
            item = parse_999(ts)
        elif kind == "277":
            item = parse_277(ts)
        elif kind == "835":
            item = parse_835(ts)
        else:
            raise X12ReadError(
                f"transaction set {kind} is not an inbound clearinghouse file (999, 277, 835)",
                segment_index=ts.first_index,
                segment_id="ST",
                element_position=1,
            )
        parsed.append(ReadSet(_identity(ts), item, ts.first_index, ts))
    if not parsed:
        raise X12ReadError("the file holds no transaction set", segment_index=0, segment_id="")
    return parsed


def _identity(ts: TransactionSet) -> str:
    sender = ts.interchange.sender_id.strip()
    return f"{sender}|{ts.interchange.control_number}|{ts.group.control_number}|{ts.control_number}"


def _require_trace(sets: list[ReadSet]) -> None:
    """005010X221A1 TRN (reassociation trace number, after BPR) is required: it is how a
    payment is matched to its deposit and posted once. An 835 without it is refused whole."""
    for read in sets:
        if isinstance(read.parsed, Remittance) and not read.parsed.trace_number:
            raise X12ReadError(
                f"835 {read.parsed.control_number} has no TRN (reassociation trace number), "
                "required by 005010X221A1 after BPR: the payment cannot be posted once",
                segment_index=read.first_index,
                segment_id="TRN",
                element_position=2,
            )


def _move(
    tenant_id: str,
    record: ClaimRecord,
    decision: StatusDecision,
    outcome: FileOutcome,
    *,
    now: datetime,
    source: str,
    detail: Mapping[str, str],
    applied_key: str,
    posting: Posting | None = None,
    flags: tuple[VarianceFlag, ...] = (),
    **changes: object,
) -> None:
    """Apply a decision in one version-checked write that also records `applied_key` (for a
    payment: its posting, whose key is the same); a claim that already carries the key is
    left as it is. An event the lifecycle refuses is recorded as a note, never dropped. On a
    concurrent update the claim is read again and the change re-applied to it as it is now,
    so two different remittances posted at once both stay and the same one never twice."""

    def change(
        current: ClaimRecord, event: Event, extra: Mapping[str, str]
    ) -> tuple[ClaimRecord, tuple[ClaimEvent, ...]]:
        if posting is not None:
            if any(posting_key(p) == applied_key for p in current.remittances):
                raise AlreadyAppliedError(applied_key)
            changes["remittances"] = (*current.remittances, posting)
            if current.appeals:  # a payment after an appeal may be its answer
                postings = changes["remittances"]
                changes["appeals"] = settle(current.appeals, postings, now)  # type: ignore[arg-type]
        elif applied_key in current.applied:
            raise AlreadyAppliedError(applied_key)
        if flags or posting is not None:
            postings = changes.get("remittances", current.remittances)
            changes["flags"] = flags_in_force((*current.flags, *flags), postings)  # type: ignore[arg-type]
        updated, entry = with_event(
            current,
            event,
            at=now,
            source=source,
            codes=decision.codes,
            detail={**detail, **extra},
            **changes,
        )
        if posting is None:
            updated = with_applied(updated, applied_key)
        return updated, (entry,)

    try:
        update_claim(
            tenant_id, record.claim_id, lambda r: change(r, decision.event, {}), read=record
        )
        outcome.claims_updated.append(record.claim_id)
    except AlreadyAppliedError:
        return
    except LifecycleError:
        refused = {"refused": decision.event.value}
        try:
            update_claim(tenant_id, record.claim_id, lambda r: change(r, Event.NOTE, refused))
        except AlreadyAppliedError:
            return
        outcome.notes.append(record.claim_id)
    except (ClaimNotFoundError, ConcurrentUpdateError) as error:
        outcome.errors.append({"code": error.__class__.__name__, "claimId": record.claim_id})


def posting_key(posting: Posting) -> str:
    """What identifies one payment on a claim: payer, TRN02, CLP07, CLP01 and CLP02 (a
    reversal, CLP02 22, carries the CLP07 of the payment it takes back, in the same 835)."""
    ids = (
        posting.payer_id,
        posting.trace_number,
        posting.payer_claim_control_number,
        posting.patient_control_number,
        posting.status_code,
    )
    return "835|" + "|".join(ids)


def _apply_999(
    tenant_id: str,
    ack: Acknowledgment,
    outcome: FileOutcome,
    *,
    now: datetime,
    file_key: str,
    identity: str,
) -> None:
    batch = batches.load_batch(tenant_id, ack.group_control_number.zfill(9))
    if batch is None:
        outcome.unmatched += 1
        inbound.save_unmatched(
            tenant_id,
            f"999#{identity}",
            received_at=now,
            reason="999 for an interchange we did not send",
            detail={"groupControlNumber": ack.group_control_number, "file": file_key},
            kind="inbound_file_error",
            suggested_action="check which interchange the clearinghouse acknowledged",
        )
        return
    sets = {s.control_number.lstrip("0"): s for s in ack.sets}
    detail = {"file": file_key, "interchange": batch.control_number}
    for claim_id in batch.claim_ids:
        record = claim_repository().load_claim(tenant_id, claim_id)
        if record is None:
            continue
        set_ack = sets.get(batch.control_number.lstrip("0"))
        if set_ack is not None:
            decision = decide_999(set_ack)
        elif ack.group_status in ("A", "E", "P"):
            decision = StatusDecision(Event.ACK_ACCEPTED, (f"AK9:{ack.group_status}",))
        else:
            decision = StatusDecision(Event.ACK_REJECTED, (f"AK9:{ack.group_status}",))
        _move(
            tenant_id,
            record,
            decision,
            outcome,
            now=now,
            source="999",
            detail=detail,
            applied_key=f"999|{identity}",
        )


def find_claim(
    tenant_id: str, pcn: str | None, payer_id: str | None, payer_number: str | None = None
) -> ClaimRecord | None:
    """CLM01 echoed back (277CA TRN02, 277 REF*EJ, 835 CLP01), narrowed by payer when the
    tenant has the same patient control number with several payers (e.g. a secondary). An
    original and its replacement share CLM01: the payer's claim number (835 CLP07) tells
    them apart, so a reversal of the original lands on the original."""
    if not pcn:
        return None
    page = claim_repository().claims_by_patient_control_number(tenant_id, pcn)
    for unreadable in page.unreadable:  # left out of matching, and said so
        logger.warning("claim unreadable", extra={"claim_id": unreadable.claim_id})
    candidates = list(page.claims)
    if payer_id:
        for_payer = [c for c in candidates if c.payer_id == payer_id]
        candidates = for_payer or candidates
    if payer_number:
        numbered = [c for c in candidates if c.payer_claim_control_number == payer_number]
        if numbered:
            return max(numbered, key=lambda c: c.created_at)
        # A new number: not a claim whose adjudication carries another one.
        unnumbered = [c for c in candidates if not c.payer_claim_control_number]
        candidates = unnumbered or candidates
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
    identity: str,
) -> None:
    source = report.sources[0].party if report.sources else None
    from_clearinghouse = bool(source and source.entity_code in CLEARINGHOUSE_ENTITY_CODES)
    payer_id = source.identifier if source and not from_clearinghouse else None
    for status in report.claims:
        record = find_claim(tenant_id, status.patient_control_number, payer_id)
        if record is None:
            _park_status(
                tenant_id, report, status, outcome, now=now, file_key=file_key, identity=identity
            )
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
            applied_key=f"{report.kind}|{identity}|{status.segment_index}",
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
    identity: str,
) -> None:
    outcome.unmatched += 1
    inbound.save_unmatched(
        tenant_id,
        f"{report.kind}#{identity}#{status.segment_index}",
        received_at=now,
        reason=f"{report.kind} status for a claim we do not know",
        detail={
            "patientControlNumber": status.patient_control_number or "",
            "file": file_key,
            "segmentIndex": status.segment_index,
        },
        kind="unmatched_status",
        suggested_action=KIND_ACTIONS["unmatched_status"],
    )


def remit_payer_key(remittance: Remittance) -> str:
    """Who paid: N1*PR's id (Loop 1000A), else TRN03 (the payer's originating company)."""
    if remittance.payer and remittance.payer.id:
        return remittance.payer.id
    return remittance.trace.payer_id if remittance.trace else "unknown"


def take_remittance(
    tenant_id: str, remittance: Remittance, outcome: FileOutcome, *, now: datetime, file_key: str
) -> dict[str, object] | None:
    """Take the right to post the remittance (payer and TRN02): its summary to complete, or
    None when another delivery holds it or posted it (then the outcome says which)."""
    payer_key = remit_payer_key(remittance)
    trace = remittance.trace_number or ""  # present: files without it are refused first
    payment = remittance.payment
    summary: dict[str, object] = {
        "payer": payer_key,
        "traceNumber": trace,
        "totalPaid": str(payment.total_paid),
        # The deposit, as the cash report reconciles it: BPR16 (check or EFT date; the day it
        # was posted when the 835 has none), BPR04, what the claims paid (CLP04) and the
        # provider-level adjustments (PLB).
        "paymentDate": (payment.effective_date or now.date()).isoformat(),
        "method": payment.method,
        "claimsPaid": str(sum((c.paid for c in remittance.claims), Decimal(0))),
        "providerAdjustments": str(
            sum((a.amount for a in remittance.provider_adjustments), Decimal(0))
        ),
    }
    holder = inbound.claim_remittance(
        tenant_id, payer_key, trace, archive_key=file_key, now=now, lease=APPLY_LEASE
    )
    if holder is None:
        return summary
    if holder.result.get("state") == "posted":
        outcome.remittances.append({**holder.result, "duplicate": True})
    else:  # another delivery is posting it right now (or its parts are): it answers for it
        outcome.remittances.append({**summary, "state": "in_progress"})
    return None


def _apply_835(
    tenant_id: str,
    remittance: Remittance,
    outcome: FileOutcome,
    *,
    now: datetime,
    file_key: str,
) -> None:
    summary = take_remittance(tenant_id, remittance, outcome, now=now, file_key=file_key)
    if summary is None:
        return
    try:
        _post_remittance(tenant_id, remittance, outcome, summary, now=now, file_key=file_key)
    except Exception:  # the next delivery resumes
        inbound.abandon_remittance(tenant_id, str(summary["payer"]), str(summary["traceNumber"]))
        raise


def imbalances(remittance: Remittance) -> list[dict[str, object]]:
    """Where the remittance does not balance (BPR02 against CLP04 and PLB), as answers show it."""
    return [_imbalance(flag) for flag in check_remittance_balance(remittance)]


def _post_remittance(
    tenant_id: str,
    remittance: Remittance,
    outcome: FileOutcome,
    summary: dict[str, object],
    *,
    now: datetime,
    file_key: str,
) -> None:
    """Post each claim payment on its claim. One claim that fails is isolated: the others are
    posted, and the remittance is left open (PartialPostingError) so that the next delivery
    posts what is missing, the payments already on their claims skipped by their keys."""
    payer_key, trace = str(summary["payer"]), str(summary["traceNumber"])
    done = post_claims(tenant_id, remittance, outcome, now=now, file_key=file_key)
    if done.failed:
        raise PartialPostingError(done.failed)
    summary.update(
        {
            "imbalances": imbalances(remittance),
            "state": "posted",
            "claimsPosted": done.posted[:MAX_LISTED],  # the record's size is bounded
            "claimsPostedCount": len(done.posted),
            "unmatched": done.unmatched,
            "findings": len(remittance.findings),
        }
    )
    inbound.finish_remittance(tenant_id, payer_key, trace, summary)
    outcome.remittances.append(summary)


@dataclass(slots=True)
class PostedClaims:
    """What posting a remittance's claims did: the claims posted (or already carrying the
    payment), the payments that matched no claim, the claims that failed."""

    posted: list[str] = field(default_factory=list)
    unmatched: int = 0
    failed: list[str] = field(default_factory=list)


def post_claims(
    tenant_id: str, remittance: Remittance, outcome: FileOutcome, *, now: datetime, file_key: str
) -> PostedClaims:
    """Post each claim payment of the remittance (or of one part of it) on its claim; what
    matches no claim is parked; one claim that fails never stops the others."""
    payer_key, trace = remit_payer_key(remittance), remittance.trace_number or ""
    done = PostedClaims()
    contract = contracts.load_fee_schedules(tenant_id, payer_key)
    for payment in remittance.claims:
        record = find_claim(
            tenant_id,
            payment.patient_control_number,
            payer_key,
            payment.payer_claim_control_number or None,
        )
        if record is None:
            done.unmatched += 1
            _park_payment(tenant_id, payer_key, trace, payment, outcome, now=now, file_key=file_key)
            continue
        try:
            done.unmatched += _post_payment(
                tenant_id,
                record,
                remittance,
                payment,
                contract,
                outcome,
                now=now,
                file_key=file_key,
            )
        except Exception as error:
            logger.error(
                "posting failed",
                extra={"claim_id": record.claim_id, "error": error.__class__.__name__},
            )
            outcome.errors.append(
                {
                    "code": "posting_failed",
                    "claimId": record.claim_id,
                    "message": f"{error.__class__.__name__} at {where_raised(error)}",
                }
            )
            done.failed.append(record.claim_id)
            continue
        done.posted.append(record.claim_id)
    outcome.unmatched += done.unmatched
    return done


def _imbalance(flag: VarianceFlag) -> dict[str, object]:
    """A remittance that does not balance, as the upload's answer shows it."""
    return {
        "patientControlNumber": flag.patient_control_number,
        "procedureCode": flag.procedure_code,
        "expected": str(flag.expected),
        "actual": str(flag.actual),
        "difference": str(flag.difference),
        "detail": flag.detail,
    }


def _post_payment(
    tenant_id: str,
    record: ClaimRecord,
    remittance: Remittance,
    payment: ClaimPayment,
    contract: list[FeeScheduleVersion],
    outcome: FileOutcome,
    *,
    now: datetime,
    file_key: str,
) -> int:
    """Post one claim payment of an 835 on its claim; returns how many of its lines matched
    no line."""
    return post_payment(
        tenant_id,
        record,
        payment,
        payer_key=remit_payer_key(remittance),
        trace=remittance.trace_number or "",
        payment_date=remittance.payment.effective_date,
        contract=contract,
        outcome=outcome,
        now=now,
        file_key=file_key,
    )


def post_payment(
    tenant_id: str,
    record: ClaimRecord,
    payment: PaymentIn,
    *,
    payer_key: str,
    trace: str,
    payment_date: date | None,
    contract: list[FeeScheduleVersion],
    outcome: FileOutcome,
    now: datetime,
    file_key: str,
    source: str = "835",
) -> int:
    """Post one claim payment (an 835's, or a paper EOB keyed by hand) on its claim, in one
    version-checked write with its lifecycle event, payment checks and secondary billing;
    returns how many of its lines matched no line. A claim that already carries the payment
    is left as it is (the claim id is then not in `outcome.claims_updated`)."""
    claim = record.claim
    posting = post_claim_payment(
        claim,
        payment,
        trace_number=trace,
        payer_id=payer_key,
        payment_date=payment_date,
    )
    for line in posting.unmatched_lines:
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
    flags += _unreversed_original(tenant_id, record, posting)
    _move(
        tenant_id,
        record,
        decision,
        outcome,
        now=now,
        source=source,
        detail={
            "file": file_key,
            "traceNumber": trace,
            "statusCode": payment.status_code,
            "paid": str(payment.paid),
        },
        applied_key=posting_key(posting),
        posting=posting,
        payer_claim_control_number=payment.payer_claim_control_number or None,
        flags=flags,
        # Other payers on file: secondary routing decides what the next payer gets.
        **(
            {"next_action": "secondary", "due_at": now}
            if claim.claim_information.other_subscribers and not posting.is_reversal
            else {}
        ),
    )
    # The patient's share, once the last payer has finished; after a second delivery too
    # (the posting is then on the claim already), so a share that failed to write is repaired.
    key = posting_key(posting)
    postings = record.remittances
    if not any(posting_key(p) == key for p in postings):
        postings = (*postings, posting)
    settle_patient_share(
        tenant_id,
        claim_id=record.claim_id,
        claim=claim,
        postings=postings,
        parent_claim_id=record.parent_claim_id,
        now=now,
    )
    return len(posting.unmatched_lines)


def _unreversed_original(
    tenant_id: str, record: ClaimRecord, posting: Posting
) -> tuple[VarianceFlag, ...]:
    """A replacement paid while its original keeps a payment: flagged, never counted twice."""
    if not record.replaces_claim_id or record.frequency_code != "7" or posting.paid <= 0:
        return ()
    original = claim_repository().load_claim(tenant_id, record.replaces_claim_id)
    if original is None or original.status in (Status.REVERSED, Status.CLOSED):
        return ()
    return (duplicate_payment(posting, original.claim_id),)


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

"""Large 835s posted in parts over SQS: a file with more claims than one part is read whole and
checked as any file (nothing of a bad file is applied), each of its remittances is taken as
usual (payer and TRN02) and cut into parts of whole claims (x12.read.remit835_parts); each part
is one message, posted by the `remittance-parts-worker` with the rules of every posting.

Exactly once, by construction:
- each payment on a claim is one version-checked write that records its posting key, so a
  part delivered twice (or re-sent by a delivery that took the file over) never posts twice;
- a part is recorded done with one conditional write on the file's record (`parts_done`,
  the part's counts added in the same write): its counts are added once;
- the write that records the last part sees every part done and marks the remittance posted;
  the one that completes the file moves it from `posting` to `applied` (conditional), and its
  upload with it.
A part that fails names its claims on the file's progress and is retried by SQS, then
dead-lettered (an alarm, and the worklist, tell a person); the other parts go on.

Order of writes: the file's plan (`posting`, parts_total) before the first message, so the
last part always finds it; the leases on the file and its remittances are given back only
once every message is sent, so a delivery that died sending is taken over and sends them
again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from chalicelib.actor import Actor, acting_as
from chalicelib.codec import decode, encode
from chalicelib.config import settings
from chalicelib.observability import logger
from chalicelib.store import inbound as store
from chalicelib.store import uploads as upload_store
from chalicelib.store.errors import ConcurrentUpdateError
from chalicelib.store.models import InboundFileItem
from chalicelib.x12.envelope import FunctionalGroup, Interchange, TransactionSet
from chalicelib.x12.read.remit835 import parse_835
from chalicelib.x12.read.remit835_model import Remittance
from chalicelib.x12.read.remit835_parts import RemittancePart, split_835

from .eligibility_batches import KIND as ELIGIBILITY_BATCH
from .eligibility_batches import work_message
from .eligibility_recheck import KIND as CLAIM_ELIGIBILITY
from .eligibility_recheck import work_message as check_claims
from .inbound import (
    FileOutcome,
    ReadSet,
    imbalances,
    post_claims,
    take_remittance,
)

Fanout = Callable[[Sequence[str]], None]  # sends message bodies to the parts queue


@dataclass(frozen=True, slots=True)
class PartMessage:
    """One part, self-contained: which file and remittance it belongs to, the envelope it
    was read under and its own ST..SE text (PHI: the queue is encrypted, never logged)."""

    tenant_id: str
    sha256: str
    archive_key: str
    upload_id: str | None
    payer_key: str
    trace_number: str
    set_index: int  # which 835 of the file
    number: int  # which part of that 835, from 0
    parts: int  # how many parts that 835 has
    interchange: Interchange
    group: FunctionalGroup
    control_number: str
    implementation_reference: str | None
    first_index: int
    text: str

    @property
    def key(self) -> str:
        return f"{self.set_index}:{self.number}"


@dataclass(slots=True)
class PartsPlan:
    """How one delivery posts a large file: where the parts go, the upload they belong to."""

    fanout: Fanout
    upload_id: str | None = None
    max_claims: int = field(default_factory=lambda: settings().part_claims)
    max_chars: int = field(default_factory=lambda: settings().part_chars)
    _parts: list[tuple[ReadSet, dict[str, object], list[RemittancePart]]] = field(
        default_factory=list
    )

    def wanted(self, sets: Sequence[ReadSet]) -> bool:
        """Parts only for a file with more 835 claims than one part holds."""
        claims = sum(len(s.parsed.claims) for s in sets if isinstance(s.parsed, Remittance))
        return claims > self.max_claims

    def take(
        self, tenant_id: str, read: ReadSet, outcome: FileOutcome, *, now: datetime, file_key: str
    ) -> None:
        """Take one remittance of the file (as a whole posting would) and cut it."""
        assert isinstance(read.parsed, Remittance)
        remittance = read.parsed
        summary = take_remittance(tenant_id, remittance, outcome, now=now, file_key=file_key)
        if summary is None:
            return
        parts = split_835(read.source, max_claims=self.max_claims, max_chars=self.max_chars)
        summary.update(
            {
                "state": "in_parts",
                "parts": len(parts),
                "claims": len(remittance.claims),
                "imbalances": imbalances(remittance),  # the whole payment, balanced once
                "findings": len(remittance.findings),
            }
        )
        payer, trace = str(summary["payer"]), str(summary["traceNumber"])
        store.plan_remittance(tenant_id, payer, trace, summary)
        self._parts.append((read, summary, parts))
        outcome.remittances.append(summary)

    def send(self, tenant_id: str, outcome: FileOutcome) -> None:
        """Write the file's plan, send every part, then give the leases back."""
        if not self._parts:
            return
        messages = [
            _message(tenant_id, outcome, self.upload_id, set_index, read, summary, part, parts)
            for set_index, (read, summary, parts) in enumerate(self._parts)
            for part in parts
        ]
        outcome.status = "posting"
        store.plan_parts(
            tenant_id, outcome.sha256, parts_total=len(messages), result=outcome.stored()
        )
        self.fanout([json.dumps(encode(message)) for message in messages])
        for _read, summary, _parts in self._parts:
            store.release_remittance(tenant_id, str(summary["payer"]), str(summary["traceNumber"]))
        store.release_file(tenant_id, outcome.sha256)

    def abandon(self, tenant_id: str) -> None:
        """Sending failed: the remittances can be taken again at once (the file is `failed`)."""
        for _read, summary, _parts in self._parts:
            store.abandon_remittance(tenant_id, str(summary["payer"]), str(summary["traceNumber"]))


def _message(
    tenant_id: str,
    outcome: FileOutcome,
    upload_id: str | None,
    set_index: int,
    read: ReadSet,
    summary: dict[str, object],
    part: RemittancePart,
    parts: list[RemittancePart],
) -> PartMessage:
    ts = read.source
    return PartMessage(
        tenant_id=tenant_id,
        sha256=outcome.sha256,
        archive_key=outcome.archive_key,
        upload_id=upload_id,
        payer_key=str(summary["payer"]),
        trace_number=str(summary["traceNumber"]),
        set_index=set_index,
        number=part.number,
        parts=len(parts),
        interchange=ts.interchange,
        group=ts.group,
        control_number=ts.control_number,
        implementation_reference=ts.implementation_reference,
        first_index=part.first_index,
        text=part.text,
    )


class PartFailedError(Exception):
    """Some claims of the part could not be posted: SQS retries the part."""


def post_part(body: str, *, now: datetime) -> str:
    """Post one part's claims and record it done. Returns what happened: `posted`, or
    `skipped` (done already, or its file no longer being posted). Raises PartFailedError when
    a claim failed (the others are posted; the retry skips them by their posting keys)."""
    message = decode(PartMessage, json.loads(body))
    tenant_id, sha = message.tenant_id, message.sha256
    file = store.load_inbound_file(tenant_id, sha)
    if file is None or file.status != "posting" or message.key in (file.parts_done or set()):
        return "skipped"
    remittance = parse_835(
        TransactionSet(
            interchange=message.interchange,
            group=message.group,
            transaction_set_id="835",
            control_number=message.control_number,
            implementation_reference=message.implementation_reference,
            text=message.text,
            first_index=message.first_index,
        )
    )
    outcome = FileOutcome(sha, message.archive_key, "applied")
    done = post_claims(tenant_id, remittance, outcome, now=now, file_key=message.archive_key)
    worklist_key = f"PART#{sha}#{message.key}"
    if done.failed:
        store.fail_part(tenant_id, sha, message.key, done.failed)
        store.save_unmatched(
            tenant_id,
            worklist_key,
            received_at=now,
            reason=f"part {message.number + 1} of {message.parts} of an 835 failed "
            f"for {len(done.failed)} claim(s); it is retried, then dead-lettered",
            detail={"file": message.archive_key, "claimIds": done.failed},
            kind="inbound_file_error",
            suggested_action="look at the claims named; redrive the part from the dead-letter "
            "queue once they are fixed",
        )
        raise PartFailedError(f"{len(done.failed)} claim(s) of part {message.key} not posted")
    if message.key in _failed_parts(file):
        store.resolve_unmatched(tenant_id, worklist_key)  # it failed before, not any more
    after = store.finish_part(
        tenant_id, sha, message.key, posted=len(done.posted), unmatched=done.unmatched
    )
    if after is None:
        return "skipped"  # another delivery of the same part recorded it first
    finished = after.parts_done or set()
    prefix = f"{message.set_index}:"
    if sum(1 for key in finished if key.startswith(prefix)) == message.parts:
        _finish_remittance(message)
    if len(finished) == after.parts_total:
        _finish_file(after, message, now=now)
    return "posted"


def _finish_remittance(message: PartMessage) -> None:
    """The remittance's last part is done: it is posted (later copies answer duplicate)."""
    record = store.load_remittance(message.tenant_id, message.payer_key, message.trace_number)
    result = dict(record.result) if record is not None else {}
    store.finish_remittance(
        message.tenant_id, message.payer_key, message.trace_number, {**result, "state": "posted"}
    )


def _finish_file(after: InboundFileItem, message: PartMessage, *, now: datetime) -> None:
    result = dict(after.result)
    result.update(
        {
            "status": "applied",
            "remittances": [
                {**r, "state": "posted"} if r.get("state") == "in_parts" else r
                for r in result.get("remittances", [])
                if isinstance(r, dict)
            ],
            "claimsUpdatedCount": int(after.claims_posted or 0)
            + int(result.get("claimsUpdatedCount", 0) or 0),
            "unmatched": int(after.claims_unmatched or 0) + int(result.get("unmatched", 0) or 0),
            "parts": int(after.parts_total or 0),
        }
    )
    if not store.finish_posting(message.tenant_id, message.sha256, result):
        return
    logger.info("file posted in parts", extra={"sha256": message.sha256, "parts": result["parts"]})
    if message.upload_id is not None:
        _finish_upload(message.tenant_id, message.upload_id, result, now=now)


def _finish_upload(
    tenant_id: str, upload_id: str, result: dict[str, object], *, now: datetime
) -> None:
    """The upload shows the file applied, whoever wrote it last (a version race is read
    again; the planner's own write of `posting` loses to this one by its version)."""
    for _attempt in range(5):
        upload = upload_store.load_upload(tenant_id, upload_id)
        if upload is None or upload.status not in (upload_store.PROCESSING, "posting"):
            return
        summary = {**upload.result, **_upload_summary(result)}
        try:
            upload_store.save_upload(
                replace(upload, status="applied", finished_at=now, due_at=None, result=summary)
            )
        except ConcurrentUpdateError:
            continue
        return


def _upload_summary(result: dict[str, object]) -> dict[str, object]:
    return {
        "claimsUpdated": result.get("claimsUpdatedCount", 0),
        "unmatched": result.get("unmatched", 0),
        "remittances": result.get("remittances", []),
        "parts": result.get("parts", 0),
    }


def progress(tenant_id: str, sha256: str) -> dict[str, object] | None:
    """A file being posted in parts, as its upload shows it: parts done of all, claims
    posted and unmatched so far, and the claims of any part that failed."""
    file = store.load_inbound_file(tenant_id, sha256)
    if file is None or file.parts_total is None:
        return None
    failed = _failed_parts(file)
    return {
        "fileStatus": file.status,
        "partsTotal": int(file.parts_total),
        "partsDone": len(file.parts_done or ()),
        "claimsPosted": int(file.claims_posted or 0),
        "claimsUnmatched": int(file.claims_unmatched or 0),
        "failedParts": [{"part": key, "claimIds": ids} for key, ids in sorted(failed.items())],
    }


def _failed_parts(file: InboundFileItem) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if file.failed_parts is not None:
        found.update(file.failed_parts.attribute_values)
    return found


def _handle(record: SQSRecord) -> None:
    """One message of the work queue: a part of a large 835, ten inquiries of an eligibility
    batch, or ten claims waiting for their coverage check (`kind`)."""
    from chalicelib.clock import utcnow

    kind = json.loads(record.body).get("kind")
    if kind == ELIGIBILITY_BATCH:
        with acting_as(Actor("worker:eligibility-batches")):
            work_message(record.body, now=utcnow())
        return
    if kind == CLAIM_ELIGIBILITY:
        with acting_as(Actor("worker:eligibility-recheck")):
            check_claims(record.body, now=utcnow())
        return
    with acting_as(Actor("worker:remittance-parts")):
        post_part(record.body, now=utcnow())


def handle_part_messages(event: dict[str, Any]) -> PartialItemFailureResponse:
    """The SQS side: each record one part; a part that fails is reported back alone (an
    answer, not an exception: the batch is one part, and its failure is not the function's)."""
    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    with processor(records=event["Records"], handler=_handle):
        processor.process()
    return processor.response()


__all__ = [
    "PartFailedError",
    "PartMessage",
    "PartsPlan",
    "handle_part_messages",
    "post_part",
    "progress",
]

"""Files too large for a request body come through S3: the client announces the upload
(`POST /v1/uploads`), sends the file straight to S3 with the presigned POST it gets back, and
the object's arrival starts the same processing as the direct routes (an 835 posted, a 999 /
277CA / 277 applied, an 837P file's claims scrubbed and queued).

The arrival is noticed twice over: the S3 event (at least once) and the `uploads` schedule,
which also looks at every upload still waiting (an event can be lost) and lets an
unfinished one be taken over after its lease. Whoever moves the upload from waiting to
processing, by a write at the version read, applies the file; the others leave it. The file
itself is deduplicated by sha256 as on every route, so two uploads of the same bytes apply
it once.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta

from chalicelib.config import settings
from chalicelib.observability import logger, where_raised
from chalicelib.schedules.runs import Run
from chalicelib.store import uploads as store
from chalicelib.store.errors import ConcurrentUpdateError
from chalicelib.store.queue import send_part_messages
from chalicelib.store.uploads import PROCESSING, WAITING, Upload
from chalicelib.wiring import contract_check
from chalicelib.x12.errors import X12ReadError

from .claim_files import TooManyClaimsError, submit_claim_file
from .errors import RefusedError
from .inbound import receive_file
from .remittance_parts import PartsPlan, progress

__all__ = ["KINDS", "Upload", "get_upload", "received", "run_uploads", "start_upload", "take"]

# What each kind takes, as on the direct routes (None: an 837P claim file).
KINDS: dict[str, frozenset[str] | None] = {
    "remittance": frozenset({"835"}),
    "acknowledgment": frozenset({"999", "277CA", "277"}),
    "claim-file": None,
}
POST_VALID_FOR = timedelta(minutes=15)
LOOK_AGAIN = timedelta(minutes=1)
LEASE = timedelta(minutes=15)  # a Lambda's lifetime: a processor that died is taken over
UPLOADS_PER_RUN = 200
MAX_PROBLEMS = 20  # an upload keeps counts and the first problems, not one row per claim


def start_upload(
    tenant_id: str, *, kind: str, file_name: str, now: datetime
) -> tuple[Upload, dict[str, object]]:
    """The upload record and the presigned POST for its file."""
    if kind not in KINDS:
        raise RefusedError("invalid_kind", f"kind must be one of {', '.join(KINDS)}")
    upload = store.save_upload(
        Upload(
            tenant_id=tenant_id,
            upload_id=f"up_{uuid.uuid4().hex}",
            kind=kind,
            file_name=file_name,
            status=WAITING,
            created_at=now,
            expires_at=now + POST_VALID_FOR,
            due_at=now,  # the next sweep looks for its file
        )
    )
    form = store.presigned_post(
        store.object_key(tenant_id, upload.upload_id),
        max_bytes=settings().upload_max_bytes,
        expires_in=int(POST_VALID_FOR.total_seconds()),
    )
    return upload, form


def get_upload(tenant_id: str, upload_id: str) -> Upload:
    """The upload; while its file is posted in parts (`posting`, or `in_progress` behind
    another delivery of the same bytes), with the parts' progress read live."""
    found = store.load_upload(tenant_id, upload_id)
    if found is None:
        raise RefusedError("not_found", "no such upload")
    sha = found.result.get("sha256")
    if found.status in ("posting", "in_progress") and isinstance(sha, str):
        now = progress(tenant_id, sha)
        if now is not None:
            return replace(found, result={**found.result, "progress": now})
    return found


def received(keys: Iterable[str], *, now: datetime) -> int:
    """S3 said these objects arrived: apply each upload's file (once). Returns how many this
    call applied."""
    applied = 0
    for key in keys:
        found = store.parse_object_key(key)
        if found is None:
            logger.warning("object outside the uploads prefix", extra={"key_prefix": key[:8]})
            continue
        upload = store.load_upload(*found)
        if upload is not None and take(upload, now=now) is not None:
            applied += 1
    return applied


def run_uploads(run: Run, *, now: datetime) -> None:
    """Every upload still waiting for its file or left unfinished: apply it if its file is
    there, expire it when its POST can no longer come."""
    for upload in store.due_uploads(now, limit=UPLOADS_PER_RUN):
        run.examined += 1
        try:
            done = take(upload, now=now)
        except Exception as error:  # one upload never stops the others
            run.fail(
                f"upload failed: {error.__class__.__name__} at {where_raised(error)}",
                tenant_id=upload.tenant_id,
                code="upload_failed",
            )
            continue
        if done is not None:
            run.acted += 1
            run.count(f"uploads_{done.status}")


def take(upload: Upload, *, now: datetime) -> Upload | None:
    """Apply the upload's file if it is there and nobody else is applying it; the finished
    upload, or None when there was nothing for this caller to do."""
    if upload.status not in (WAITING, PROCESSING):
        return None
    if upload.status == PROCESSING and upload.due_at is not None and upload.due_at > now:
        return None  # another caller holds it
    key = store.object_key(upload.tenant_id, upload.upload_id)
    size = store.object_size(key)
    if size is None:
        _wait(upload, now)
        return None
    try:
        taken = store.save_upload(
            replace(
                upload,
                status=PROCESSING,
                size=size,
                received_at=upload.received_at or now,
                due_at=now + LEASE,
            )
        )
    except ConcurrentUpdateError:
        return None  # taken by the event or the schedule running beside this one
    if size > settings().upload_max_bytes:
        status, result = "refused", _problem("too_large", "the file is larger than allowed")
    else:
        status, result = _apply(taken, store.read_object(key), now)
    try:
        return store.save_upload(
            replace(taken, status=status, finished_at=now, due_at=None, result=result)
        )
    except ConcurrentUpdateError:
        return None  # taken over after the lease: its result stands


def _wait(upload: Upload, now: datetime) -> None:
    """No file yet: look again in a minute, or give up once the POST can no longer come."""
    if now > upload.expires_at + LOOK_AGAIN:
        changed = replace(upload, status="expired", finished_at=now, due_at=None)
    else:
        changed = replace(upload, due_at=now + LOOK_AGAIN)
    try:
        store.save_upload(changed)
    except ConcurrentUpdateError:
        return


def _apply(upload: Upload, content: bytes, now: datetime) -> tuple[str, dict[str, object]]:
    accept = KINDS[upload.kind]
    if accept is not None:
        outcome = receive_file(
            upload.tenant_id,
            content,
            name=upload.file_name,
            source=f"upload-{upload.kind}",
            now=now,
            accept=accept,
            parts=PartsPlan(fanout=send_part_messages, upload_id=upload.upload_id),
        )
        return outcome.status, {
            "sha256": outcome.sha256,
            "archiveKey": outcome.archive_key,
            "kinds": sorted(set(outcome.kinds)),
            "claimsUpdated": len(outcome.claims_updated),
            "unmatched": outcome.unmatched,
            "notes": len(outcome.notes),
            "remittances": outcome.remittances[:MAX_PROBLEMS],
            "errors": outcome.errors[:MAX_PROBLEMS],
            "errorCount": len(outcome.errors),
        }
    from .claims import new_claim_id

    try:
        answer = submit_claim_file(
            upload.tenant_id,
            content,
            now=now,
            new_claim_id=new_claim_id,
            contract_check=contract_check(),
            max_claims=settings().claim_file_max_claims,
        )
    except TooManyClaimsError as error:
        return "refused", _problem(
            "too_many_claims",
            f"the file holds {error.claims:,} claims; one claim-file upload creates at most "
            f"{error.limit:,} (it must finish within one invocation): split the file",
        )
    except X12ReadError as error:
        return "unreadable", {
            "errors": [
                {
                    "code": "x12_unreadable",
                    "message": error.located(),
                    "segmentIndex": error.segment_index,
                    "segmentId": error.segment_id,
                    "elementPosition": error.element_position,
                }
            ],
            "errorCount": 1,
        }
    claims = answer.get("claims")
    entries = claims if isinstance(claims, list) else []
    refused = [e for e in entries if isinstance(e, dict) and e.get("errors")]
    return "applied", {
        "archiveKey": answer.get("archiveKey"),
        "claims": len(entries),
        "accepted": answer.get("accepted"),
        "rejected": answer.get("rejected"),
        "claimIds": [e.get("claimId") for e in entries[:MAX_PROBLEMS] if isinstance(e, dict)],
        "refusedClaims": refused[:MAX_PROBLEMS],
    }


def _problem(code: str, message: str) -> dict[str, object]:
    return {"errors": [{"code": code, "message": message}], "errorCount": 1}

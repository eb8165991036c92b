"""Claims to paper-only payers: printed on the CMS-1500 into the tenant's print queue instead
of sent as an 837P, and the queue as billers work it (list, fetch the PDF, mark printed).

Exactly once: the poll takes each due claim with a version-checked write (services.due); the
run that wins renders the form, adds the queue item only if it is not there (its id is the
claim's and the count of its history entries, the same for every run that takes the claim
while it waits), and moves the claim to `submitted` only while it is still queued. A run that
dies between these steps leaves the claim due when its lease ends; the next run finds the
item there and finishes. The claim then waits for the payer's paper EOB, posted by hand: no
status checks go to a payer that takes no electronic transactions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from chalicelib.claims.errors import LifecycleError
from chalicelib.claims.lifecycle import Event, Status
from chalicelib.claims.records import ClaimEvent, ClaimRecord, with_event
from chalicelib.documents.cms1500 import render_cms1500
from chalicelib.documents.pdf import render_form
from chalicelib.schedules.runs import Run
from chalicelib.store import print_queue as store
from chalicelib.store.errors import ConcurrentUpdateError
from chalicelib.store.print_queue import PrintJob

from .claims import ClaimNotFoundError, update_claim
from .due import take_due
from .errors import RefusedError
from .paper import paper_claim
from .worklist import policy_in_force

SOURCE = "print-queue"
__all__ = [
    "PrintJob",
    "is_paper_only",
    "list_print_jobs",
    "mark_printed",
    "print_job_pdf",
    "print_queued_claims",
]

# How long a run owns a claim it prints: the longest a Lambda function can run.
PRINT_LEASE = timedelta(minutes=15)


class _SkipClaimError(Exception):
    """The claim is no longer queued for printing (another run printed it)."""


def is_paper_only(record: ClaimRecord) -> bool:
    policy = policy_in_force(record.tenant_id, record.payer_id)
    return policy is not None and policy.paper_only


def item_id_of(record: ClaimRecord) -> str:
    """The same for every run that takes the claim while it waits; a claim corrected and
    queued again has more history, so it is printed again under a new id."""
    return f"prt_{record.claim_id.removeprefix('clm_')}_{record.event_count}"


def print_queued_claims(run: Run, records: Sequence[ClaimRecord], *, now: datetime) -> None:
    """Print the due claims of paper-only payers into their tenants' queues."""
    waiting = [r for r in records if r.status is Status.QUEUED and not r.batch_id]
    for record in take_due(run, waiting, now=now, lease=PRINT_LEASE):
        try:
            _print(run, record, now=now)
        except Exception as error:  # one claim's failure never stops the others
            run.fail(
                f"claim cannot be printed: {error.__class__.__name__}",
                claim_id=record.claim_id,
                tenant_id=record.tenant_id,
                code="print_failed",
            )


def _print(run: Run, record: ClaimRecord, *, now: datetime) -> None:
    item_id = item_id_of(record)
    job = store.load_job(record.tenant_id, item_id)
    if job is None:
        form = render_cms1500(paper_claim(record, today=now.date()))
        key = store.document_key(record.tenant_id, item_id)
        store.save_document(key, render_form(form))
        job = PrintJob(
            tenant_id=record.tenant_id,
            item_id=item_id,
            claim_id=record.claim_id,
            payer_id=record.payer_id,
            pages=len(form.pages),
            document_key=key,
            created_at=now,
        )
        try:
            store.save_job(job)
            run.count("claims_printed")
        except ConcurrentUpdateError:
            run.count("print_items_already_there")

    def change(current: ClaimRecord) -> tuple[ClaimRecord, tuple[ClaimEvent, ...]]:
        if current.status is not Status.QUEUED or current.batch_id:
            raise _SkipClaimError(current.claim_id)
        updated, entry = with_event(
            current,
            Event.SENT,
            at=now,
            source=SOURCE,
            detail={"printItem": item_id, "form": "CMS-1500", "pages": str(job.pages)},
            submitted_at=now,
            send_attempts=current.send_attempts + 1,
            next_action=None,
            due_at=None,
        )
        return updated, (entry,)

    try:
        update_claim(record.tenant_id, record.claim_id, change, read=record)
        run.acted += 1
    except _SkipClaimError:
        run.count("claims_already_moved")
    except (ClaimNotFoundError, LifecycleError):
        run.count("claims_already_moved")


def list_print_jobs(tenant_id: str, *, printed: bool | None = None) -> list[PrintJob]:
    jobs = store.list_jobs(tenant_id)
    if printed is None:
        return jobs
    return [job for job in jobs if (job.printed_at is not None) == printed]


def _job(tenant_id: str, item_id: str) -> PrintJob:
    job = store.load_job(tenant_id, item_id)
    if job is None:
        raise RefusedError("not_found", "no such item in the print queue")
    return job


def print_job_pdf(tenant_id: str, item_id: str) -> bytes:
    return store.load_document(_job(tenant_id, item_id).document_key)


def mark_printed(tenant_id: str, item_id: str, *, now: datetime, actor: str | None) -> PrintJob:
    """Once: a second mark (or two at once) is refused, the first time kept."""
    job = _job(tenant_id, item_id)
    if job.printed_at is not None:
        raise RefusedError("already_printed", f"printed at {job.printed_at.isoformat()}")
    try:
        return store.save_job(replace(job, printed_at=now, printed_by=actor))
    except ConcurrentUpdateError:
        raise RefusedError("already_printed", "marked printed meanwhile") from None

"""Eligibility for a list of upcoming visits: `POST /v1/eligibility/batches` takes up to 1,000
inquiries, answers at once with the batch's id, and checks them in the background: the
inquiries go out in messages of ten over the work queue (the parts queue, as large 835s),
each checked as a real-time check is (a 270 through the tenant's connection, the 271 kept).

Each inquiry's result is written once (store/eligibility_batches.py) and an inquiry that has
one is not asked again, so a message delivered twice asks no payer twice. Payers limit how
fast they are asked: each payer's checks a minute are counted (one counter per tenant, payer
and minute); past CLAIMGATE_ELIGIBILITY_PER_PAYER_PER_MINUTE the message is handed back and
SQS brings it again later, the inquiries already answered kept."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from chalicelib.codec import decode, encode
from chalicelib.config import settings
from chalicelib.store import eligibility_batches as store
from chalicelib.store import rate_limits
from chalicelib.store.eligibility_batches import BatchResult
from chalicelib.store.queue import send_part_messages

from .eligibility import Inquiry, check_eligibility
from .errors import RefusedError

__all__ = ["BatchProgress", "BatchResult", "get_batch", "start_batch", "work_message"]

KIND = "eligibility-batch"
MAX_INQUIRIES = 1000
INQUIRIES_PER_MESSAGE = 10
Fanout = Callable[[Sequence[str]], None]


@dataclass(frozen=True, slots=True)
class BatchInquiry:
    index: int
    inquiry: Inquiry


@dataclass(frozen=True, slots=True)
class BatchMessage:
    """Up to ten inquiries of one batch (PHI: the queue is encrypted, never logged)."""

    kind: str
    tenant_id: str
    batch_id: str
    inquiries: tuple[BatchInquiry, ...]


@dataclass(frozen=True, slots=True)
class BatchProgress:
    batch_id: str
    total: int
    created_at: datetime
    results: list[BatchResult]

    @property
    def status(self) -> str:
        return "done" if len(self.results) >= self.total else "running"


class PayerBusyError(Exception):
    """The payer has had its checks for this minute: the message comes back later."""


def take_payer_turn(tenant_id: str, payer_id: str, *, now: datetime) -> None:
    """Count one check against the payer's minute (per tenant); PayerBusyError past
    CLAIMGATE_ELIGIBILITY_PER_PAYER_PER_MINUTE."""
    wait = rate_limits.take(
        f"payer:{tenant_id}:{payer_id}",
        limit=settings().eligibility_per_payer_per_minute,
        now=now,
    )
    if wait is not None:
        raise PayerBusyError(f"payer {payer_id}: again in {wait} s")


def start_batch(
    tenant_id: str,
    inquiries: Sequence[Inquiry],
    *,
    now: datetime,
    fanout: Fanout = send_part_messages,
) -> BatchProgress:
    if not 1 <= len(inquiries) <= MAX_INQUIRIES:
        raise RefusedError("invalid_requests", f"1 to {MAX_INQUIRIES:,} requests a batch")
    batch_id = f"elb_{uuid.uuid4().hex}"
    store.save_batch(tenant_id, batch_id, total=len(inquiries), now=now)
    numbered = [BatchInquiry(n, inquiry) for n, inquiry in enumerate(inquiries)]
    fanout(
        [
            json.dumps(
                encode(
                    BatchMessage(
                        KIND,
                        tenant_id,
                        batch_id,
                        tuple(numbered[start : start + INQUIRIES_PER_MESSAGE]),
                    )
                )
            )
            for start in range(0, len(numbered), INQUIRIES_PER_MESSAGE)
        ]
    )
    return BatchProgress(batch_id, len(inquiries), now, [])


def work_message(body: str, *, now: datetime) -> int:
    """Check each inquiry of the message that has no result yet; how many were checked.
    Raises PayerBusyError when a payer's minute is used up (the others keep their results)."""
    message = decode(BatchMessage, json.loads(body))
    checked = 0
    for item in message.inquiries:
        if store.has_result(message.tenant_id, message.batch_id, item.index):
            continue  # a message delivered again: this one is answered
        take_payer_turn(message.tenant_id, item.inquiry.payer_id, now=now)
        try:
            check = check_eligibility(message.tenant_id, item.inquiry, now=now)
        except RefusedError as refused:
            result = BatchResult(item.index, "failed", code=refused.code, message=refused.reason)
        else:
            result = BatchResult(
                item.index, "checked", check_id=check.check_id, coverage=check.answer.status
            )
        store.save_result(message.tenant_id, message.batch_id, result)
        checked += 1
    return checked


def get_batch(tenant_id: str, batch_id: str) -> BatchProgress:
    found = store.load_batch(tenant_id, batch_id)
    if found is None:
        raise RefusedError("not_found", "no such eligibility batch")
    total, created_at = found
    return BatchProgress(batch_id, total, created_at, store.results(tenant_id, batch_id))

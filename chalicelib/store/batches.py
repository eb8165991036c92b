"""Outbound interchanges (batches) and the interchange control number counter.

A batch's id is its interchange control number (ISA13, also used as GS06 and ST02), so the 999
that acknowledges a functional group leads straight back to the batch."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pynamodb.exceptions import DoesNotExist, PutError

from .errors import ConcurrentUpdateError, conditional_failed
from .models import BatchItem, CounterItem, Item

BATCH_SK = "#BATCH"


@dataclass(frozen=True, slots=True)
class Batch:
    tenant_id: str
    batch_id: str
    gateway: str
    account: str
    control_number: str
    archive_key: str
    claim_ids: tuple[str, ...]
    status: str
    attempts: int
    created_at: datetime
    due_at: datetime | None = None
    sent_at: datetime | None = None
    reference: str | None = None
    last_error: str | None = None
    version: int | None = None


def next_control_number(tenant_id: str, name: str = "ISA") -> int:
    """A number never handed out before for this tenant (atomic ADD on one counter item)."""
    item = CounterItem(pk=f"T#{tenant_id}#COUNTER#{name}", sk="#COUNTER")
    item.update(actions=[CounterItem.value.add(1)])
    return int(item.value)


def _item(batch: Batch) -> BatchItem:
    item = BatchItem(
        pk=f"T#{batch.tenant_id}#BATCH#{batch.batch_id}",
        sk=BATCH_SK,
        tenant_id=batch.tenant_id,
        batch_id=batch.batch_id,
        gateway=batch.gateway,
        account=batch.account,
        control_number=batch.control_number,
        archive_key=batch.archive_key,
        claim_ids=list(batch.claim_ids),
        status=batch.status,
        attempts=batch.attempts,
        created_at=batch.created_at,
        sent_at=batch.sent_at,
        reference=batch.reference,
        last_error=batch.last_error,
        due_pk="DUE#batch" if batch.due_at else None,
        due_sk=(
            f"{batch.due_at.isoformat(timespec='microseconds')}#{batch.tenant_id}#{batch.batch_id}"
            if batch.due_at
            else None
        ),
    )
    if batch.version is not None:  # a new batch gets version 1 on its first save
        item.version = batch.version
    return item


def _batch(item: BatchItem) -> Batch:
    return Batch(
        tenant_id=item.tenant_id,
        batch_id=item.batch_id,
        gateway=item.gateway,
        account=item.account,
        control_number=item.control_number,
        archive_key=item.archive_key,
        claim_ids=tuple(item.claim_ids or ()),
        status=item.status,
        attempts=int(item.attempts or 0),
        created_at=item.created_at,
        due_at=datetime.fromisoformat(item.due_sk.split("#", 1)[0]) if item.due_sk else None,
        sent_at=item.sent_at,
        reference=item.reference,
        last_error=item.last_error,
        version=item.version,
    )


def save_batch(batch: Batch) -> Batch:
    """Create a batch (its id never taken before) or update it at the version it was read
    at; returns it with its new version. ConcurrentUpdateError when another run changed it
    first: that run owns what happens next."""
    item = _item(batch)
    try:
        item.save()
    except PutError as error:
        if conditional_failed(error):
            raise ConcurrentUpdateError(f"batch {batch.batch_id}") from None
        raise
    return _batch(item)


def load_batch(tenant_id: str, batch_id: str) -> Batch | None:
    try:
        return _batch(
            BatchItem.get(f"T#{tenant_id}#BATCH#{batch_id}", BATCH_SK, consistent_read=True)
        )
    except DoesNotExist:
        return None


def due_batches(until: datetime, *, limit: int) -> list[Batch]:
    """Batches waiting for a (re)send, oldest first, from the sparse due index."""
    until_key = until.isoformat(timespec="microseconds") + "~"
    return [
        _batch(item)
        for item in Item.by_due.query("DUE#batch", Item.due_sk <= until_key, limit=limit)
        if isinstance(item, BatchItem)
    ]

"""Eligibility batches: the batch (how many inquiries, when) and one result item per inquiry,
in the tenant's partition. A result is written once (a put on a key that does not exist
yet), so progress is what is there: a message delivered twice adds nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pynamodb.exceptions import DoesNotExist, PutError

from .errors import conditional_failed
from .models import EligibilityBatchItem, EligibilityResultItem, Item


@dataclass(frozen=True, slots=True)
class BatchResult:
    """One inquiry's outcome: `checked` (its check id, and the coverage: active, inactive,
    rejected, unknown), or `failed` (the code and message); no member data."""

    index: int
    status: str
    check_id: str | None = None
    coverage: str | None = None
    code: str | None = None
    message: str | None = None


def _pk(tenant_id: str, batch_id: str) -> str:
    return f"T#{tenant_id}#ELGBATCH#{batch_id}"


def save_batch(tenant_id: str, batch_id: str, *, total: int, now: datetime) -> None:
    EligibilityBatchItem(
        pk=_pk(tenant_id, batch_id),
        sk="#BATCH",
        tenant_id=tenant_id,
        batch_id=batch_id,
        total=total,
        created_at=now,
    ).save(condition=EligibilityBatchItem.pk.does_not_exist())


def load_batch(tenant_id: str, batch_id: str) -> tuple[int, datetime] | None:
    """(how many inquiries, when the batch came) or None."""
    try:
        item = EligibilityBatchItem.get(_pk(tenant_id, batch_id), "#BATCH")
    except DoesNotExist:
        return None
    return int(item.total), item.created_at


def has_result(tenant_id: str, batch_id: str, index: int) -> bool:
    try:
        EligibilityResultItem.get(_pk(tenant_id, batch_id), f"R#{index:05d}")
    except DoesNotExist:
        return False
    return True


def save_result(tenant_id: str, batch_id: str, result: BatchResult) -> bool:
    """Write the inquiry's result once; False when it was already there."""
    try:
        EligibilityResultItem(
            pk=_pk(tenant_id, batch_id),
            sk=f"R#{result.index:05d}",
            tenant_id=tenant_id,
            index=result.index,
            status=result.status,
            check_id=result.check_id,
            coverage=result.coverage,
            code=result.code,
            message=result.message,
        ).save(condition=EligibilityResultItem.pk.does_not_exist())
    except PutError as error:
        if conditional_failed(error):
            return False
        raise
    return True


def results(tenant_id: str, batch_id: str) -> list[BatchResult]:
    """Every result so far, by inquiry (one query: the batch's partition)."""
    return [
        BatchResult(
            index=int(item.index),
            status=item.status,
            check_id=item.check_id,
            coverage=item.coverage,
            code=item.code,
            message=item.message,
        )
        for item in Item.query(_pk(tenant_id, batch_id), Item.sk.startswith("R#"))
        if isinstance(item, EligibilityResultItem)
    ]

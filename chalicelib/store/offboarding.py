"""A tenant taken off the stage: every item of it read page by page (a scan of the table,
filtered to the tenant: no index lists every kind of item, and offboarding is rare) and
written to its own prefix of the archive bucket as JSON lines, with the X12 files its items
name; then deleted. The record of it (who, when, where the export is, how many items) stays
after the tenant is gone, outside the tenant's keys.

One caller at a time: a call takes a lease on the record (a write at the version read)
before it reads or deletes anything, and renews it with each step; a second caller meanwhile
is told the offboarding is in progress. Every step is repeatable: a page is written under
its own number (written again, it is the same object), and a deleted item is simply not
found again, so a caller that died is taken over when its lease ends."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist, PutError

from chalicelib.codec import decode, encode
from chalicelib.config import settings

from .archive import encryption
from .connection import dynamodb_client, s3_client
from .errors import ConcurrentUpdateError, conditional_failed
from .models import OffboardingItem

PREFIX = "offboarding/"
# The raw archive's keys, and the print queue's CMS-1500s (store/print_queue.py).
_ARCHIVED = re.compile(r"x12/[0-9a-f]{2}/[0-9a-f]{64}|print-queue/[\w.-]+/[\w-]+\.pdf")


@dataclass(frozen=True, slots=True)
class Offboarding:
    tenant_id: str
    export_id: str
    status: str  # exporting | deleting | done
    started_at: datetime
    started_by: str
    pages: int = 0
    items_exported: int = 0
    files_exported: int = 0
    items_deleted: int = 0
    cursor: Mapping[str, Any] | None = None
    finished_at: datetime | None = None
    lease_until: datetime | None = None  # a caller at work: no other takes a step meanwhile
    version: int | None = None

    @property
    def prefix(self) -> str:
        return f"{PREFIX}{self.tenant_id}/{self.export_id}/"


def load(tenant_id: str) -> Offboarding | None:
    try:
        item = OffboardingItem.get(f"OFFBOARD#{tenant_id}", "#OFFBOARD", consistent_read=True)
    except DoesNotExist:
        return None
    return replace(decode(Offboarding, item.offboarding), version=item.version)


def save(offboarding: Offboarding) -> Offboarding:
    """Write at the version read (a first write: none may exist)."""
    item = OffboardingItem(
        pk=f"OFFBOARD#{offboarding.tenant_id}",
        sk="#OFFBOARD",
        offboarding=encode(replace(offboarding, version=None)),
    )
    if offboarding.version is not None:
        item.version = offboarding.version
    try:
        item.save()
    except PutError as error:
        if conditional_failed(error):
            raise ConcurrentUpdateError(f"offboarding {offboarding.tenant_id}") from error
        raise
    return replace(offboarding, version=item.version)


def tenant_page(
    tenant_id: str, start: Mapping[str, Any] | None, *, limit: int = 500
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """One page of the tenant's items as DynamoDB JSON, and where the next page starts."""
    arguments: dict[str, Any] = {
        "TableName": settings().table_name,
        "Limit": limit,
        "ConsistentRead": True,
        "FilterExpression": "begins_with(pk, :prefix) OR tenant_id = :tenant",
        "ExpressionAttributeValues": {
            ":prefix": {"S": f"T#{tenant_id}#"},
            ":tenant": {"S": tenant_id},
        },
    }
    if start:
        arguments["ExclusiveStartKey"] = dict(start)
    page = dynamodb_client().scan(**arguments)
    return list(page.get("Items", [])), page.get("LastEvaluatedKey")


def write_page(offboarding: Offboarding, number: int, items: list[dict[str, Any]]) -> int:
    """The page as JSON lines, and the archived X12 files its items name, under the export's
    prefix; returns how many files were copied."""
    s3 = s3_client()
    bucket = settings().archive_bucket
    body = "".join(json.dumps(item, sort_keys=True) + "\n" for item in items)
    s3.put_object(
        Bucket=bucket,
        Key=f"{offboarding.prefix}items/{number:06d}.jsonl",
        Body=body.encode(),
        ContentType="application/x-ndjson",
        **encryption(),
    )
    files = sorted({key for item in items for key in _archived_keys(item)})
    for key in files:
        s3.copy_object(
            Bucket=bucket,
            Key=f"{offboarding.prefix}{key}",
            CopySource={"Bucket": bucket, "Key": key},
            **encryption(),
        )
    return len(files)


def _archived_keys(value: object) -> Iterator[str]:
    """Archive keys anywhere in an item (a file's record, a batch, a claim's events)."""
    if isinstance(value, str):
        yield from _ARCHIVED.findall(value)
    elif isinstance(value, dict):
        for inner in value.values():
            yield from _archived_keys(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _archived_keys(inner)


def delete_items(items: list[dict[str, Any]]) -> int:
    client = dynamodb_client()
    for item in items:
        client.delete_item(
            TableName=settings().table_name, Key={"pk": item["pk"], "sk": item["sk"]}
        )
    return len(items)


__all__ = [
    "Offboarding",
    "delete_items",
    "load",
    "save",
    "tenant_page",
    "write_page",
]

"""Benchmarks: `python -m benchmarks.<name>`, each printing its figures."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chalicelib.claims.records import ClaimRecord


def use_moto_environment(name: str, **extra: str) -> None:
    """Settings for a benchmark on moto in process, before anything from chalicelib is
    imported (the models read their table names when their classes are defined): fake
    credentials, tables of its own, never a configured endpoint."""
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_DEFAULT_REGION": "us-east-1",
            "CLAIMGATE_TABLE": f"claimgate-{name}",
            "CLAIMGATE_IDEMPOTENCY_TABLE": f"claimgate-{name}-idempotency",
            **extra,
        }
    )
    os.environ.pop("CLAIMGATE_AWS_ENDPOINT", None)


@contextmanager
def counting() -> Iterator[Counter[str]]:
    """Every AWS request made inside, counted as "service:operation"."""
    from botocore.client import BaseClient

    calls: Counter[str] = Counter()
    original = getattr(BaseClient, "_make_api_call")  # noqa: B009 - private, not in the stubs

    def counted(self: BaseClient, operation: str, params: Any) -> Any:
        calls[f"{self.meta.service_model.service_name}:{operation}"] += 1
        return original(self, operation, params)

    setattr(BaseClient, "_make_api_call", counted)  # noqa: B010
    try:
        yield calls
    finally:
        setattr(BaseClient, "_make_api_call", original)  # noqa: B010


def of(calls: Counter[str], service: str) -> int:
    """How many of the counted requests went to `service` (dynamodb, sqs, s3)."""
    return sum(n for key, n in calls.items() if key.startswith(f"{service}:"))


def put_claims(records: Iterable[ClaimRecord]) -> None:
    """Claims written straight to the table as the store writes them (each item built by
    store.claims._claim_item, its worklist, due keys and report facts derived), 25 a request."""
    from chalicelib.config import settings
    from chalicelib.store.claims import _claim_item
    from chalicelib.store.connection import dynamodb_client

    client, table = dynamodb_client(), settings().table_name
    batch: list[Any] = []
    for record in records:
        item = _claim_item(record)
        item.version = 1
        batch.append({"PutRequest": {"Item": item.to_dynamodb_dict()}})
        if len(batch) == 25:
            client.batch_write_item(RequestItems={table: batch})
            batch = []
    if batch:
        client.batch_write_item(RequestItems={table: batch})


def partition_queries() -> None:
    """moto answers a Query on the table's own key by walking every item of the table: time
    that grows with the table and is moto's alone (DynamoDB reads the one partition). Inside a
    benchmark, such a Query walks its partition only; the requests counted, and what they
    return, are the same. Queries on an index still walk the table."""
    from moto.dynamodb.models.table import Table

    original = Table.query
    if getattr(original, "partitioned", False):
        return

    def query(self: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = kwargs.get("index_name", args[6] if len(args) > 6 else None)
        if index_name is not None or hash_key is None:
            return original(self, hash_key, *args, **kwargs)
        found = self.items.get(hash_key)
        items = (
            list(found.values()) if isinstance(found, dict) else [] if found is None else [found]
        )
        self.all_items = lambda: items  # type: ignore[method-assign]
        try:
            return original(self, hash_key, *args, **kwargs)
        finally:
            del self.all_items

    query.partitioned = True  # type: ignore[attr-defined]
    setattr(Table, "query", query)  # noqa: B010 - moto's class, not in its stubs

"""Requests counted per API key and minute: one conditional counter a minute, in the
idempotency table (its TTL removes the counters two minutes later). The count is global
(every container adds to the same item), so a key's limit holds however many containers
serve it."""

from __future__ import annotations

from datetime import datetime

from botocore.exceptions import ClientError

from chalicelib.config import settings

from .connection import dynamodb_client


def take(key: str, *, limit: int, now: datetime) -> int | None:
    """Count one request of `key` in this minute: None when it is within `limit`, else the
    seconds until the next minute (the request is not counted)."""
    minute, into = divmod(int(now.timestamp()), 60)
    try:
        dynamodb_client().update_item(
            TableName=settings().idempotency_table_name,
            Key={"id": {"S": f"rate#{key}#{minute}"}},
            UpdateExpression="ADD #n :one SET #e = if_not_exists(#e, :expires)",
            ConditionExpression="attribute_not_exists(#n) OR #n < :limit",
            ExpressionAttributeNames={"#n": "requests", "#e": "expiration"},
            ExpressionAttributeValues={
                ":one": {"N": "1"},
                ":limit": {"N": str(limit)},
                ":expires": {"N": str((minute + 2) * 60)},
            },
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            return 60 - into
        raise
    return None

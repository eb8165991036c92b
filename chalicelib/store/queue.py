"""The follow-up work queue (SQS): fanned-out batches of due claims."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from chalicelib.config import settings

from .connection import sqs_client

_SQS_BATCH = 10  # SendMessageBatch takes at most ten entries


@lru_cache(maxsize=1)
def _queue_url() -> str:
    return sqs_client().get_queue_url(QueueName=settings().followup_queue)["QueueUrl"]


def send_followup_messages(bodies: Sequence[str]) -> None:
    """Send every body; raises if any entry was refused, so the run records the failure and
    the claims stay due (nothing is lost: the next run plans them again)."""
    client = sqs_client()
    for start in range(0, len(bodies), _SQS_BATCH):
        chunk = bodies[start : start + _SQS_BATCH]
        response = client.send_message_batch(
            QueueUrl=_queue_url(),
            Entries=[{"Id": str(i), "MessageBody": body} for i, body in enumerate(chunk)],
        )
        if response.get("Failed"):
            raise RuntimeError(f"{len(response['Failed'])} follow-up message(s) refused by SQS")


def forget_queue_url() -> None:
    _queue_url.cache_clear()

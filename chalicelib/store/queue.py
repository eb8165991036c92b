"""The work queues (SQS): fanned-out batches of due claims, and the parts of large 835s."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from chalicelib.config import settings

from .connection import sqs_client

_SQS_BATCH = 10  # SendMessageBatch takes at most ten entries
# and at most 256 KiB in all (1 MiB since 2025; the lower bound keeps older endpoints right)
_SQS_BATCH_BYTES = 256 * 1024


@cache
def _queue_url(name: str) -> str:
    return sqs_client().get_queue_url(QueueName=name)["QueueUrl"]


def send_messages(queue: str, bodies: Sequence[str]) -> None:
    """Send every body to the queue named `queue`; raises if any entry was refused, so the
    caller records the failure and keeps its work for the next try (nothing is lost)."""
    client = sqs_client()
    for chunk in _batches(bodies):
        response = client.send_message_batch(
            QueueUrl=_queue_url(queue),
            Entries=[{"Id": str(i), "MessageBody": body} for i, body in enumerate(chunk)],
        )
        if response.get("Failed"):
            raise RuntimeError(f"{len(response['Failed'])} message(s) refused by SQS ({queue})")


def _batches(bodies: Sequence[str]) -> list[list[str]]:
    """The bodies in order, grouped as SendMessageBatch takes them (count and bytes)."""
    found: list[list[str]] = []
    size = 0
    for body in bodies:
        length = len(body.encode())
        if not found or len(found[-1]) == _SQS_BATCH or size + length > _SQS_BATCH_BYTES:
            found.append([])
            size = 0
        found[-1].append(body)
        size += length
    return found


def send_followup_messages(bodies: Sequence[str]) -> None:
    send_messages(settings().followup_queue, bodies)


def send_part_messages(bodies: Sequence[str]) -> None:
    send_messages(settings().parts_queue, bodies)


def forget_queue_url() -> None:
    _queue_url.cache_clear()

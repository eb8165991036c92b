"""Lambda's SQS event source where there is no Lambda (`make run`, the tests): receive from a
queue, hand the records to the function as Lambda does (the same event shape, the batch size
the function is declared with), delete what it did not report failed. A failed message is
left to its visibility timeout and, after the queue's maxReceiveCount, to the dead letters,
as on AWS."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from chalicelib.config import settings
from chalicelib.store.connection import sqs_client

Handler = Callable[[dict[str, Any], Any], Any]


def workers() -> dict[str, tuple[str, int]]:
    """Function name -> (queue name, batch size), as chalicelib.schedules.handlers declares."""
    return {
        "claim-followups-worker": (settings().followup_queue, 5),
        "remittance-parts-worker": (settings().parts_queue, 1),
    }


def deliver(queue: str, handler: Handler, *, batch_size: int) -> tuple[int, int]:
    """One receive and one invocation: (messages done, messages failed)."""
    sqs = sqs_client()
    url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    messages = sqs.receive_message(
        QueueUrl=url,
        MaxNumberOfMessages=batch_size,
        MessageSystemAttributeNames=["All"],
    ).get("Messages", [])
    if not messages:
        return 0, 0
    event = {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": {},
                "md5OfBody": m["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": arn,
                "awsRegion": settings().region,
            }
            for m in messages
        ]
    }
    response = handler(event, None) or {}
    failed = {f["itemIdentifier"] for f in response.get("batchItemFailures", [])}
    for m in messages:
        if m["MessageId"] not in failed:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return len(messages) - len(failed), len(failed)


def drain(name: str, *, limit: int | None = None) -> tuple[int, int]:
    """Deliver the worker's queue until it is empty (or `limit` invocations)."""
    from app import app

    queue, batch_size = workers()[name]
    done = failed = invocations = 0
    while limit is None or invocations < limit:
        ok, bad = deliver(queue, app.handler_map[name], batch_size=batch_size)
        if not ok and not bad:
            break
        done, failed, invocations = done + ok, failed + bad, invocations + 1
    return done, failed


def serve(stop: threading.Event) -> None:
    """`make run`: every worker's queue, looked at again each second it was empty, until
    `stop`."""
    from app import app

    while not stop.is_set():
        idle = True
        for name, (queue, batch_size) in workers().items():
            try:
                ok, bad = deliver(queue, app.handler_map[name], batch_size=batch_size)
            except Exception as error:  # the local AWS stopping under it: say so, go on
                print(f"[local queues] {name}: {error.__class__.__name__}", flush=True)
                stop.wait(1)
                continue
            if ok or bad:
                idle = False
                print(f"[local queues] {name}: {ok} done, {bad} failed", flush=True)
        if idle:
            stop.wait(1)

"""The SQS side of claim follow-ups: each message is one batch of due claims, processed as a
recorded run of the claim-followups schedule; failures are reported per message."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from chalicelib.schedules.registry import CLAIM_FOLLOWUPS


def _handle(record: SQSRecord) -> None:
    from chalicelib import wiring

    from .followup import check_message
    from .runs import execute

    run = execute(
        CLAIM_FOLLOWUPS.name,
        trigger="sqs",
        body=lambda run, now: check_message(run, record.body, gateway_for=wiring.gateway_for),
    )
    if any(error.code == "run_error" for error in run.errors):
        raise RuntimeError(f"follow-up batch failed in {run.run_id}")


def handle_followup_messages(event: dict[str, Any]) -> PartialItemFailureResponse:
    processor = BatchProcessor(event_type=EventType.SQS)
    with processor(records=event["Records"], handler=_handle):
        processor.process()
    return processor.response()

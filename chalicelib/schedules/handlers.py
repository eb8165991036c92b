"""Scheduled Lambda handlers: thin, one per schedule, named after it. Chalice schedules take
one CloudWatchEvent, so log keys are added by hand (STYLE.md), inside services.runs."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, CloudWatchEvent, Rate, SQSEvent

from chalicelib.config import settings

from .registry import (
    CLAIM_FOLLOWUPS,
    CLEARINGHOUSE_POLL,
    ELIGIBILITY_RECHECK,
    PATIENT_STATEMENTS,
    PAYMENT_MISMATCHES,
    PAYMENT_PLANS,
    SECONDARY_ROUTING,
    UPLOADS,
    WEBHOOK_DELIVERIES,
)

schedules = Blueprint(__name__)


@schedules.schedule(
    Rate(CLEARINGHOUSE_POLL.rate_minutes, unit=Rate.MINUTES), name=CLEARINGHOUSE_POLL.name
)
def clearinghouse_poll(event: CloudWatchEvent) -> None:
    from chalicelib.services.runs import execute

    execute(CLEARINGHOUSE_POLL.name, trigger="schedule")


@schedules.schedule(
    Rate(ELIGIBILITY_RECHECK.rate_minutes, unit=Rate.MINUTES), name=ELIGIBILITY_RECHECK.name
)
def eligibility_recheck(event: CloudWatchEvent) -> None:
    from chalicelib.services.runs import execute

    execute(ELIGIBILITY_RECHECK.name, trigger="schedule")


@schedules.schedule(
    Rate(SECONDARY_ROUTING.rate_minutes, unit=Rate.MINUTES), name=SECONDARY_ROUTING.name
)
def secondary_routing(event: CloudWatchEvent) -> None:
    from chalicelib.services.runs import execute

    execute(SECONDARY_ROUTING.name, trigger="schedule")


@schedules.schedule(
    Rate(CLAIM_FOLLOWUPS.rate_minutes, unit=Rate.MINUTES), name=CLAIM_FOLLOWUPS.name
)
def claim_followups(event: CloudWatchEvent) -> None:
    from chalicelib.services.runs import execute

    execute(CLAIM_FOLLOWUPS.name, trigger="schedule")


@schedules.on_sqs_message(
    queue=settings().followup_queue, batch_size=5, name=f"{CLAIM_FOLLOWUPS.name}-worker"
)
def claim_followups_worker(event: SQSEvent) -> dict[str, Any]:
    """Fanned-out follow-up batches, processed in parallel by Lambda concurrency. A message
    that fails is reported back alone (partial batch response: the event source mapping has
    ReportBatchItemFailures, see infra/), so SQS retries it and only it."""
    from chalicelib.services.followup_worker import handle_followup_messages

    return dict(handle_followup_messages(event.to_dict()))


@schedules.on_sqs_message(
    queue=settings().parts_queue, batch_size=1, name="remittance-parts-worker"
)
def remittance_parts_worker(event: SQSEvent) -> dict[str, Any]:
    """One part of a large 835 per invocation (batch size 1: no invocation holds more than
    one part). A part that fails is reported back; SQS retries it, then dead-letters it."""
    from chalicelib.services.remittance_parts import handle_part_messages

    return dict(handle_part_messages(event.to_dict()))


@schedules.schedule(
    Rate(PAYMENT_MISMATCHES.rate_minutes, unit=Rate.MINUTES), name=PAYMENT_MISMATCHES.name
)
def payment_mismatches(event: CloudWatchEvent) -> None:
    from chalicelib.services.runs import execute

    execute(PAYMENT_MISMATCHES.name, trigger="schedule")


@schedules.schedule(
    Rate(WEBHOOK_DELIVERIES.rate_minutes, unit=Rate.MINUTES), name=WEBHOOK_DELIVERIES.name
)
def webhook_deliveries(event: CloudWatchEvent) -> None:
    from chalicelib.services.runs import execute

    execute(WEBHOOK_DELIVERIES.name, trigger="schedule")


@schedules.schedule(Rate(UPLOADS.rate_minutes, unit=Rate.MINUTES), name=UPLOADS.name)
def uploads(event: CloudWatchEvent) -> None:
    from chalicelib.services.runs import execute

    execute(UPLOADS.name, trigger="schedule")


@schedules.schedule(
    Rate(PATIENT_STATEMENTS.rate_minutes, unit=Rate.MINUTES), name=PATIENT_STATEMENTS.name
)
def patient_statements(event: CloudWatchEvent) -> None:
    from chalicelib.services.runs import execute

    execute(PATIENT_STATEMENTS.name, trigger="schedule")


@schedules.schedule(Rate(PAYMENT_PLANS.rate_minutes, unit=Rate.MINUTES), name=PAYMENT_PLANS.name)
def payment_plans(event: CloudWatchEvent) -> None:
    from chalicelib.services.runs import execute

    execute(PAYMENT_PLANS.name, trigger="schedule")


@schedules.on_cw_event(
    {
        "source": ["aws.s3"],
        "detail-type": ["Object Created"],
        # the stage's bucket: infra/template.py sets it (the name holds account and region)
        "detail": {
            "bucket": {"name": [settings().archive_bucket]},
            "object": {"key": [{"prefix": "uploads/"}]},
        },
    },
    name="upload-received",
)
def upload_received(event: CloudWatchEvent) -> None:
    """A file arrived through a presigned POST (S3's event, through EventBridge): apply it
    now; the `uploads` schedule is the safety net for an event that never comes."""
    from chalicelib.actor import Actor, acting_as
    from chalicelib.clock import utcnow
    from chalicelib.services.uploads import received

    key = event.detail.get("object", {}).get("key")
    if isinstance(key, str):
        with acting_as(Actor("event:upload-received")):
            received([key], now=utcnow())

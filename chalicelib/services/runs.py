"""Running a schedule: record the run when it starts and when it ends, count, keep errors,
emit metrics. A run never raises: an unexpected error ends it as failed, with the error kept."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from chalicelib.actor import Actor, acting_as
from chalicelib.clock import utcnow
from chalicelib.observability import logger, where_raised
from chalicelib.schedules.registry import (
    CLAIM_FOLLOWUPS,
    CLEARINGHOUSE_POLL,
    ELIGIBILITY_RECHECK,
    PATIENT_STATEMENTS,
    PAYMENT_MISMATCHES,
    PAYMENT_PLANS,
    SCHEDULES,
    SECONDARY_ROUTING,
    UPLOADS,
    WEBHOOK_DELIVERIES,
)
from chalicelib.schedules.runs import Run
from chalicelib.store import runs as run_store

Clock = Callable[[], datetime]


class UnknownScheduleError(Exception):
    pass


def _utcnow() -> datetime:
    return utcnow()


def execute(
    name: str,
    *,
    trigger: str,
    clock: Clock = _utcnow,
    body: Callable[[Run, datetime], None] | None = None,
) -> Run:
    """Run schedule `name` (or `body`, work that belongs to it, such as one fanned-out
    batch) as one recorded run."""
    if name not in SCHEDULES:
        raise UnknownScheduleError(name)
    run = Run(run_id=f"run_{uuid.uuid4().hex}", schedule=name, trigger=trigger, started_at=clock())
    run_store.save_run(run)
    logger.thread_safe_append_keys(run_id=run.run_id, schedule=name)
    try:
        with acting_as(Actor(f"schedule:{name}")):
            (body or _body(name))(run, clock())
    except Exception as error:
        # Exception messages can carry data (PHI): log the type and where it was raised only.
        where = where_raised(error)
        logger.error("run failed", extra={"error": error.__class__.__name__, "at": where})
        run.fail(f"run stopped: {error.__class__.__name__} at {where}", code="run_error")
    finally:
        if run.failed and name != WEBHOOK_DELIVERIES.name:  # webhook failures are not re-announced
            _announce_failures(run, clock())
        run.ended_at = clock()
        run_store.save_run(run)
        _emit_metrics(run)
        logger.info(
            "run finished",
            extra={"examined": run.examined, "acted": run.acted, "failed": run.failed},
        )
        logger.thread_safe_remove_keys(["run_id", "schedule"])
    return run


def _body(name: str) -> Callable[[Run, datetime], None]:
    from chalicelib import wiring

    if name == CLEARINGHOUSE_POLL.name:
        from .polling import poll_clearinghouses

        return lambda run, now: poll_clearinghouses(
            run, now=now, gateway_for=wiring.gateway_for, gateways=wiring.gateway_names()
        )
    if name == CLAIM_FOLLOWUPS.name:
        from chalicelib.store.queue import send_followup_messages

        from .followup import run_followups

        return lambda run, now: run_followups(
            run, now=now, gateway_for=wiring.gateway_for, fanout=send_followup_messages
        )
    if name == PAYMENT_MISMATCHES.name:
        from .mismatches import recheck_payments

        return lambda run, now: recheck_payments(run, now=now)
    if name == ELIGIBILITY_RECHECK.name:
        from .eligibility_recheck import recheck_claims

        return lambda run, now: recheck_claims(run, now=now)
    if name == SECONDARY_ROUTING.name:
        from .claims import new_claim_id
        from .secondary import route_secondary_claims

        return lambda run, now: route_secondary_claims(run, now=now, new_claim_id=new_claim_id)
    if name == WEBHOOK_DELIVERIES.name:
        from .webhooks import run_webhooks

        return lambda run, now: run_webhooks(run, now=now)
    if name == UPLOADS.name:
        from .uploads import run_uploads

        return lambda run, now: run_uploads(run, now=now)
    if name == PATIENT_STATEMENTS.name:
        from .statements import run_statements

        return lambda run, now: run_statements(run, now=now)
    if name == PAYMENT_PLANS.name:
        from .plans import run_plans

        return lambda run, now: run_plans(run, now=now)
    raise UnknownScheduleError(name)


def _announce_failures(run: Run, now: datetime) -> None:
    """`run.failed` webhooks; a failure to announce never changes the run's own record."""
    from .webhooks import announce_run_failures

    try:
        announce_run_failures(run, now=now)
    except Exception as error:  # the run's record matters more than its announcement
        logger.error("run failure not announced", extra={"error": error.__class__.__name__})


def _emit_metrics(run: Run) -> None:
    """CloudWatch embedded metric format: one log line, no API call."""
    from aws_lambda_powertools import Metrics
    from aws_lambda_powertools.metrics import MetricUnit

    metrics = Metrics(namespace="claimgate")
    metrics.add_dimension(name="schedule", value=run.schedule)
    metrics.add_metric(name="RunExamined", unit=MetricUnit.Count, value=run.examined)
    metrics.add_metric(name="RunActed", unit=MetricUnit.Count, value=run.acted)
    metrics.add_metric(name="RunFailed", unit=MetricUnit.Count, value=run.failed)
    if run.ended_at is not None:
        seconds = (run.ended_at - run.started_at).total_seconds()
        metrics.add_metric(name="RunDuration", unit=MetricUnit.Seconds, value=seconds)
    metrics.flush_metrics()


def list_runs(
    schedule: str | None, *, limit: int, cursor: str | None
) -> tuple[list[Run], str | None]:
    """Runs newest first, of one schedule or all, with an opaque cursor (operators)."""
    return run_store.list_runs(schedule, limit=limit, cursor=cursor)


def load_run(run_id: str) -> Run | None:
    return run_store.load_run(run_id)

"""Overlapping follow-up runs, and a run that starts before the worker has drained the queue,
ask the payer once per claim and due time (one 276 inquiry per claim)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from chalice.test import Client

from chalicelib.clock import utcnow
from tests.reliability.harness import HoldingGateway, claim, in_parallel, poll, submit_claims


def _status_checks(client: Client, claim_id: str) -> int:
    return len([h for h in claim(client, claim_id)["history"] if h["source"] == "status_check"])


def test_parallel_followup_runs_ask_once_per_claim(
    client: Client, holding: Callable[[frozenset[str]], HoldingGateway]
) -> None:
    from chalicelib.services.runs import execute

    ids = submit_claims(client, 6)
    gateway = holding(frozenset({"835"}))  # accepted, never paid: status checks fall due
    poll(client)
    at = utcnow() + timedelta(days=31)
    runs = in_parallel([lambda: execute("claim-followups", trigger="manual", clock=lambda: at)] * 4)
    assert sum(r.acted for r in runs) == len(ids)
    assert gateway.status_inquiries == len(ids)
    assert [_status_checks(client, i) for i in ids] == [1] * len(ids)


def test_a_run_before_the_worker_drains_the_queue_does_not_enqueue_the_claims_again(
    client: Client, holding: Callable[[frozenset[str]], HoldingGateway]
) -> None:
    from chalicelib import wiring
    from chalicelib.schedules.runs import Run
    from chalicelib.services.followup import check_message, run_followups

    ids = submit_claims(client, 4)
    gateway = holding(frozenset({"835"}))
    poll(client)
    at = utcnow() + timedelta(days=31)
    queue: list[str] = []
    for name in ("first", "second"):
        run = Run(name, "claim-followups", "schedule", at)
        run_followups(
            run, now=at, gateway_for=wiring.gateway_for, fanout=queue.extend, batch_size=2
        )
    assert len(queue) == 2  # only the first run enqueued: the claims were taken
    for body in queue * 2:  # and each message is delivered twice
        check_message(Run("w", "claim-followups", "sqs", at), body, gateway_for=wiring.gateway_for)
    assert gateway.status_inquiries == len(ids)
    assert [_status_checks(client, i) for i in ids] == [1] * len(ids)

"""Claim follow-ups: due checks found through the sparse index, 276/277 with the sandbox,
next check by payer policy, SQS fan-out with partial batch failures."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from chalice.test import Client

from chalicelib.clock import utcnow
from tests.functional.conftest import contract, headers


def submit_and_accept(client: Client, pcn: str) -> str:
    body = contract("claim-basic.json")
    body["claimInformation"]["patientControlNumber"] = pcn
    claim_id: str = client.http.post(
        "/v1/claims", headers=headers(), body=json.dumps(body)
    ).json_body["claimId"]
    return claim_id


def poll(client: Client) -> None:
    assert (
        client.http.post("/v1/schedules/clearinghouse-poll/runs", headers=headers()).json_body[
            "failed"
        ]
        == 0
    )


def claim(client: Client, claim_id: str) -> dict[str, Any]:
    body: dict[str, Any] = client.http.get(f"/v1/claims/{claim_id}", headers=headers()).json_body
    return body


def followups(at: datetime) -> Any:
    from chalicelib.services.runs import execute

    return execute("claim-followups", trigger="manual", clock=lambda: at)


def test_status_check_is_due_by_policy_and_its_answer_applied(client: Client) -> None:
    claim_id = submit_and_accept(client, "FU-1")
    poll(client)
    assert claim(client, claim_id)["status"] == "accepted"
    now = utcnow()
    early = followups(now + timedelta(days=1))
    assert early.examined == 0  # SBX01 (commercial): first check after 30 days
    run = followups(now + timedelta(days=31))
    assert run.failed == 0, run.errors
    assert run.examined == 1 and run.acted == 1
    checked = claim(client, claim_id)
    check = checked["history"][-1]
    assert check["source"] == "status_check"
    assert checked["status"] == "pending"
    assert any(code.startswith("P") for code in check["codes"])
    again = followups(now + timedelta(days=32))
    assert again.examined == 0  # the next check is a policy interval later
    later = followups(now + timedelta(days=31 + 16))
    assert later.examined == 1


def test_paid_claims_are_not_checked(client: Client) -> None:
    claim_id = submit_and_accept(client, "FU-2")
    poll(client)
    poll(client)
    assert claim(client, claim_id)["status"] in ("paid", "partially_paid")
    run = followups(utcnow() + timedelta(days=31))
    assert run.acted == 0
    assert run.detail.get("skipped_adjudicated") == 1
    assert followups(utcnow() + timedelta(days=400)).examined == 0


def test_large_due_set_fans_out_over_sqs_once_per_due_time(client: Client) -> None:
    from chalicelib import wiring
    from chalicelib.schedules.runs import Run
    from chalicelib.services.followup import run_followups
    from chalicelib.services.followup_worker import handle_followup_messages

    ids = [submit_and_accept(client, f"FU-FAN-{n}") for n in range(3)]
    poll(client)
    sent: list[str] = []
    at = utcnow() + timedelta(days=31)
    planning = Run("plan", "claim-followups", "manual", at)
    run_followups(
        planning, now=at, gateway_for=wiring.gateway_for, fanout=sent.extend, batch_size=2
    )
    assert planning.examined == 3
    assert len(sent) == 2  # batches of at most two claims
    event = {
        "Records": [
            {
                "messageId": f"m{i}",
                "body": body,
                "receiptHandle": "r",
                "attributes": {},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:claimgate-followups",
                "awsRegion": "us-east-1",
            }
            for i, body in enumerate([*sent, "not json"])
        ]
    }
    response = handle_followup_messages(event)
    assert response["batchItemFailures"] == [{"itemIdentifier": "m2"}]
    assert all(claim(client, i)["history"][-1]["source"] == "status_check" for i in ids)
    counts = [
        len([h for h in claim(client, i)["history"] if h["source"] == "status_check"]) for i in ids
    ]
    # The same messages delivered again: each claim was checked once for this due time.
    handle_followup_messages({"Records": event["Records"][:2]})
    again = [
        len([h for h in claim(client, i)["history"] if h["source"] == "status_check"]) for i in ids
    ]
    assert counts == again == [1, 1, 1]


def test_worker_is_wired_as_an_sqs_handler(client: Client) -> None:
    from app import app

    handlers = {name: fn for name, fn in app.handler_map.items()}
    assert "claim-followups-worker" in handlers
    assert "claim-followups" in handlers


def test_fanned_out_batches_reach_the_queue(client: Client) -> None:
    """The real fan-out: each batch is one SQS message on the follow-up queue, which the
    worker's messages are made of (and the deployed roles must allow it)."""
    import boto3

    from chalicelib import wiring
    from chalicelib.config import settings
    from chalicelib.schedules.runs import Run
    from chalicelib.services.followup import run_followups
    from chalicelib.store.queue import send_followup_messages

    for n in range(3):
        submit_and_accept(client, f"FU-SQS-{n}")
    poll(client)
    at = utcnow() + timedelta(days=31)
    planning = Run("plan", "claim-followups", "manual", at)
    run_followups(
        planning,
        now=at,
        gateway_for=wiring.gateway_for,
        fanout=send_followup_messages,
        batch_size=2,
    )
    assert planning.failed == 0, planning.errors
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.get_queue_url(QueueName=settings().followup_queue)["QueueUrl"]
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert len(received) == 2
    assert sum(len(json.loads(m["Body"])["claims"]) for m in received) == 3

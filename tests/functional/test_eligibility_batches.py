"""Eligibility for a list of upcoming visits, as a practice system sends it: 200 requests in
one batch answered at once with its id, checked in the background over the work queue with
progress to read, each request's answer kept (active, inactive, unknown member); a message
delivered twice asks no payer twice; a payer past its checks a minute is asked again later;
every problem of every request at once."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from chalice.test import Client

from scripts.local_queues import drain
from tests.functional.conftest import TENANT_B_KEY, headers
from tests.functional.test_eligibility import REQUEST

WORKER = "remittance-parts-worker"  # the work queue's worker: parts and batches


def requests(count: int) -> list[dict[str, Any]]:
    found = []
    for n in range(count):
        body = copy.deepcopy(REQUEST)
        prefix = "TRM" if n % 10 == 3 else ("UNK" if n % 10 == 7 else "W")
        body["subscriber"]["memberId"] = f"{prefix}{n:07d}"
        found.append(body)
    return found


def start(client: Client, body: object) -> Any:
    return client.http.post("/v1/eligibility/batches", headers=headers(), body=json.dumps(body))


def progress(client: Client, batch_id: str, key: str | None = None) -> Any:
    return client.http.get(
        f"/v1/eligibility/batches/{batch_id}", headers=headers(key) if key else headers()
    )


def test_a_batch_of_200_is_checked_in_the_background_with_progress(client: Client) -> None:
    started = start(client, {"requests": requests(200)})
    assert started.status_code == 202, started.body
    batch = started.json_body
    assert (batch["status"], batch["total"], batch["checked"]) == ("running", 200, 0)

    drain(WORKER, limit=5)  # five messages of ten
    halfway = progress(client, batch["batchId"]).json_body
    assert halfway["status"] == "running"
    assert halfway["checked"] + halfway["failed"] == 50

    drain(WORKER)
    done = progress(client, batch["batchId"]).json_body
    assert done["status"] == "done" and done["checked"] + done["failed"] == 200
    by_index = {r["index"]: r for r in done["results"]}
    assert by_index[0]["coverage"] == "active"
    assert by_index[3]["coverage"] == "inactive"  # TRM...: terminated
    assert by_index[7]["coverage"] == "rejected"  # UNK...: the payer knows no such member
    check = client.http.get(f"/v1/eligibility/{by_index[0]['eligibilityId']}", headers=headers())
    assert check.status_code == 200  # each answer is a check of its own, to read again
    assert progress(client, batch["batchId"], TENANT_B_KEY).status_code == 404


def test_a_message_delivered_twice_asks_no_payer_twice(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    import boto3

    from chalicelib.clock import utcnow
    from chalicelib.config import settings
    from chalicelib.services import eligibility_batches as service

    batch = start(client, {"requests": requests(12)}).json_body
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.get_queue_url(QueueName=settings().parts_queue)["QueueUrl"]
    sent = [
        m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    ]
    assert len(sent) == 2  # twelve requests, ten a message
    from chalicelib.services import eligibility

    asked: list[str] = []
    real = eligibility.check_eligibility

    def counted(tenant_id: str, inquiry: Any, *, now: Any) -> Any:
        asked.append(inquiry.subscriber.member_id)
        return real(tenant_id, inquiry, now=now)

    monkeypatch.setattr(service, "check_eligibility", counted)
    for body in sent + sent:
        service.work_message(body, now=utcnow())
    assert len(asked) == 12  # the second delivery found every answer there
    assert progress(client, batch["batchId"]).json_body["status"] == "done"


def test_a_payer_past_its_checks_a_minute_is_asked_again_later(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.config import settings

    monkeypatch.setenv("CLAIMGATE_ELIGIBILITY_PER_PAYER_PER_MINUTE", "15")
    settings.cache_clear()
    try:
        batch = start(client, {"requests": requests(30)}).json_body
        done, failed = drain(WORKER, limit=3)
        assert (done, failed) == (1, 2)  # ten answered, then five, then the minute is up
        first = progress(client, batch["batchId"]).json_body
        assert first["checked"] + first["failed"] == 15 and first["status"] == "running"
    finally:
        monkeypatch.delenv("CLAIMGATE_ELIGIBILITY_PER_PAYER_PER_MINUTE")
        settings.cache_clear()


def test_every_problem_of_every_request_at_once(client: Client) -> None:
    bad = requests(3)
    del bad[1]["subscriber"]["memberId"]
    bad[2]["tradingPartnerServiceId"] = "!"
    answer = start(client, {"requests": bad})
    assert answer.status_code == 422
    fields = {e["field"] for e in answer.json_body["errors"]}
    assert "requests[2].tradingPartnerServiceId" in fields
    assert any(f.startswith("requests[1].subscriber") for f in fields)
    assert start(client, {"requests": []}).status_code == 422
    assert start(client, {"requests": requests(1001)}).status_code == 422

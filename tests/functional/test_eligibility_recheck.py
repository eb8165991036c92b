"""Coverage confirmed before claims go out, where the payer's policy asks for it: a claim
without a recent answer waits (`verify`) instead of being sent; the eligibility-recheck
schedule sends it over the work queue, the payer is asked, and the claim is released (covered)
or rejected onto the worklist (coverage ended); a claim whose patient was checked recently goes
out at once; a message delivered twice asks no payer twice."""

from __future__ import annotations

import json
from typing import Any

import pytest
from chalice.test import Client

from scripts.local_queues import drain
from tests.functional.conftest import contract, headers, run_schedule
from tests.functional.test_eligibility import check, claim_for, member

WORKER = "remittance-parts-worker"


def verify_before_sending(client: Client, days: int | None = 30) -> None:
    policy = client.http.get("/v1/payers/SBX01", headers=headers()).json_body["policy"]
    policy["verifyEligibilityDays"] = days
    answer = client.http.put(
        "/v1/payers/SBX01", headers=headers(), body=json.dumps({"policy": policy})
    )
    assert answer.status_code == 200, answer.body


def created(client: Client, body: dict[str, Any]) -> dict[str, Any]:
    answer = client.http.post("/v1/claims", headers=headers(), body=json.dumps(body))
    assert answer.status_code == 201, answer.body
    result: dict[str, Any] = answer.json_body
    return result


def claim(client: Client, claim_id: str) -> dict[str, Any]:
    body: dict[str, Any] = client.http.get(f"/v1/claims/{claim_id}", headers=headers()).json_body
    return body


def test_claims_wait_for_their_coverage_check_and_go_by_the_answer(client: Client) -> None:
    verify_before_sending(client)
    covered = created(client, claim_for("W555000111"))
    ended = created(client, claim_for("TRM5550001"))
    assert (covered["status"], covered["nextAction"]) == ("queued", "verify")
    # Checked a moment ago (the claim's patient and date of service): no need to wait.
    asked = member("W555000222")
    asked["subscriber"]["dateOfBirth"] = "19620314"
    asked["encounter"]["dateOfService"] = "20261116"
    assert check(client, asked).status_code == 200
    fresh = created(client, claim_for("W555000222"))
    assert fresh["nextAction"] == "send"

    run_schedule(client, "clearinghouse-poll")  # sends only what may go
    assert claim(client, covered["claimId"])["status"] == "queued"
    assert claim(client, fresh["claimId"])["status"] in ("submitted", "accepted")

    recheck = run_schedule(client, "eligibility-recheck")
    assert (recheck["examined"], recheck["acted"]) == (2, 2)
    assert run_schedule(client, "eligibility-recheck")["examined"] == 0  # taken: not twice
    drain(WORKER)

    released = claim(client, covered["claimId"])
    assert (released["status"], released["nextAction"]) == ("queued", "send")
    assert released["history"][-1]["codes"] == ["eligibility:verified"]
    assert released["history"][-1]["detail"]["eligibilityId"].startswith("elg_")
    rejected = claim(client, ended["claimId"])
    assert (rejected["status"], rejected["nextAction"]) == ("rejected", None)
    assert rejected["history"][-1]["codes"] == ["coverage_inactive"]
    worklist = client.http.get("/v1/worklist?kind=scrub_rejected", headers=headers()).json_body
    assert ended["claimId"] in {item["claimId"] for item in worklist["items"]}

    run_schedule(client, "clearinghouse-poll")
    assert claim(client, covered["claimId"])["status"] in ("submitted", "accepted")


def test_without_the_policy_claims_go_out_at_once(client: Client) -> None:
    verify_before_sending(client, None)
    body = contract("claim-basic.json")
    assert created(client, body)["nextAction"] == "send"


def test_a_claim_message_delivered_twice_asks_the_payer_once(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    import boto3

    from chalicelib.clock import utcnow
    from chalicelib.config import settings
    from chalicelib.services import eligibility_recheck

    verify_before_sending(client)
    ids = [created(client, claim_for(f"W5550003{n:02d}"))["claimId"] for n in range(3)]
    run_schedule(client, "eligibility-recheck")
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.get_queue_url(QueueName=settings().parts_queue)["QueueUrl"]
    [body] = [m["Body"] for m in sqs.receive_message(QueueUrl=url)["Messages"]]
    assert "W5550003" not in body  # claim ids on the queue, never the member

    from chalicelib.services.eligibility import check_eligibility as real

    asked: list[str] = []

    def counted(tenant_id: str, inquiry: Any, *, now: Any) -> Any:
        asked.append(inquiry.subscriber.member_id)
        return real(tenant_id, inquiry, now=now)

    monkeypatch.setattr("chalicelib.services.eligibility_recheck.check_eligibility", counted)
    assert eligibility_recheck.work_message(body, now=utcnow()) == 3
    assert eligibility_recheck.work_message(body, now=utcnow()) == 0
    assert sorted(asked) == [f"W5550003{n:02d}" for n in range(3)]
    assert {claim(client, i)["nextAction"] for i in ids} == {"send"}

"""Webhooks out, to a real HTTP receiver on 127.0.0.1: a billing service registered for
`claim.paid` is told, with a valid signature and no PHI; a receiver that fails is retried
with backoff and gets the event on a later try; after the last try the delivery is dead and
can be replayed; overlapping runs deliver each event once; tenants hear only of their own."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from chalice.test import Client

from chalicelib.clock import utcnow
from chalicelib.payers.gateways.webhooks import MAX_ATTEMPTS, verify
from tests.functional.conftest import TENANT_B_KEY, contract, headers
from tests.functional.test_clearinghouse_loop import claim, poll
from tests.http_receiver import Receiver, receiving
from tests.reliability.harness import in_parallel


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as running:
        yield running


def register(client: Client, url: str, events: list[str], key: str | None = None) -> Any:
    answer = client.http.post(
        "/v1/webhooks",
        headers=headers(key) if key else headers(),
        body=json.dumps({"url": url, "events": events}),
    )
    assert answer.status_code == 201, answer.body
    return answer.json_body


def deliver(at: datetime) -> dict[str, Any]:
    """One webhook-deliveries run at `at` (the service's clock, moved on by the test)."""
    from chalicelib.schedules.registry import WEBHOOK_DELIVERIES
    from chalicelib.services.runs import execute

    run = execute(WEBHOOK_DELIVERIES.name, trigger="manual", clock=lambda: at)
    return {"acted": run.acted, "failed": run.failed, "errors": [e.message for e in run.errors]}


def events_of(receiver: Receiver) -> list[dict[str, Any]]:
    return [json.loads(r.body) for r in receiver.received]


def paid_claim(client: Client, number: int = 1) -> str:
    body = contract("claim-basic.json")
    body["claimInformation"]["patientControlNumber"] = f"WEBHOOK-{number}"
    created = client.http.post("/v1/claims", headers=headers(), body=json.dumps(body))
    assert created.status_code == 201, created.body
    claim_id: str = created.json_body["claimId"]
    poll(client)
    poll(client)
    assert claim(client, claim_id)["status"] in ("paid", "partially_paid")
    return claim_id


def test_a_billing_service_is_told_the_claim_was_paid(client: Client, receiver: Receiver) -> None:
    hook = register(client, receiver.url, ["claim.paid", "claim.status_changed"])
    secret = hook["signingSecret"]
    assert secret.startswith("whsec_")
    listed = client.http.get("/v1/webhooks", headers=headers()).json_body["webhooks"]
    assert [w["webhookId"] for w in listed] == [hook["webhookId"]]
    assert "signingSecret" not in listed[0]  # shown once, at registration

    claim_id = paid_claim(client)
    now = utcnow()
    run = deliver(now)
    assert run["failed"] == 0, run["errors"]
    events = events_of(receiver)
    paid = [e for e in events if e["type"] == "claim.paid"]
    assert len(paid) == 1 and paid[0]["data"]["claimId"] == claim_id
    assert paid[0]["data"]["status"] in ("paid", "partially_paid")
    changes = [e["data"]["status"] for e in events if e["type"] == "claim.status_changed"]
    assert changes[0] == "queued" and changes[-1] in ("paid", "partially_paid")
    for request in receiver.received:
        assert verify(secret, request.headers["claimgate-signature"], request.body, now=now)
        assert not verify(
            "whsec_other", request.headers["claimgate-signature"], request.body, now=now
        )
        assert request.headers["claimgate-delivery"] == json.loads(request.body)["id"]
    # No PHI: nothing of the patient's in any body.
    patient = contract("claim-basic.json")["subscriber"]
    text = b" ".join(r.body for r in receiver.received).decode()
    for value in (patient["lastName"], patient["firstName"], patient["memberId"]):
        assert value not in text
    # Nothing is announced twice.
    assert deliver(now + timedelta(minutes=5))["acted"] == 0
    assert len(receiver.received) == len(events)


def test_a_failing_receiver_gets_the_event_on_the_fourth_try(
    client: Client, receiver: Receiver
) -> None:
    hook = register(client, receiver.url, ["claim.paid"])
    paid_claim(client)
    receiver.answers = [500, 500, 500]
    at = utcnow()
    for minutes in (0, 1, 3):  # the tries back off: 30 s, 1 min, 2 min
        run = deliver(at + timedelta(minutes=minutes))
        assert run["failed"] == 1 and "answered 500" in run["errors"][0]
    assert deliver(at + timedelta(minutes=3, seconds=30))["acted"] == 0  # not due yet
    assert deliver(at + timedelta(minutes=6))["acted"] == 1
    assert [json.loads(r.body)["type"] for r in receiver.received] == ["claim.paid"] * 4
    assert len({r.headers["claimgate-delivery"] for r in receiver.received}) == 1
    [delivery] = client.http.get(
        f"/v1/webhooks/{hook['webhookId']}/deliveries", headers=headers()
    ).json_body["deliveries"]
    assert (delivery["status"], delivery["attempts"], delivery["lastStatusCode"]) == (
        "delivered",
        4,
        200,
    )


def test_after_the_last_try_the_delivery_is_dead_and_can_be_replayed(
    client: Client, receiver: Receiver
) -> None:
    hook = register(client, receiver.url, ["claim.paid"])
    paid_claim(client)
    receiver.answers = [503] * MAX_ATTEMPTS
    at = utcnow()
    for hour in range(MAX_ATTEMPTS):
        deliver(at + timedelta(hours=hour))
    path = f"/v1/webhooks/{hook['webhookId']}/deliveries"
    [dead] = client.http.get(path, headers=headers()).json_body["deliveries"]
    assert (dead["status"], dead["attempts"]) == ("dead", MAX_ATTEMPTS)
    assert deliver(at + timedelta(days=1))["acted"] == 0  # a dead delivery is not tried again
    replayed = client.http.post(f"{path}/{dead['deliveryId']}/replay", headers=headers(), body="{}")
    assert replayed.status_code == 202, replayed.body
    assert deliver(utcnow() + timedelta(seconds=1))["acted"] == 1
    [done] = client.http.get(path, headers=headers()).json_body["deliveries"]
    assert done["status"] == "delivered"


def test_overlapping_runs_deliver_each_event_once(client: Client, receiver: Receiver) -> None:
    register(client, receiver.url, ["claim.status_changed", "claim.paid"])
    for number in range(3):
        paid_claim(client, number)
    at = utcnow()
    in_parallel([lambda: deliver(at) for _ in range(4)])
    ids = [r.headers["claimgate-delivery"] for r in receiver.received]
    assert ids and len(ids) == len(set(ids))
    assert sum(json.loads(r.body)["type"] == "claim.paid" for r in receiver.received) == 3


def test_tenants_hear_only_of_their_own_claims(client: Client, receiver: Receiver) -> None:
    register(client, receiver.url, ["claim.status_changed"], key=TENANT_B_KEY)
    paid_claim(client)  # tenant-a's
    deliver(utcnow())
    assert receiver.received == []
    other = client.http.get("/v1/webhooks", headers=headers(TENANT_B_KEY)).json_body
    hook_id = other["webhooks"][0]["webhookId"]
    assert client.http.delete(f"/v1/webhooks/{hook_id}", headers=headers()).status_code == 404


def test_bad_registrations_get_field_errors(client: Client) -> None:
    cases = [
        ({"url": "http://example.com/hook", "events": ["claim.paid"]}, "url"),
        ({"url": "https://example.com/hook", "events": ["claim.eaten"]}, "events[0]"),
        ({"url": "https://example.com/hook", "events": []}, "events"),
        ({"url": "https://example.com/hook", "events": ["claim.paid"], "x": 1}, "x"),
    ]
    for body, field in cases:
        answer = client.http.post("/v1/webhooks", headers=headers(), body=json.dumps(body))
        assert answer.status_code == 422, body
        assert answer.json_body["errors"][0]["field"] == field


def test_unmatched_remittances_and_failed_runs_are_announced(
    client: Client, receiver: Receiver
) -> None:
    from chalicelib import wiring
    from tests.conftest import X12_SAMPLES
    from tests.functional.test_clearinghouse_loop import BrokenGateway

    register(client, receiver.url, ["remittance.unmatched", "run.failed"])
    sample = (X12_SAMPLES / "835" / "managed-care.835").read_bytes()
    client.http.post(
        "/v1/remittances", headers=headers(**{"Content-Type": "application/edi-x12"}), body=sample
    )
    client.http.post("/v1/claims", headers=headers(), body=json.dumps(contract("claim-basic.json")))
    wiring.use_gateway("sandbox", BrokenGateway())
    try:
        failed = poll(client)
    finally:
        wiring.use_gateway("sandbox", None)
    assert failed["failed"] >= 1
    deliver(utcnow())
    events = events_of(receiver)
    unmatched = [e["data"] for e in events if e["type"] == "remittance.unmatched"]
    assert len(unmatched) == 2 and all(u["amount"] for u in unmatched)
    [run] = [e["data"] for e in events if e["type"] == "run.failed"]
    assert run["runId"] == failed["runId"] and run["schedule"] == "clearinghouse-poll"
    assert run["failed"] >= 1 and run["codes"]


def test_worklist_items_a_change_creates_are_announced(client: Client, receiver: Receiver) -> None:
    register(client, receiver.url, ["worklist.item_created"])
    body = contract("claim-basic.json")
    body["subscriber"]["memberId"] = "UNK42"  # the payer does not know the member
    body["claimInformation"]["patientControlNumber"] = "WORK-1"
    client.http.post("/v1/claims", headers=headers(), body=json.dumps(body))
    # claim-basic as it is: the sandbox underpays its 99214 against the contract (flagged)
    client.http.post("/v1/claims", headers=headers(), body=json.dumps(contract("claim-basic.json")))
    poll(client)
    poll(client)
    deliver(utcnow())
    created = [e["data"] for e in events_of(receiver)]
    assert {"not_found_at_payer", "underpaid"} <= {item["kind"] for item in created}
    work = client.http.get("/v1/worklist", headers=headers()).json_body["items"]
    assert {w["kind"] for w in work} >= {item["kind"] for item in created}
    assert all(item["claimId"] and item["suggestedAction"] for item in created)
    assert deliver(utcnow() + timedelta(minutes=5))["acted"] == 0  # each item announced once

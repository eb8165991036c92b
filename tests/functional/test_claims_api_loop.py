"""A claim through a JSON clearinghouse API (a real HTTP server on 127.0.0.1 started by the
test): it goes out as a professional claims v3 request under the clearinghouse's payer id and
our submitter id, the 277CA and 835 reports are collected by the next poll (or pushed to the
account's signed inbound URL) and the claim ends paid; a claim the clearinghouse refuses is
`clearinghouse_rejected` with its errors under our request paths; a 429 keeps the claim
queued until after its Retry-After; reports seen twice change nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from chalice.test import Client

from chalicelib.clock import utcnow
from chalicelib.payers.gateways.webhooks import signature
from tests.claim_files import interchange_837p
from tests.claims_api_server import ClaimsApiServer, Fault
from tests.functional.conftest import TENANT_B_KEY, contract, headers
from tests.functional.test_clearinghouse_loop import claim, poll, submit
from tests.functional.test_sftp_mailbox import answers_to

SUBMITTER = "ETINJ0001"
RECEIVER = "SANDBOXCH"
WEBHOOK_SECRET = "whsec-0123456789abcdef"


@pytest.fixture
def server() -> Iterator[ClaimsApiServer]:
    with ClaimsApiServer() as running:
        yield running


def account_body(server: ClaimsApiServer, **changes: Any) -> dict[str, Any]:
    body = {
        "kind": "http_json",
        "baseUrl": server.url,
        "tokenUrl": server.token_url,
        "clientId": server.client_id,
        "clientSecret": server.client_secret,
        "webhookSecret": WEBHOOK_SECRET,
        "submitterId": SUBMITTER,
        "receiverId": RECEIVER,
    }
    return {**body, **changes}


@pytest.fixture
def api(client: Client, server: ClaimsApiServer) -> ClaimsApiServer:
    """tenant-a's SBX01 claims go through its JSON clearinghouse account `ch`."""
    answer = client.http.put(
        "/v1/clearinghouses/ch", headers=headers(), body=json.dumps(account_body(server))
    )
    assert answer.status_code == 201, answer.body
    route = {"clearinghouse": "ch", "clearinghousePayerId": "SBX01"}
    routed = client.http.put("/v1/payers/SBX01/route", headers=headers(), body=json.dumps(route))
    assert routed.status_code == 200, routed.body
    return server


def reports_for(request: dict[str, Any]) -> list[tuple[str, bytes]]:
    """What the clearinghouse and payer send back for a claims v3 request: the sandbox's
    277CA and 835 for the same claim (no 999: a JSON API answers at once instead)."""
    interchange = interchange_837p(
        [request], sender=SUBMITTER, receiver=RECEIVER, control=int(request["controlNumber"])
    )
    return [(n, c) for n, c in answers_to(interchange) if b"*999*" not in c]


def test_a_claim_goes_out_as_json_and_comes_back_paid(client: Client, api: ClaimsApiServer) -> None:
    claim_id = submit(client, "claim-basic.json")
    sent = poll(client)
    assert sent["failed"] == 0, sent["errors"]
    submitted = claim(client, claim_id)
    assert submitted["status"] == "submitted"
    [request] = api.submissions
    assert request["submitter"]["submitterIdentification"] == SUBMITTER
    assert request["tradingPartnerServiceId"] == "SBX01"
    assert (
        request["claimInformation"]["patientControlNumber"]
        == (contract("claim-basic.json")["claimInformation"]["patientControlNumber"])
    )
    sent_event = next(e for e in submitted["history"] if e["event"] == "sent")
    assert sent_event["detail"]["reference"] == "CORR000001"
    # The archived copy is the very request the clearinghouse got.
    archived = client.http.get(f"/v1/claims/{claim_id}/x12", headers=headers())
    assert json.loads(archived.body) == request

    for name, content in reports_for(request):
        api.add_report(name, content)
    collected = poll(client)
    assert collected["failed"] == 0, collected["errors"]
    paid = claim(client, claim_id)
    assert paid["status"] in ("paid", "partially_paid"), paid["history"]
    assert paid["payments"][0]["paid"] == "149.20"
    assert api.reports == {}  # applied reports are deleted at the clearinghouse
    assert len(api.deleted) == 2

    # The same 835 offered again: nothing posts twice, and it is let go again.
    remit = next(c for _, c in reports_for(request) if b"*835*" in c)
    api.add_report("again.835", remit)
    assert poll(client)["failed"] == 0
    assert len(claim(client, claim_id)["payments"]) == 1
    assert api.reports == {}
    assert len(api.submissions) == 1  # the claim was sent once


def test_a_refused_claim_is_rejected_with_the_fields_named(
    client: Client, api: ClaimsApiServer
) -> None:
    api.edits.append(
        lambda request: [
            {
                "field": "subscriber.memberId",
                "code": "72",
                "description": "Invalid/Missing Subscriber/Insured ID",
                "followupAction": "Please Correct and Resubmit",
            }
        ]
    )
    claim_id = submit(client, "claim-basic.json")
    run = poll(client)
    assert run["failed"] == 0, run["errors"]  # a claim for the biller, not a failed run
    refused = claim(client, claim_id)
    assert refused["status"] == "clearinghouse_rejected"
    last = refused["history"][-1]
    assert last["event"] == "clearinghouse_rejected"
    assert last["codes"] == ["CH:72"]
    assert last["detail"]["subscriber.memberId"] == "72: Invalid/Missing Subscriber/Insured ID"
    work = client.http.get("/v1/worklist?kind=clearinghouse_rejected", headers=headers())
    assert [i["claimId"] for i in work.json_body["items"]] == [claim_id]
    assert poll(client)["failed"] == 0
    assert api.submissions == [] and len(api.requests) >= 1  # asked once, never resent


def test_429_keeps_the_claim_queued_past_its_retry_after(
    client: Client, api: ClaimsApiServer
) -> None:
    api.fail_next("/professionalclaims", Fault("status", 429, retry_after="600"))
    claim_id = submit(client, "claim-basic.json")
    before = utcnow()
    run = poll(client)
    assert run["failed"] >= 1
    assert any("429" in e["message"] for e in run["errors"]), run["errors"]
    waiting = claim(client, claim_id)
    assert waiting["status"] == "queued"
    failed = waiting["history"][-1]
    assert failed["event"] == "send_failed"
    retry_at = datetime.fromisoformat(failed["detail"]["retryAt"])
    assert retry_at >= before + timedelta(seconds=600)
    assert poll(client)["failed"] == 0  # not due yet: nothing is sent before it
    assert api.submissions == []


def test_a_server_that_answers_500_fails_the_run_and_loses_nothing(
    client: Client, api: ClaimsApiServer
) -> None:
    api.fail_next("/reports", Fault("status", 500))
    run = poll(client)
    assert any("500" in e["message"] for e in run["errors"]), run["errors"]
    assert poll(client)["failed"] == 0


def push(
    client: Client,
    inbound_url: str,
    content: bytes,
    *,
    secret: str = WEBHOOK_SECRET,
    at: float | None = None,
) -> Any:
    body = json.dumps({"name": "pushed.835", "report_content": content.decode()}).encode()
    signed = signature(secret, int(at if at is not None else utcnow().timestamp()), body)
    return client.http.post(
        inbound_url,
        headers={"Content-Type": "application/json", "Claimgate-Signature": signed},
        body=body,
    )


def test_a_pushed_report_is_verified_and_applied_once(client: Client, api: ClaimsApiServer) -> None:
    account = client.http.get("/v1/clearinghouses/ch", headers=headers()).json_body
    inbound_url = account["inboundUrl"]
    assert inbound_url.startswith("/v1/inbound/ib_")
    assert "clientSecret" not in account and "webhookSecret" not in account
    claim_id = submit(client, "claim-basic.json")
    poll(client)
    [request] = api.submissions
    remit = next(c for _, c in reports_for(request) if b"*835*" in c)

    # Unsigned, wrongly signed, too old, or to an address nobody has: refused alike.
    unsigned = client.http.post(
        inbound_url, headers={"Content-Type": "application/json"}, body=b"{}"
    )
    assert unsigned.status_code == 401
    assert push(client, inbound_url, remit, secret="not-the-secret-at-all").status_code == 401
    assert push(client, inbound_url, remit, at=utcnow().timestamp() - 3600).status_code == 401
    assert push(client, "/v1/inbound/ib_nobody", remit).status_code == 401
    assert claim(client, claim_id)["payments"] == []

    applied = push(client, inbound_url, remit)
    assert applied.status_code == 200, applied.body
    assert applied.json_body["status"] == "applied"
    assert claim(client, claim_id)["payments"][0]["paid"] == "149.20"
    again = push(client, inbound_url, remit)  # the clearinghouse retries its push
    assert again.status_code == 200 and again.json_body["status"] == "duplicate"
    api.add_report("R1.835", remit)  # and also offers it for polling
    assert poll(client)["failed"] == 0
    assert len(claim(client, claim_id)["payments"]) == 1


def sent_and_remitted(client: Client, api: ClaimsApiServer) -> tuple[str, str, bytes]:
    """The account's inbound URL, a claim sent through the JSON API, the 835 that pays it."""
    inbound_url = client.http.get("/v1/clearinghouses/ch", headers=headers()).json_body[
        "inboundUrl"
    ]
    claim_id = submit(client, "claim-basic.json")
    poll(client)
    [request] = api.submissions
    remit = next(c for _, c in reports_for(request) if b"*835*" in c)
    return str(inbound_url), claim_id, remit


def test_a_push_for_another_practice_is_reported_not_applied(
    client: Client, api: ClaimsApiServer
) -> None:
    inbound_url, claim_id, remit = sent_and_remitted(client, api)
    stranger = remit.replace(SUBMITTER.ljust(15).encode(), b"ETINOTHER".ljust(15))
    answer = push(client, inbound_url, stranger)
    assert answer.status_code == 422, answer.body
    assert claim(client, claim_id)["payments"] == []


def test_the_account_is_checked_and_its_secrets_never_come_back(
    client: Client, server: ClaimsApiServer
) -> None:
    def put(body: dict[str, Any], key: str | None = None) -> Any:
        return client.http.put(
            "/v1/clearinghouses/ch",
            headers=headers(key) if key else headers(),
            body=json.dumps(body),
        )

    insecure = put(account_body(server, baseUrl="http://clearinghouse.example.com/api"))
    assert insecure.status_code == 422 and "https" in insecure.body.decode()
    half = put(account_body(server, clientSecret=None))
    assert half.status_code == 422
    mixed = put(account_body(server, host="sftp.example.com"))
    assert mixed.status_code == 422 and "host" in mixed.body.decode()
    no_credentials = {
        k: v
        for k, v in account_body(server).items()
        if k not in ("clientId", "clientSecret", "tokenUrl", "webhookSecret")
    }
    assert put(no_credentials).status_code == 422  # a new account needs credentials
    created = put(account_body(server))
    assert created.status_code == 201, created.body
    shown = created.json_body
    assert shown["baseUrl"] == server.url and shown["secretStored"] is True
    for secret in ("clientSecret", "clientId", "webhookSecret", "apiKey"):
        assert secret not in shown
    assert server.client_secret not in created.body.decode()
    assert put(no_credentials).status_code == 200  # an update keeps the stored secret
    assert client.http.get("/v1/clearinghouses/ch", headers=headers(TENANT_B_KEY)).status_code == (
        404
    )


def test_a_batch_formed_for_x12_is_split_when_its_account_became_a_json_api(
    client: Client, api: ClaimsApiServer
) -> None:
    """A run died while forming a two-claim interchange; meanwhile the account became a JSON
    API, which takes one claim per request. The run that takes the batch over sends one claim
    and puts the other back in the queue: nothing is lost, nothing sent twice."""
    from dataclasses import replace

    from chalicelib.store import batches
    from chalicelib.wiring import claim_repository

    ids = []
    for pcn in ("PCN-SPLIT-1", "PCN-SPLIT-2"):
        body = contract("claim-basic.json")
        body["claimInformation"]["patientControlNumber"] = pcn
        created = client.http.post("/v1/claims", headers=headers(), body=json.dumps(body))
        assert created.status_code == 201, created.body
        ids.append(created.json_body["claimId"])
    for claim_id in ids:
        record = claim_repository().load_claim("tenant-a", claim_id)
        assert record is not None
        joined = replace(record, batch_id="000000077", next_action=None, due_at=None)
        claim_repository().save_claim_change(joined, ())
    batches.save_batch(
        batches.Batch(
            tenant_id="tenant-a",
            batch_id="000000077",
            gateway="ch",
            account=SUBMITTER,
            control_number="000000077",
            archive_key="",
            claim_ids=tuple(ids),
            status="forming",
            attempts=0,
            created_at=utcnow() - timedelta(hours=1),
            due_at=utcnow() - timedelta(minutes=30),  # its owner's lease ran out
        )
    )
    first = poll(client)
    assert first["failed"] == 0, first["errors"]
    assert len(api.submissions) == 1
    second = poll(client)
    assert second["failed"] == 0, second["errors"]
    assert sorted(claim(client, i)["status"] for i in ids) == ["submitted", "submitted"]
    assert len(api.submissions) == 2
    assert len({s["controlNumber"] for s in api.submissions}) == 2

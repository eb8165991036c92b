"""The whole loop through the API on the embedded sandbox clearinghouse: submit, acknowledge,
adjudicate, post; operators see every run."""

from __future__ import annotations

import json
from typing import Any

from chalice.test import Client

from chalicelib.clock import utcnow
from tests.claim_files import interchange_837p
from tests.functional.conftest import TENANT_B_KEY, contract, headers


def submit(client: Client, name: str) -> str:
    response = client.http.post("/v1/claims", headers=headers(), body=json.dumps(contract(name)))
    assert response.status_code == 201, response.body
    claim_id: str = response.json_body["claimId"]
    return claim_id


def poll(client: Client) -> dict[str, Any]:
    response = client.http.post("/v1/schedules/clearinghouse-poll/runs", headers=headers())
    assert response.status_code == 201, response.body
    run: dict[str, Any] = response.json_body
    return run


def claim(client: Client, claim_id: str) -> dict[str, Any]:
    response = client.http.get(f"/v1/claims/{claim_id}", headers=headers())
    assert response.status_code == 200
    body: dict[str, Any] = response.json_body
    return body


def test_claim_travels_queued_submitted_accepted_paid(client: Client) -> None:
    claim_id = submit(client, "claim-basic.json")
    first = poll(client)
    assert first["failed"] == 0, first["errors"]
    after_first = claim(client, claim_id)
    assert after_first["status"] == "accepted"
    statuses = [h["toStatus"] for h in after_first["history"]]
    assert statuses[:3] == ["queued", "submitted", "submitted"]  # created, sent, 999 accepted
    assert after_first["history"][-1]["codes"][0].startswith("A2")
    x12 = client.http.get(f"/v1/claims/{claim_id}/x12", headers=headers())
    assert x12.status_code == 200
    assert "CLM*MSFP-2026-0001*245" in x12.body.decode()

    second = poll(client)
    assert second["failed"] == 0, second["errors"]
    paid = claim(client, claim_id)
    assert paid["status"] in ("paid", "partially_paid")
    assert paid["status"] == paid["history"][-1]["toStatus"]
    [payment] = paid["payments"]
    assert payment["payerId"] == "SBX01"
    assert payment["paid"] == "149.20"
    assert payment["statusCode"] == "1"
    lines = {line["procedureCode"]: line for line in payment["lines"]}
    assert set(lines) == {"99214", "83036"}
    assert lines["99214"]["matchedBy"] == "line_control_number"
    assert lines["99214"]["lineNumber"] == 1
    assert lines["99214"]["allowed"] == "154.80"  # the sandbox's deliberate 10% underpayment
    adjustments = [a for line in payment["lines"] for a in line["adjustments"]]
    assert {(a["group"], a["reason"]) for a in adjustments} >= {("CO", "45")}
    assert all(a["description"] for a in adjustments)
    # The sandbox pays 99214 10 % under the contract seeded for the tenant: flagged.
    [flag] = paid["flags"]
    assert (flag["kind"], flag["lineNumber"], flag["procedureCode"]) == ("underpaid", 1, "99214")
    assert (flag["expected"], flag["actual"], flag["difference"]) == ("172.00", "154.80", "17.20")


def test_same_remittance_posted_twice_changes_nothing(client: Client) -> None:
    claim_id = submit(client, "claim-basic.json")
    poll(client)
    poll(client)
    before = claim(client, claim_id)
    # Take the 835 the sandbox delivered from the archive and post it again by upload.
    from chalicelib.store.archive import load_raw

    remits = [item for item in _all_remittances("tenant-a") if item.result.get("state") == "posted"]
    assert len(remits) == 1
    content = load_raw(remits[0].archive_key)
    again = client.http.post(
        "/v1/remittances", headers=headers(**{"Content-Type": "application/edi-x12"}), body=content
    )
    assert again.status_code == 200, again.body
    assert again.json_body["status"] == "duplicate"  # the same file (sha256)
    # Other bytes (a line break after each segment), same payer and TRN02: the remittance is
    # recognised and answered with its earlier result.
    reformatted = content.replace(b"~", b"~\n")
    third = client.http.post(
        "/v1/remittances",
        headers=headers(**{"Content-Type": "application/edi-x12"}),
        body=reformatted,
    )
    assert third.status_code == 200, third.body
    [earlier] = third.json_body["remittances"]
    assert earlier["duplicate"] is True
    assert earlier["claimsPosted"] == [claim_id]
    after = claim(client, claim_id)
    assert after["history"] == before["history"]
    assert after["payments"] == before["payments"]


def _all_remittances(tenant_id: str) -> list[Any]:
    from chalicelib.store.models import Item, RemittanceItem

    return [
        item
        for item in Item.scan(Item.pk.startswith(f"T#{tenant_id}#REMIT#"))
        if isinstance(item, RemittanceItem)
    ]


def test_runs_are_recorded_and_listed_for_operators(client: Client) -> None:
    submit(client, "claim-basic.json")
    run = poll(client)
    assert run["schedule"] == "clearinghouse-poll"
    assert run["trigger"] == "manual"
    assert run["examined"] >= 1 and run["acted"] >= 1
    assert run["endedAt"] >= run["startedAt"]
    fetched = client.http.get(f"/v1/runs/{run['runId']}", headers=headers()).json_body
    assert fetched == run
    listed = client.http.get("/v1/runs?schedule=clearinghouse-poll", headers=headers())
    assert [r["runId"] for r in listed.json_body["runs"]] == [run["runId"]]
    schedules = client.http.get("/v1/schedules", headers=headers()).json_body["schedules"]
    assert "clearinghouse-poll" in [s["name"] for s in schedules]
    assert client.http.get("/v1/runs", headers=headers(TENANT_B_KEY)).status_code == 403


class BrokenGateway:
    """A clearinghouse that fails every call, like one that is down."""

    name = "sandbox"
    receiver_id = "SANDBOXCH"
    wire = "x12"

    def __init__(self) -> None:
        self.calls = 0
        self.sent: list[bytes] = []

    def submit(self, account: str, interchange: bytes) -> Any:
        from chalicelib.payers.gateways.base import GatewayTimeoutError

        self.calls += 1
        self.sent.append(interchange)
        raise GatewayTimeoutError("no answer in 30 s")

    def acknowledge(self, account: str, names: Any) -> None:
        self.calls += 1

    def fetch_inbound(self, account: str, cursor: str | None) -> Any:
        from chalicelib.payers.gateways.base import GatewayError

        self.calls += 1
        raise GatewayError("mailbox unavailable")

    def claim_status(self, account: str, inquiry: bytes) -> bytes:
        raise NotImplementedError

    def eligibility(self, account: str, inquiry: bytes) -> bytes:
        raise NotImplementedError

    def appeal(self, account: str, request: Any) -> bool:
        raise NotImplementedError


def test_failing_gateway_leaves_claims_queued_and_shows_in_the_run(client: Client) -> None:
    from chalicelib import wiring

    broken = BrokenGateway()
    wiring.use_gateway("sandbox", broken)
    claim_id = submit(client, "claim-basic.json")
    run = poll(client)
    assert run["failed"] >= 2
    codes = {(e["code"], e["claimId"]) for e in run["errors"]}
    assert ("gateway_error", claim_id) in codes
    assert any(e["code"] == "gateway_error" and e["claimId"] is None for e in run["errors"])
    failed = claim(client, claim_id)
    assert failed["status"] == "queued"
    assert failed["history"][-1]["event"] == "send_failed"
    # The retry waits for its backoff, then resends the very same interchange (same ISA13).
    from datetime import timedelta

    from chalicelib.services.runs import execute

    execute("clearinghouse-poll", trigger="manual", clock=utcnow)
    assert len(broken.sent) == 1  # not due yet
    later = utcnow() + timedelta(minutes=5)
    execute("clearinghouse-poll", trigger="manual", clock=lambda: later)
    assert len(broken.sent) == 2
    assert broken.sent[0] == broken.sent[1]
    # The clearinghouse comes back: the same interchange goes through, the claim is submitted
    # once, in one interchange.
    wiring.use_gateway("sandbox", None)
    much_later = later + timedelta(hours=3)
    execute("clearinghouse-poll", trigger="manual", clock=lambda: much_later)
    recovered = claim(client, claim_id)
    assert recovered["status"] == "accepted"
    sent = [h for h in recovered["history"] if h["event"] == "sent"]
    assert len(sent) == 1


def test_unknown_member_is_rejected_by_the_payer_with_codes(client: Client) -> None:
    body = contract("claim-basic.json")
    body["subscriber"]["memberId"] = "UNK0001"
    response = client.http.post("/v1/claims", headers=headers(), body=json.dumps(body))
    claim_id = response.json_body["claimId"]
    poll(client)
    rejected = claim(client, claim_id)
    assert rejected["status"] == "payer_rejected"
    assert any(code.startswith("A7") for code in rejected["history"][-1]["codes"])


def test_medicare_claim_is_crossed_over_to_medicaid(client: Client) -> None:
    claim_id = submit(client, "claim-medicare-with-secondary.json")
    poll(client)
    poll(client)
    crossed = claim(client, claim_id)
    [payment] = crossed["payments"]
    assert payment["statusCode"] == "19"
    assert payment["crossover"] is True
    assert "MA18" in {r["code"] for r in payment["remarks"]}


def test_unreadable_remittance_is_archived_and_nothing_applied(client: Client) -> None:
    from tests.conftest import X12_SAMPLES

    truncated = (X12_SAMPLES / "277CA" / "FromBogeyone.txt").read_bytes()
    response = client.http.post(
        "/v1/acknowledgments",
        headers=headers(**{"Content-Type": "application/edi-x12"}),
        body=truncated,
    )
    assert response.status_code == 422
    error = response.json_body["errors"][0]
    assert error["code"] == "x12_unreadable"
    assert error["segmentId"] == "HL" and error["segmentIndex"] == 10
    from chalicelib.store.archive import load_raw

    assert load_raw(response.json_body["archiveKey"]) == truncated


def test_remittance_route_refuses_other_file_types(client: Client) -> None:
    from tests.conftest import X12_SAMPLES

    ack = (X12_SAMPLES / "999" / "999 Sample (Accepted).txt").read_bytes()
    response = client.http.post(
        "/v1/remittances", headers=headers(**{"Content-Type": "application/edi-x12"}), body=ack
    )
    assert response.status_code == 422
    assert response.json_body["errors"][0]["code"] == "wrong_file_type"


def test_remittance_for_unknown_claims_goes_to_the_unmatched_queue(client: Client) -> None:
    from chalicelib.store.inbound import list_unmatched
    from tests.conftest import X12_SAMPLES

    sample = (X12_SAMPLES / "835" / "managed-care.835").read_bytes()
    response = client.http.post(
        "/v1/remittances", headers=headers(**{"Content-Type": "application/edi-x12"}), body=sample
    )
    assert response.status_code == 200, response.body
    assert response.json_body["unmatched"] == 2
    parked = list_unmatched("tenant-a")
    assert len(parked) == 2
    assert all(p.reason.startswith("835 claim payment") for p in parked)
    assert list_unmatched("tenant-b") == []


def test_claim_file_upload_scrubs_each_claim(client: Client) -> None:
    bad_body = contract("claim-basic.json")
    bad_body["claimInformation"]["claimChargeAmount"] = "999.00"
    text = interchange_837p([contract("claim-dependent.json"), bad_body])
    response = client.http.post(
        "/v1/claim-files",
        headers=headers(**{"Content-Type": "application/edi-x12"}),
        body=text,
    )
    assert response.status_code == 200, response.body
    results = response.json_body["claims"]
    assert [r["patientControlNumber"] for r in results] == ["MSFP-2026-0003", "MSFP-2026-0001"]
    assert results[0]["status"] == "queued"
    assert {e["code"] for e in results[1]["errors"]} == {"claim_charge_mismatch"}
    stored = claim(client, results[0]["claimId"])
    assert stored["history"][0]["source"] == "837-upload"
    assert stored["claim"]["dependent"]["relationshipToSubscriberCode"] == "19"


def test_unreadable_claim_file_is_a_located_422(client: Client) -> None:
    response = client.http.post(
        "/v1/claim-files",
        headers=headers(**{"Content-Type": "application/edi-x12"}),
        body=b"ISA*00*not an interchange",
    )
    assert response.status_code == 422
    assert response.json_body["errors"][0]["segmentId"] == "ISA"


def test_an_uploaded_claim_with_text_x12_cannot_carry_is_refused_alone(client: Client) -> None:
    from tests.conftest import ROOT

    good = (ROOT / "tests/golden/837p-claim-basic.x12").read_bytes()
    other = (ROOT / "tests/golden/837p-claim-dependent.x12").read_bytes()
    # A NUL inside the dependent's last name (NM1*QC, loop 2010CA): X12 cannot carry it.
    damaged = other.replace(b"NM1*QC*1*", b"NM1*QC*1*\x00", 1)
    assert damaged != other
    for content, refused in ((good, False), (damaged, True)):
        response = client.http.post(
            "/v1/claim-files",
            headers=headers(**{"Content-Type": "application/edi-x12"}),
            body=content,
        )
        assert response.status_code == 200, response.body
        [result] = response.json_body["claims"]
        if refused:
            assert result["claimId"] is None
            assert [e["code"] for e in result["errors"]] == ["invalid_character"]
            assert "NM103" in result["errors"][0]["message"]
        else:
            assert result["status"] == "queued"

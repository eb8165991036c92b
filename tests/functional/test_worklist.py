"""The worklist: what a biller must act on, straight from the claims' state."""

from __future__ import annotations

import json
from typing import Any

from chalice.test import Client

from tests.conftest import X12_SAMPLES
from tests.functional.conftest import TENANT_B_KEY, contract, headers


def poll(client: Client) -> None:
    response = client.http.post("/v1/schedules/clearinghouse-poll/runs", headers=headers())
    assert response.status_code == 201 and response.json_body["failed"] == 0, response.body


def worklist(client: Client, query: str = "", key: str | None = None) -> list[dict[str, Any]]:
    response = client.http.get(f"/v1/worklist{query}", headers=headers(key) if key else headers())
    assert response.status_code == 200, response.body
    items: list[dict[str, Any]] = response.json_body["items"]
    return items


def test_sandbox_underpayment_shows_on_the_worklist(client: Client) -> None:
    claim_id = client.http.post(
        "/v1/claims", headers=headers(), body=json.dumps(contract("claim-basic.json"))
    ).json_body["claimId"]
    assert worklist(client) == []
    poll(client)
    poll(client)
    [item] = worklist(client, "?kind=underpaid")
    assert item["claimId"] == claim_id
    assert item["payerId"] == "SBX01"
    assert item["amount"] == "17.20"
    assert "99214" in item["detail"] or item["codes"]
    assert item["suggestedAction"]
    assert worklist(client, "?kind=underpaid&payerId=SBXMCR") == []
    assert worklist(client, "?olderThan=2000-01-01T00:00:00Z") == []
    assert worklist(client, key=TENANT_B_KEY) == []


def test_payer_rejection_and_unmatched_remittance_are_listed(client: Client) -> None:
    body = contract("claim-basic.json")
    body["subscriber"]["memberId"] = "UNK42"
    client.http.post("/v1/claims", headers=headers(), body=json.dumps(body))
    poll(client)
    # A7:33:IL: the payer does not know the member: fix the member id and resubmit.
    [rejected] = worklist(client, "?kind=not_found_at_payer")
    assert any(code.startswith("A7") for code in rejected["codes"])
    assert rejected["suggestedAction"]
    sample = (X12_SAMPLES / "835" / "managed-care.835").read_bytes()
    client.http.post(
        "/v1/remittances", headers=headers(**{"Content-Type": "application/edi-x12"}), body=sample
    )
    unmatched = worklist(client, "?kind=unmatched_remittance")
    assert len(unmatched) == 2
    assert all(u["claimId"] is None for u in unmatched)
    kinds = {item["kind"] for item in worklist(client)}
    assert {"not_found_at_payer", "unmatched_remittance"} <= kinds


def test_worklist_rejects_bad_queries(client: Client) -> None:
    response = client.http.get("/v1/worklist?kind=lunch&olderThan=soon", headers=headers())
    assert response.status_code == 400
    assert {e["field"] for e in response.json_body["errors"]} == {"kind", "olderThan"}


def test_rate_change_rechecks_paid_claims(client: Client) -> None:
    claim_id = client.http.post(
        "/v1/claims", headers=headers(), body=json.dumps(contract("claim-basic.json"))
    ).json_body["claimId"]
    poll(client)
    poll(client)
    assert len(worklist(client, "?kind=underpaid")) == 1
    # The contract was renegotiated back to the start of the year: 99214 at 154.80.
    rows = [{"procedureCode": "99214", "amount": "154.80", "effectiveFrom": "2026-01-01"}]
    uploaded = client.http.put(
        "/v1/payers/SBX01/fee-schedules", headers=headers(), body=json.dumps(rows)
    )
    assert uploaded.status_code == 201
    run = client.http.post("/v1/schedules/payment-mismatches/runs", headers=headers()).json_body
    assert run["failed"] == 0 and run["acted"] == 1
    assert worklist(client, "?kind=underpaid") == []
    after = client.http.get(f"/v1/claims/{claim_id}", headers=headers()).json_body
    assert after["flags"] == []
    assert after["history"][-1]["source"] == "payment-mismatches"
    again = client.http.post("/v1/schedules/payment-mismatches/runs", headers=headers()).json_body
    assert again["acted"] == 0  # nothing changed since

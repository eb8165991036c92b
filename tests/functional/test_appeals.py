"""Appeals through the API on the sandbox: an underpayment appealed with a letter that cites
the contract, and won on the next 835; a denial appealed and overturned; what cannot be
appealed is refused with its reason."""

from __future__ import annotations

import base64
import io
import json
from decimal import Decimal
from typing import Any

from chalice.test import Client
from pypdf import PdfReader

from tests.functional.conftest import contract, headers


def poll(client: Client) -> None:
    run = client.http.post("/v1/schedules/clearinghouse-poll/runs", headers=headers()).json_body
    assert run["failed"] == 0, run["errors"]


def claim(client: Client, claim_id: str) -> dict[str, Any]:
    body: dict[str, Any] = client.http.get(f"/v1/claims/{claim_id}", headers=headers()).json_body
    return body


def submitted(client: Client, body: dict[str, Any]) -> str:
    response = client.http.post("/v1/claims", headers=headers(), body=json.dumps(body))
    assert response.status_code == 201, response.body
    claim_id: str = response.json_body["claimId"]
    poll(client)
    poll(client)
    return claim_id


def appeal(client: Client, claim_id: str, body: dict[str, Any]) -> Any:
    return client.http.post(
        f"/v1/claims/{claim_id}/appeals", headers=headers(), body=json.dumps(body)
    )


def test_underpayment_appealed_with_a_letter_and_won(client: Client) -> None:
    claim_id = submitted(client, contract("claim-basic.json"))
    paid_before = claim(client, claim_id)["payments"][0]["paid"]
    attachment = base64.b64encode(b"%PDF-1.4 contract page").decode()
    response = appeal(
        client,
        claim_id,
        {
            "argument": "Our contract prices 99214 at 172.00; the remittance allowed 154.80.",
            "lineNumbers": [1],
            "attachments": [{"name": "contract.pdf", "contentBase64": attachment}],
        },
    )
    assert response.status_code == 201, response.body
    made = response.json_body
    assert (made["status"], made["requested"], made["attachments"]) == ("sent", "17.20", 1)
    assert made["reasonCodes"][0] == "underpaid"
    assert made["deadline"] == "2027-05-26"  # the 835 of 2026-11-27 + SBX01's 180 days
    assert claim(client, claim_id)["status"] == "appealed"

    letter = client.http.get(
        f"/v1/claims/{claim_id}/appeals/{made['appealId']}/letter",
        headers=headers(Accept="application/pdf"),  # API Gateway sends binary on request only
    )
    assert letter.status_code == 200
    assert letter.headers["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(letter.body)).pages)
    for expected in ("99214", "172.00", "154.80", "17.20", "MSFP-2026-0001", "paid less"):
        assert expected in text, expected

    poll(client)  # the payer reconsiders: the original reversed, the line paid at contract
    after = claim(client, claim_id)
    [won] = client.http.get(f"/v1/claims/{claim_id}/appeals", headers=headers()).json_body[
        "appeals"
    ]
    assert won["status"] == "won"
    assert Decimal(won["recovered"]) > 0
    assert after["status"] in ("paid", "partially_paid")
    payments = [p for p in after["payments"] if p["statusCode"] != "22"]
    assert Decimal(payments[-1]["paid"]) == Decimal(paid_before) + Decimal(won["recovered"])
    # The reversed payment's underpayment went with it: nothing left to work.
    assert [f for f in after["flags"] if f["kind"] == "underpaid"] == []
    worklist = client.http.get("/v1/worklist?kind=underpaid", headers=headers()).json_body
    assert [i for i in worklist["items"] if i["claimId"] == claim_id] == []


def test_denial_appealed_and_overturned(client: Client) -> None:
    body = contract("claim-basic.json")
    info = body["claimInformation"]
    info["patientControlNumber"] = "MSFP-DENY-1"
    line = info["serviceLines"][0]
    line["professionalService"]["procedureCode"] = "20610"  # needs an anatomic modifier
    line["professionalService"]["procedureModifiers"] = []
    line["professionalService"]["lineItemChargeAmount"] = "245.00"
    info["serviceLines"] = [line]
    claim_id = submitted(client, body)
    assert claim(client, claim_id)["status"] == "denied"
    made = appeal(client, claim_id, {"argument": "The injection was of the right knee (RT)."})
    assert made.status_code == 201, made.body
    assert "CO-16" in made.json_body["reasonCodes"]
    poll(client)
    [result] = client.http.get(f"/v1/claims/{claim_id}/appeals", headers=headers()).json_body[
        "appeals"
    ]
    assert result["status"] == "won"
    assert claim(client, claim_id)["status"] in ("paid", "partially_paid")


def test_drafts_wait_until_sent(client: Client) -> None:
    claim_id = submitted(client, contract("claim-basic.json"))
    made = appeal(client, claim_id, {"argument": "contract rate", "draft": True}).json_body
    assert made["status"] == "drafted"
    assert claim(client, claim_id)["status"] == "paid"
    url = f"/v1/claims/{claim_id}/appeals/{made['appealId']}/send"
    sent = client.http.post(url, headers=headers(), body=b"")
    assert sent.status_code == 200 and sent.json_body["status"] == "sent"
    again = client.http.post(url, headers=headers(), body=b"")
    assert again.status_code == 409


def test_an_appeal_answered_by_letter_is_recorded_lost(client: Client) -> None:
    claim_id = submitted(client, contract("claim-basic.json"))
    made = appeal(client, claim_id, {"argument": "contract rate"}).json_body
    url = f"/v1/claims/{claim_id}/appeals/{made['appealId']}/outcome"
    lost = client.http.post(url, headers=headers(), body=json.dumps({"status": "lost"}))
    assert lost.status_code == 200 and lost.json_body["status"] == "lost"
    again = client.http.post(url, headers=headers(), body=json.dumps({"status": "won"}))
    assert again.status_code == 409
    bad = client.http.post(url, headers=headers(), body=json.dumps({"status": "maybe"}))
    assert bad.status_code == 422 and bad.json_body["errors"][0]["field"] == "status"


def test_what_cannot_be_appealed_is_refused(client: Client) -> None:
    response = client.http.post(
        "/v1/claims", headers=headers(), body=json.dumps(contract("claim-dependent.json"))
    )
    queued = response.json_body["claimId"]
    refused = appeal(client, queued, {"argument": "please"})
    assert refused.status_code == 409 and refused.json_body["errors"][0]["code"] == "not_appealable"
    missing = appeal(client, queued, {})
    assert missing.status_code == 422 and missing.json_body["errors"][0]["field"] == "argument"

"""Idempotency-Key on every route that changes a claim: a retry with the same key and body
answers what the first request answered and changes nothing again; the same key with
another body is refused; one key on two routes is two keys."""

from __future__ import annotations

import json

from chalice.test import Client

from tests.functional.conftest import contract, headers
from tests.functional.test_appeals import claim, submitted


def test_replacement_retried_with_its_key_is_made_once(client: Client) -> None:
    original = submitted(client, contract("claim-basic.json"))
    body = json.dumps(contract("claim-basic.json"))
    url = f"/v1/claims/{original}/replacement"
    keyed = headers(**{"Idempotency-Key": "fix-0001"})
    first = client.http.post(url, headers=keyed, body=body)
    again = client.http.post(url, headers=keyed, body=body)
    assert first.status_code == again.status_code == 201
    assert first.json_body["claimId"] == again.json_body["claimId"]
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert (
        claim(client, original)["history"][-1]["detail"]["replacementClaimId"]
        == (first.json_body["claimId"])
    )
    links = [h for h in claim(client, original)["history"] if "replacementClaimId" in h["detail"]]
    assert len(links) == 1
    other = json.loads(body)
    other["claimInformation"]["claimChargeAmount"] = "246.00"
    reused = client.http.post(url, headers=keyed, body=json.dumps(other))
    assert reused.status_code == 422
    assert reused.json_body["errors"][0]["code"] == "idempotency_key_reused"


def test_appeal_and_worklist_action_retried_with_their_keys(client: Client) -> None:
    claim_id = submitted(client, contract("claim-basic.json"))
    keyed = headers(**{"Idempotency-Key": "appeal-1"})
    body = json.dumps({"argument": "the contract rate"})
    url = f"/v1/claims/{claim_id}/appeals"
    first = client.http.post(url, headers=keyed, body=body)
    again = client.http.post(url, headers=keyed, body=body)
    assert first.status_code == again.status_code == 201
    assert first.json_body["appealId"] == again.json_body["appealId"]
    assert len(client.http.get(url, headers=headers()).json_body["appeals"]) == 1

    [item] = client.http.get("/v1/worklist?kind=underpaid", headers=headers()).json_body["items"]
    action = json.dumps({"action": "resolve", "outcome": "appealed"})
    act = f"/v1/worklist/{item['id']}/actions"
    same = headers(**{"Idempotency-Key": "appeal-1"})  # the same key on another route
    assert client.http.post(act, headers=same, body=action).status_code == 204
    assert client.http.post(act, headers=same, body=action).status_code == 204  # replayed
    assert client.http.post(act, headers=headers(), body=action).status_code == 409

"""Parallel clearinghouse polls: every claim is in exactly one interchange and posted once."""

from __future__ import annotations

import json
from collections import Counter

from chalice.test import Client

from tests.functional.conftest import contract, headers
from tests.reliability.conftest import in_parallel


def _submit(client: Client, n: int) -> list[str]:
    ids = []
    for i in range(n):
        body = contract("claim-basic.json")
        body["claimInformation"]["patientControlNumber"] = f"PAR-{i:04d}"
        response = client.http.post("/v1/claims", headers=headers(), body=json.dumps(body))
        assert response.status_code == 201, response.body
        ids.append(response.json_body["claimId"])
    return ids


def _poll(client: Client) -> int:
    response = client.http.post("/v1/schedules/clearinghouse-poll/runs", headers=headers())
    return int(response.status_code)


def test_parallel_polls_send_each_claim_in_one_interchange_and_post_it_once(
    client: Client,
) -> None:
    ids = _submit(client, 6)
    assert in_parallel([lambda: _poll(client)] * 4) == [201] * 4
    assert in_parallel([lambda: _poll(client)] * 4) == [201] * 4
    for claim_id in ids:
        body = client.http.get(f"/v1/claims/{claim_id}", headers=headers()).json_body
        events = Counter(h["event"] for h in body["history"])
        assert events["sent"] == 1, body["history"]
        assert len(body["payments"]) == 1, body["payments"]

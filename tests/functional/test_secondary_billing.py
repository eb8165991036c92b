"""Secondary billing on the sandbox: the primary's 835 posts, secondary routing builds the
secondary claim from it (or records the crossover), and the secondary goes out like any claim."""

from __future__ import annotations

import json
from typing import Any

from chalice.test import Client

from tests.functional.conftest import contract, headers, run_schedule


def claim(client: Client, claim_id: str) -> dict[str, Any]:
    body: dict[str, Any] = client.http.get(f"/v1/claims/{claim_id}", headers=headers()).json_body
    return body


def commercial_with_medicaid_secondary() -> dict[str, Any]:
    body = contract("claim-basic.json")
    secondary = contract("claim-medicare-with-secondary.json")["claimInformation"][
        "otherSubscriberInformation"
    ]
    body["claimInformation"]["otherSubscriberInformation"] = secondary
    return body


def test_primary_835_builds_a_secondary_claim_that_goes_out(client: Client) -> None:
    response = client.http.post(
        "/v1/claims", headers=headers(), body=json.dumps(commercial_with_medicaid_secondary())
    )
    primary_id = response.json_body["claimId"]
    run_schedule(client, "clearinghouse-poll")
    run_schedule(client, "clearinghouse-poll")
    assert claim(client, primary_id)["status"] in ("paid", "partially_paid")
    routing = run_schedule(client, "secondary-routing")
    assert routing["acted"] == 1
    primary = claim(client, primary_id)
    note = primary["history"][-1]
    assert note["event"] == "note" and note["codes"] == ["cob:bill_next"]
    secondaries = client.http.get("/v1/claims?payerId=SBXMCD", headers=headers()).json_body
    [summary] = secondaries["claims"]
    secondary = claim(client, summary["claimId"])
    assert secondary["status"] == "queued"
    assert secondary["history"][0]["source"] == "secondary-routing"
    other = secondary["claim"]["claimInformation"]["otherSubscriberInformation"][0]
    assert other["otherPayerName"]["otherPayerIdentifier"] == "SBX01"
    assert other["payerPaidAmount"] == primary["payments"][0]["paid"]
    for line in secondary["claim"]["claimInformation"]["serviceLines"]:
        [adjudication] = line["lineAdjudicationInformation"]
        adjusted = sum(
            float(d["adjustmentAmount"])
            for group in adjudication["claimAdjustmentInformation"]
            for d in group["adjustmentDetails"]
        )
        charge = float(line["professionalService"]["lineItemChargeAmount"])
        assert round(float(adjudication["serviceLinePaidAmount"]) + adjusted, 2) == charge
    # Routing again changes nothing: the decision was acted on once.
    assert run_schedule(client, "secondary-routing")["examined"] == 0
    run_schedule(client, "clearinghouse-poll")
    sent = claim(client, summary["claimId"])
    assert sent["status"] in ("submitted", "accepted")
    x12 = client.http.get(f"/v1/claims/{summary['claimId']}/x12", headers=headers()).body.decode()
    assert "AMT*D*" in x12 and "SVD*SBX01*" in x12


def test_medicare_crossover_is_recorded_not_billed(client: Client) -> None:
    response = client.http.post(
        "/v1/claims",
        headers=headers(),
        body=json.dumps(contract("claim-medicare-with-secondary.json")),
    )
    claim_id = response.json_body["claimId"]
    run_schedule(client, "clearinghouse-poll")
    run_schedule(client, "clearinghouse-poll")
    routing = run_schedule(client, "secondary-routing")
    assert routing["acted"] == 0
    crossed = claim(client, claim_id)
    assert crossed["history"][-1]["codes"] == ["cob:crossed_over"]
    listed = client.http.get("/v1/claims?payerId=SBXMCD", headers=headers()).json_body
    assert listed["claims"] == []

"""The biller's fixes through the API on the sandbox: a rejected claim corrected and
resubmitted under the same id until it is paid; a claim the payer accepted can no longer be
corrected in place; closing with a write-off (parallel attempts: tests/reliability)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from chalice.test import Client

from tests.functional.conftest import contract, headers


def poll(client: Client) -> dict[str, Any]:
    run: dict[str, Any] = client.http.post(
        "/v1/schedules/clearinghouse-poll/runs", headers=headers()
    ).json_body
    assert run["failed"] == 0, run["errors"]
    return run


def claim(client: Client, claim_id: str) -> dict[str, Any]:
    body: dict[str, Any] = client.http.get(f"/v1/claims/{claim_id}", headers=headers()).json_body
    return body


def rejected_claim(client: Client) -> tuple[str, dict[str, Any]]:
    body = contract("claim-basic.json")
    body["subscriber"]["memberId"] = "UNK0001"  # the sandbox payers know no such member
    claim_id = client.http.post("/v1/claims", headers=headers(), body=json.dumps(body)).json_body[
        "claimId"
    ]
    poll(client)
    assert claim(client, claim_id)["status"] == "payer_rejected"
    return claim_id, body


def put(client: Client, claim_id: str, body: dict[str, Any]) -> Any:
    return client.http.put(f"/v1/claims/{claim_id}", headers=headers(), body=json.dumps(body))


def test_rejected_claim_is_fixed_resubmitted_accepted_and_paid(client: Client) -> None:
    claim_id, body = rejected_claim(client)
    body["subscriber"]["memberId"] = "W123456789"
    fixed = put(client, claim_id, body)
    assert fixed.status_code == 200, fixed.body
    assert (fixed.json_body["claimId"], fixed.json_body["status"]) == (claim_id, "queued")
    again = put(client, claim_id, body)  # a retry of the same correction changes nothing
    assert again.status_code == 200 and again.json_body["status"] == "queued"
    poll(client)
    assert claim(client, claim_id)["status"] == "accepted"
    poll(client)
    paid = claim(client, claim_id)
    assert paid["status"] in ("paid", "partially_paid")
    resubmitted = [h for h in paid["history"] if h["event"] == "resubmit"]
    assert len(resubmitted) == 1
    assert resubmitted[0]["detail"]["changed"] == "subscriber.memberId"
    sent = client.http.get(f"/v1/claims/{claim_id}/x12", headers=headers()).body.decode()
    assert "*MI*W123456789~" in sent


def test_an_accepted_claim_is_not_corrected_in_place(client: Client) -> None:
    body = contract("claim-basic.json")
    claim_id = client.http.post("/v1/claims", headers=headers(), body=json.dumps(body)).json_body[
        "claimId"
    ]
    poll(client)
    response = put(client, claim_id, body)
    assert response.status_code == 409
    [error] = response.json_body["errors"]
    assert error["code"] == "not_correctable" and "replacement" in error["message"]


def test_a_correction_keeps_the_payer_and_patient_control_number(client: Client) -> None:
    claim_id, body = rejected_claim(client)
    body["claimInformation"]["patientControlNumber"] = "OTHER-VISIT"
    response = put(client, claim_id, body)
    assert response.status_code == 409
    assert response.json_body["errors"][0]["code"] == "identity_changed"


def test_a_correction_that_fails_scrubbing_changes_nothing(client: Client) -> None:
    claim_id, body = rejected_claim(client)
    body["providers"][0]["npi"] = "1234567890"
    response = put(client, claim_id, body)
    assert response.status_code == 422
    assert claim(client, claim_id)["status"] == "payer_rejected"


def test_close_with_a_write_off(client: Client) -> None:
    claim_id, _ = rejected_claim(client)
    close = {"reason": "timely_filing", "amountWrittenOff": "245.00", "note": "past the limit"}
    url = f"/v1/claims/{claim_id}/close"
    response = client.http.post(url, headers=headers(), body=json.dumps(close))
    assert response.status_code == 200, response.body
    assert response.json_body["status"] == "closed"
    assert client.http.post(url, headers=headers(), body=json.dumps(close)).status_code == 200
    other = {**close, "amountWrittenOff": "10.00"}
    assert client.http.post(url, headers=headers(), body=json.dumps(other)).status_code == 409
    last = claim(client, claim_id)["history"][-1]
    assert last["event"] == "close"
    assert last["detail"] == {
        "reason": "timely_filing",
        "writtenOff": "245.00",
        "note": "past the limit",
    }
    bad = client.http.post(url, headers=headers(), body=json.dumps({"reason": "boredom"}))
    assert bad.status_code == 422 and bad.json_body["errors"][0]["field"] == "reason"


def paid_claim(client: Client) -> tuple[str, dict[str, Any]]:
    body = contract("claim-basic.json")
    claim_id = client.http.post("/v1/claims", headers=headers(), body=json.dumps(body)).json_body[
        "claimId"
    ]
    poll(client)
    poll(client)
    assert claim(client, claim_id)["status"] in ("paid", "partially_paid")
    return claim_id, body


def post_replacement(client: Client, original_id: str, body: dict[str, Any]) -> Any:
    """A replacement of the paid claim `body` with its second line billed at 70.00."""
    body["claimInformation"]["serviceLines"][1]["professionalService"]["lineItemChargeAmount"] = (
        "70.00"
    )
    body["claimInformation"]["claimChargeAmount"] = "255.00"
    response = client.http.post(
        f"/v1/claims/{original_id}/replacement", headers=headers(), body=json.dumps(body)
    )
    assert response.status_code == 201, response.body
    return response


def test_replacement_reverses_the_original_and_the_visit_is_paid_once(client: Client) -> None:
    original_id, body = paid_claim(client)
    first_paid = claim(client, original_id)["payments"][0]["paid"]
    response = post_replacement(client, original_id, body)
    replacement_id = response.json_body["claimId"]
    assert response.json_body["frequencyCode"] == "7"
    sent_poll = poll(client)
    assert sent_poll["failed"] == 0
    sent = client.http.get(f"/v1/claims/{replacement_id}/x12", headers=headers()).body.decode()
    payer_number = claim(client, original_id)["payments"][0]["payerClaimControlNumber"]
    assert f"REF*F8*{payer_number}~" in sent and ":B:7*" in sent
    poll(client)  # the 835: the original reversed, the replacement paid
    original = claim(client, original_id)
    replacement = claim(client, replacement_id)
    assert original["status"] == "reversed"
    assert [p["statusCode"] for p in original["payments"]] == ["1", "22"]
    assert original["payments"][1]["paid"] == f"-{first_paid}"
    assert replacement["status"] in ("paid", "partially_paid")
    assert [p["statusCode"] for p in replacement["payments"]] == ["1"]
    net = sum(Decimal(p["paid"]) for c in (original, replacement) for p in c["payments"])
    assert net == Decimal(replacement["payments"][0]["paid"])  # paid once, for the new claim
    links = [h for h in original["history"] if h["detail"].get("replacementClaimId")]
    assert links and links[0]["detail"]["replacementClaimId"] == replacement_id


def test_void_reverses_the_original(client: Client) -> None:
    original_id, _ = paid_claim(client)
    response = client.http.post(f"/v1/claims/{original_id}/void", headers=headers(), body=b"")
    assert response.status_code == 201, response.body
    void_id = response.json_body["claimId"]
    assert response.json_body["frequencyCode"] == "8"
    poll(client)
    poll(client)
    assert claim(client, original_id)["status"] == "reversed"
    runs = client.http.get("/v1/runs", headers=headers()).json_body["runs"]
    assert all(run["failed"] == 0 for run in runs)
    assert claim(client, void_id)["status"] == "accepted"


def test_only_an_adjudicated_claim_is_replaced(client: Client) -> None:
    claim_id, body = rejected_claim(client)
    response = client.http.post(
        f"/v1/claims/{claim_id}/replacement", headers=headers(), body=json.dumps(body)
    )
    assert response.status_code == 409
    assert response.json_body["errors"][0]["code"] == "not_replaceable"


def test_a_replacement_paid_without_the_original_reversed_is_flagged(client: Client) -> None:
    """The payer pays the replacement but never takes back the original (here: the
    replacement names a claim number the payer does not know): never counted twice."""
    from chalicelib.store.claims import CLAIM_SK, claim_pk
    from chalicelib.store.models import ClaimItem

    original_id, body = paid_claim(client)
    item = ClaimItem.get(claim_pk("tenant-a", original_id), CLAIM_SK)
    item.update(actions=[ClaimItem.payer_claim_control_number.set("UNKNOWN00001")])
    response = client.http.post(
        f"/v1/claims/{original_id}/replacement", headers=headers(), body=json.dumps(body)
    )
    replacement_id = response.json_body["claimId"]
    poll(client)
    poll(client)
    assert claim(client, original_id)["status"] == "paid"
    replacement = claim(client, replacement_id)
    assert replacement["status"] in ("paid", "partially_paid")
    [flag] = [f for f in replacement["flags"] if f["kind"] == "possible_duplicate_payment"]
    assert original_id in flag["detail"]
    worklist = client.http.get(
        "/v1/worklist?kind=possible_duplicate_payment", headers=headers()
    ).json_body
    assert [i["claimId"] for i in worklist["items"]] == [replacement_id]

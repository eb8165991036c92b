"""Real-time eligibility through the sandbox payers: an active member with the plan's copay,
coinsurance and deductible (and what remains of it), an unknown member with the AAA rejection
in plain words, field errors for a bad request, the 270 and 271 archived unchanged, and a
check another tenant cannot read."""

from __future__ import annotations

import json
from typing import Any

import boto3
from chalice.test import Client

from tests.functional.conftest import TENANT_B_KEY, headers, run_schedule

REQUEST: dict[str, Any] = {
    "controlNumber": "123456789",
    "tradingPartnerServiceId": "SBX01",
    "provider": {"organizationName": "Maple Street Family Practice", "npi": "1234567893"},
    "subscriber": {
        "memberId": "W123456789",
        "firstName": "ADA",
        "lastName": "LOVELACE",
        "dateOfBirth": "19800101",
        "gender": "F",
    },
    "encounter": {"serviceTypeCodes": ["30"], "dateOfService": "20261120"},
}


def check(client: Client, body: dict[str, Any], key: str | None = None) -> Any:
    return client.http.post(
        "/v1/eligibility", headers=headers(key) if key else headers(), body=json.dumps(body)
    )


def test_an_active_member_with_the_plans_benefits(client: Client) -> None:
    answer = check(client, REQUEST)
    assert answer.status_code == 200, answer.body
    body = answer.json_body
    assert (body["status"], body["payerId"], body["dateOfService"]) == (
        "active",
        "SBX01",
        "2026-11-20",
    )
    assert body["planName"] == "SANDBOX PPO GOLD" and body["rejections"] == []
    by_code = {(b["code"], b["timePeriod"]): b for b in body["benefits"]}
    assert by_code[("1", None)]["name"] == "active coverage"
    copay = by_code[("B", "27")]
    assert (copay["name"], copay["serviceTypeCodes"]) == ("co-payment", ["98"])
    assert by_code[("A", None)]["percent"] is not None
    deductible, remaining = by_code[("C", "23")], by_code[("C", "29")]
    assert remaining["remaining"] is True and deductible["remaining"] is False
    assert float(remaining["amount"]) <= float(deductible["amount"])
    # No PHI in the answer: the member's name and id stay in the archived 270 / 271.
    assert "LOVELACE" not in answer.body.decode() and "W123456789" not in answer.body.decode()
    again = client.http.get(f"/v1/eligibility/{body['eligibilityId']}", headers=headers())
    assert again.status_code == 200 and again.json_body == body
    other = client.http.get(
        f"/v1/eligibility/{body['eligibilityId']}", headers=headers(TENANT_B_KEY)
    )
    assert other.status_code == 404


def test_an_unknown_member_is_a_rejection_in_plain_words(client: Client) -> None:
    body = json.loads(json.dumps(REQUEST))
    body["subscriber"]["memberId"] = "UNK000111"
    answer = check(client, body)
    assert answer.status_code == 200, answer.body
    found = answer.json_body
    assert found["status"] == "rejected" and found["benefits"] == []
    [rejection] = found["rejections"]
    assert rejection["code"] == "75"
    assert rejection["description"] == "subscriber/insured not found"
    assert rejection["action"] == "correct the request and send it again"


def test_the_270_and_271_are_archived_unchanged(client: Client) -> None:
    check(client, REQUEST)
    s3 = boto3.client("s3")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="claimgate-test-archive")["Contents"]]
    bodies = [s3.get_object(Bucket="claimgate-test-archive", Key=k)["Body"].read() for k in keys]
    assert any(b"*270*" in b and b"W123456789" in b for b in bodies)
    assert any(b"*271*" in b and b"EB*1" in b for b in bodies)
    # The 270 the service sent reads clean in an independent 005010X279A1 implementation.
    from tests.linuxforhealth_oracle import read_with_linuxforhealth

    [sent] = [b.decode() for b in bodies if b"*270*" in b]
    [answer] = read_with_linuxforhealth([sent])
    assert answer["ok"], answer.get("detail")


def test_bad_requests_get_field_errors(client: Client) -> None:
    cases = [
        ({**REQUEST, "tradingPartnerServiceId": "NOPAYER"}, 422, "tradingPartnerServiceId"),
        (
            {**REQUEST, "provider": {"organizationName": "X", "npi": "1234567890"}},
            422,
            "provider.npi",
        ),
        (
            {**REQUEST, "subscriber": {**REQUEST["subscriber"], "memberId": ""}},
            422,
            "subscriber.memberId",
        ),
        ({**REQUEST, "encounter": {"dateOfService": "20261131"}}, 422, "encounter.dateOfService"),
        (
            {**REQUEST, "encounter": {"serviceTypeCodes": ["ABC"]}},
            422,
            "encounter.serviceTypeCodes",
        ),
        ({**REQUEST, "provider": {"npi": "1234567893"}}, 422, "provider"),
        ({**REQUEST, "extra": 1}, 422, "extra"),
    ]
    for body, status, field in cases:
        answer = check(client, body)
        assert answer.status_code == status, (field, answer.body)
        assert answer.json_body["errors"][0]["field"] == field, answer.json_body


def test_a_retry_with_the_same_idempotency_key_asks_the_payer_once(client: Client) -> None:
    retry = headers(**{"Idempotency-Key": "elig-retry-1"})
    first = client.http.post("/v1/eligibility", headers=retry, body=json.dumps(REQUEST))
    again = client.http.post("/v1/eligibility", headers=retry, body=json.dumps(REQUEST))
    assert first.status_code == again.status_code == 200
    assert again.json_body["eligibilityId"] == first.json_body["eligibilityId"]
    assert again.headers.get("Idempotent-Replayed") == "true"
    s3 = boto3.client("s3")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="claimgate-test-archive")["Contents"]]
    sent = [
        k
        for k in keys
        if b"*270*" in s3.get_object(Bucket="claimgate-test-archive", Key=k)["Body"].read()
    ]
    assert len(sent) == 1


def member(member_id: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(json.dumps(REQUEST))
    body["subscriber"]["memberId"] = member_id
    return body


def test_a_terminated_member_is_inactive_with_last_years_plan_dates(client: Client) -> None:
    answer = check(client, member("TRM0000042"))
    assert answer.status_code == 200, answer.body
    found = answer.json_body
    assert found["status"] == "inactive"
    assert (found["planBegin"], found["planEnd"]) == ("2025-01-01", "2025-12-31")
    assert [b["code"] for b in found["benefits"]] == ["6"]


def test_another_payer_primary_is_named(client: Client) -> None:
    found = check(client, member("COB0000042")).json_body
    assert found["status"] == "active"
    [primary] = found["otherPayers"]
    assert (primary["entityCode"], primary["id"]) == ("PRP", "SBXMCR")
    assert any(b["code"] == "R" for b in found["benefits"])


def test_the_procedures_that_need_an_authorization_are_listed(client: Client) -> None:
    found = check(client, REQUEST).json_body
    needing = {b["procedureCode"] for b in found["benefits"] if b["authorizationRequired"]}
    assert needing == {"70553", "74177", "72148", "95810"}


def claim_for(member_id: str, **line: str) -> dict[str, Any]:
    """claim-basic.json for the member, its patient the subscriber the check asked about."""
    from tests.functional.conftest import contract

    body = contract("claim-basic.json")
    body["subscriber"]["memberId"] = member_id
    body["claimInformation"]["patientControlNumber"] = f"ELIG-{member_id}"
    body["claimInformation"]["serviceLines"][0]["professionalService"].update(line)
    return body


def checked(client: Client, member_id: str) -> None:
    body = member(member_id)
    body["subscriber"]["dateOfBirth"] = "19620314"  # the claim's patient
    body["encounter"]["dateOfService"] = "20261116"  # the claim's date of service
    assert check(client, body).status_code == 200


def test_a_claim_for_coverage_the_payer_says_ended_is_refused(client: Client) -> None:
    checked(client, "TRM0000077")
    refused = client.http.post(
        "/v1/claims", headers=headers(), body=json.dumps(claim_for("TRM0000077"))
    )
    assert refused.status_code == 422, refused.body
    [error] = [e for e in refused.json_body["errors"] if e["code"] == "coverage_inactive"]
    assert error["field"] == "subscriber.memberId"
    # A member nobody checked is not held to any answer.
    unchecked = client.http.post(
        "/v1/claims", headers=headers(), body=json.dumps(claim_for("TRM0000078"))
    )
    assert unchecked.status_code == 201, unchecked.body


def test_another_payer_primary_and_a_missing_authorization_warn(client: Client) -> None:
    checked(client, "COB0000077")
    answer = client.http.post(
        "/v1/claims",
        headers=headers(),
        body=json.dumps(claim_for("COB0000077", procedureCode="70553")),
    )
    assert answer.status_code == 201, answer.body
    warned = {(w["code"], w["field"]) for w in answer.json_body["warnings"]}
    assert ("other_payer_primary", "subscriber.paymentResponsibilityLevelCode") in warned
    assert (
        "authorization_missing",
        "claimInformation.serviceLines[0].professionalService.procedureCode",
    ) in warned
    checked(client, "W123456789")
    body = claim_for("W123456789", procedureCode="70553")
    body["claimInformation"]["priorAuthorizationNumber"] = "AUTH12345"
    authorized = client.http.post("/v1/claims", headers=headers(), body=json.dumps(body))
    assert authorized.status_code == 201, authorized.body
    # The claim names the payer's answer it was held to.
    created = client.http.get(
        f"/v1/claims/{authorized.json_body['claimId']}", headers=headers()
    ).json_body
    assert created["history"][0]["detail"]["eligibilityId"].startswith("elg_")
    assert "authorization_missing" not in {w["code"] for w in authorized.json_body["warnings"]}


def test_a_member_id_the_payer_replaced_blocks_the_old_id_and_not_the_new(client: Client) -> None:
    found = check(client, member("CHG0000042")).json_body
    assert (found["status"], found["memberIdChanged"], found["payerChanged"]) == (
        "active",
        True,
        False,
    )
    assert "CHG000004201" not in json.dumps(found)  # the payer's id stays in the archived 271
    checked(client, "CHG0000077")
    refused = client.http.post(
        "/v1/claims", headers=headers(), body=json.dumps(claim_for("CHG0000077"))
    )
    assert refused.status_code == 422, refused.body
    [error] = [e for e in refused.json_body["errors"] if e["code"] == "member_id_changed"]
    assert error["field"] == "subscriber.memberId"
    corrected = client.http.post(
        "/v1/claims", headers=headers(), body=json.dumps(claim_for("CHG000007701"))
    )
    assert corrected.status_code == 201, corrected.body
    assert not {"member_id_changed", "coverage_inactive"} & {
        w["code"] for w in corrected.json_body["warnings"]
    }


def with_two_other_payers(member_id: str) -> dict[str, Any]:
    """The commercial claim with Medicaid on file as secondary and Medicare as tertiary."""
    from tests.functional.conftest import contract

    body = claim_for(member_id)
    [medicaid] = contract("claim-medicare-with-secondary.json")["claimInformation"][
        "otherSubscriberInformation"
    ]
    medicare = json.loads(json.dumps(medicaid))
    medicare["paymentResponsibilityLevelCode"] = "T"
    medicare["claimFilingIndicatorCode"] = "MB"
    medicare["otherSubscriberName"]["otherInsuredIdentifier"] = "1EG4TE5MK73"
    medicare["otherPayerName"].update(
        otherPayerOrganizationName="Sandbox Medicare Part B", otherPayerIdentifier="SBXMCR"
    )
    body["claimInformation"]["otherSubscriberInformation"] = [medicaid, medicare]
    return body


def secondary_claim_after_primary(client: Client, body: dict[str, Any]) -> dict[str, Any]:
    created = client.http.post("/v1/claims", headers=headers(), body=json.dumps(body))
    assert created.status_code == 201, created.body
    run_schedule(client, "clearinghouse-poll")
    run_schedule(client, "clearinghouse-poll")
    assert run_schedule(client, "secondary-routing")["acted"] == 1
    parent = client.http.get(f"/v1/claims/{created.json_body['claimId']}", headers=headers())
    note = parent.json_body["history"][-1]
    child_id = note["detail"]["secondaryClaimId"]
    child = client.http.get(f"/v1/claims/{child_id}", headers=headers()).json_body
    return {"note": note, "claim": child}


def test_a_271_naming_another_payer_changes_the_cob_order_of_the_secondary_claim(
    client: Client,
) -> None:
    # Unchecked, the payers on file bill in their order: Medicaid second.
    plain = secondary_claim_after_primary(client, with_two_other_payers("SEC0000001"))
    assert plain["claim"]["payerId"] == "SBXMCD" and plain["note"]["codes"] == ["cob:bill_next"]
    # The primary's 271 says Medicare is the secondary (2120C NM1*SEP): Medicare is billed
    # second, Medicaid moves to third on the secondary claim.
    checked(client, "SEC0000002")
    ordered = secondary_claim_after_primary(client, with_two_other_payers("SEC0000002"))
    assert ordered["note"]["codes"] == ["cob:bill_next", "cob_order:271"]
    secondary = ordered["claim"]
    assert secondary["payerId"] == "SBXMCR"
    levels = {
        o["otherPayerName"]["otherPayerIdentifier"]: o["paymentResponsibilityLevelCode"]
        for o in secondary["claim"]["claimInformation"]["otherSubscriberInformation"]
    }
    assert levels == {"SBX01": "P", "SBXMCD": "T"}
    assert secondary["claim"]["subscriber"]["paymentResponsibilityLevelCode"] == "S"


def test_a_claim_for_a_member_the_payer_does_not_know_is_refused(client: Client) -> None:
    checked(client, "UNK0000077")  # AAA 75: subscriber/insured not found
    refused = client.http.post(
        "/v1/claims", headers=headers(), body=json.dumps(claim_for("UNK0000077"))
    )
    assert refused.status_code == 422, refused.body
    assert "member_unknown" in {e["code"] for e in refused.json_body["errors"]}

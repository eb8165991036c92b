"""Claims in the documented professional claims v3 shape (top-level billing / rendering /
referring objects, claimSupplementalInformation, serviceFacilityLocation, line references,
drugs, line providers): accepted, written into the 837P loops they belong to, and the 837P
passes pyx12. Problems name the field the caller sent, and real fields claimgate does not
carry are refused by name."""

from __future__ import annotations

import json
from typing import Any

from chalice.test import Client

from tests.functional.conftest import contract, headers
from tests.pyx12_oracle import validate


def post(client: Client, body: dict[str, Any]) -> Any:
    return client.http.post("/v1/claims", headers=headers(), body=json.dumps(body))


def sent_837p(client: Client, claim_id: str) -> str:
    run = client.http.post("/v1/schedules/clearinghouse-poll/runs", headers=headers())
    assert run.status_code == 201 and run.json_body["failed"] == 0, run.body
    x12 = client.http.get(f"/v1/claims/{claim_id}/x12", headers=headers())
    assert x12.status_code == 200, x12.body
    text: str = x12.body.decode()
    return text


def segments(text: str) -> list[str]:
    return [s.strip() for s in text.split("~") if s.strip()]


def test_documented_shape_claim_goes_out_with_every_loop(client: Client) -> None:
    response = post(client, contract("claim-documented-shape.json"))
    assert response.status_code == 201, response.body
    claim_id = response.json_body["claimId"]
    text = sent_837p(client, claim_id)
    found = segments(text)
    for expected in (
        "NM1*87*2",  # 2010AB pay-to address
        "SBR*P*18*GRP7781*Springfield Teachers*****CI",  # SBR04 group name
        "NM1*IL*1*Quill*Ada*J***MI*W123456789",
        "AMT*F5*20",
        "REF*9F*REF-7781",
        "REF*G1*PA-55123",
        "REF*EA*MRN00417",
        "NTE*ADD*PATIENT SEEN FOR FOLLOW UP",
        "DTP*431*D8*20261110",
        "NM1*DN*1*Haddad*Omar****XX*1003000126",  # 2310A from `referring`
        "NM1*82*1*Ortiz*Lena****XX*1245319599",  # 2310B from `rendering`
        "NM1*77*2*Maple Street Annex*****XX*1760854442",  # 2310C
        "REF*G1*PA-55123-1",  # 2400 line prior authorization
        "LIN**N4*00009047013",  # 2410
        "CTP****1*ML",
    ):
        assert expected in found, expected
    assert found.index("REF*G1*PA-55123-1") < found.index("REF*6R*MSFP-0101-1")
    assert validate(text) == []


def test_dependent_claim_with_facility_prior_auth_and_referral(client: Client) -> None:
    response = post(client, contract("claim-dependent-facility-auth.json"))
    assert response.status_code == 201, response.body
    text = sent_837p(client, response.json_body["claimId"])
    found = segments(text)
    assert "HL*3*2*23*0" in found and "PAT*19" in found
    assert "REF*G1*PA-90001" in found and "REF*9F*RF-4410" in found
    facility = found.index("NM1*77*2*Springfield Outpatient Center")
    assert found[facility + 1 : facility + 3] == [
        "N3*900 Hospital Dr",
        "N4*Springfield*IL*627041000",
    ]
    assert validate(text) == []


def test_claim_reads_back_with_what_was_sent(client: Client) -> None:
    response = post(client, contract("claim-documented-shape.json"))
    claim = client.http.get(f"/v1/claims/{response.json_body['claimId']}", headers=headers())
    shown = claim.json_body["claim"]
    info = shown["claimInformation"]
    assert info["priorAuthorizationNumber"] == "PA-55123"
    assert info["claimSupplementalInformation"] == {"medicalRecordNumber": "MRN00417"}
    assert info["claimDateInformation"] == {
        "symptomDate": "20261110",
        "initialTreatmentDate": "20261112",
    }
    assert info["claimNote"] == {"additionalInformation": "PATIENT SEEN FOR FOLLOW UP"}
    assert shown["subscriber"]["subscriberGroupName"] == "Springfield Teachers"
    assert {p["providerType"] for p in shown["providers"]} >= {
        "BillingProvider",
        "RenderingProvider",
        "ReferringProvider",
        "ServiceFacility",
    }
    drug = info["serviceLines"][1]["drugIdentification"]
    assert (drug["nationalDrugCode"], drug["measurementUnitCode"]) == ("00009047013", "ML")


def test_findings_name_the_field_the_caller_sent(client: Client) -> None:
    body = contract("claim-documented-shape.json")
    body["billing"]["npi"] = "1234567890"  # check digit wrong
    response = client.http.post("/v1/claims/validate", headers=headers(), body=json.dumps(body))
    assert response.status_code == 200
    errors = response.json_body["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [("billing.npi", "npi_invalid")]


def test_a_provider_given_twice_is_refused(client: Client) -> None:
    body = contract("claim-documented-shape.json")
    body["providers"] = [{**body["billing"], "providerType": "BillingProvider"}]
    response = post(client, body)
    assert response.status_code == 422
    [error] = response.json_body["errors"]
    assert "given twice" in error["message"]


def test_a_billing_provider_is_required_somewhere(client: Client) -> None:
    body = contract("claim-documented-shape.json")
    del body["billing"]
    response = post(client, body)
    assert response.status_code == 422
    assert response.json_body["errors"][0]["code"] == "schema_billing_required"


def test_real_fields_not_carried_are_refused_by_name(client: Client) -> None:
    body = contract("claim-documented-shape.json")
    body["claimInformation"]["ambulanceTransportInformation"] = {"patientWeight": "120"}
    body["claimInformation"]["colour"] = "red"
    response = post(client, body)
    assert response.status_code == 422
    by_field = {e["field"]: e for e in response.json_body["errors"]}
    ambulance = by_field["claimInformation.ambulanceTransportInformation"]
    assert ambulance["code"] == "not_supported" and "CR1" in ambulance["message"]
    assert by_field["claimInformation.colour"]["code"] == "unknown_field"


def test_one_claim_note_and_agreeing_numbers(client: Client) -> None:
    two_notes = contract("claim-documented-shape.json")
    two_notes["claimInformation"]["claimNote"]["diagnosisDescription"] = "TYPE 2 DIABETES"
    response = post(client, two_notes)
    assert response.status_code == 422
    [error] = response.json_body["errors"]
    assert error["field"] == "claimInformation.claimNote" and "one claim note" in error["message"]
    disagreeing = contract("claim-documented-shape.json")
    disagreeing["claimInformation"]["priorAuthorizationNumber"] = "PA-OTHER"
    response = post(client, disagreeing)
    assert response.status_code == 422
    [error] = response.json_body["errors"]
    assert error["field"] == "claimInformation" and "given twice" in error["message"]


def test_claims_with_different_submitters_travel_in_different_interchanges(
    client: Client,
) -> None:
    """One 837P transaction set has one 1000A submitter: a claim naming its own
    submitterIdentification goes out beside the others, never stopping the run."""
    basic = post(client, contract("claim-basic.json")).json_body["claimId"]
    documented = post(client, contract("claim-documented-shape.json")).json_body["claimId"]
    run = client.http.post("/v1/schedules/clearinghouse-poll/runs", headers=headers()).json_body
    assert run["failed"] == 0, run["errors"]
    sent = {
        claim_id: client.http.get(f"/v1/claims/{claim_id}/x12", headers=headers()).body.decode()
        for claim_id in (basic, documented)
    }
    assert "*46*MSFP0001~" in sent[documented]
    assert "MSFP0001" not in sent[basic]
    for claim_id in (basic, documented):
        status = client.http.get(f"/v1/claims/{claim_id}", headers=headers()).json_body["status"]
        assert status == "accepted"

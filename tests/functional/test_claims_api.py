"""The claims API through the Chalice test client on moto: what a practice system sees."""

from __future__ import annotations

import json
from typing import Any

import pytest
from chalice.test import Client

from tests.functional.conftest import TENANT_B_KEY, contract, headers


def post_claim(client: Client, body: dict[str, Any], **extra: str) -> Any:
    return client.http.post("/v1/claims", headers=headers(**extra), body=json.dumps(body))


def list_all(client: Client, query: str = "", key: str | None = None) -> list[dict[str, Any]]:
    response = client.http.get(f"/v1/claims{query}", headers=headers(key) if key else headers())
    assert response.status_code == 200, response.body
    claims: list[dict[str, Any]] = response.json_body["claims"]
    return claims


@pytest.mark.parametrize(
    "name", ["claim-basic.json", "claim-dependent.json", "claim-medicare-with-secondary.json"]
)
def test_claims_post_contract_example_is_queued(client: Client, name: str) -> None:
    response = post_claim(client, contract(name))
    assert response.status_code == 201, response.body
    body = response.json_body
    assert body["status"] == "queued"
    assert body["claimId"].startswith("clm_")
    assert response.headers["Location"] == f"/v1/claims/{body['claimId']}"
    stored = client.http.get(f"/v1/claims/{body['claimId']}", headers=headers()).json_body
    assert stored["status"] == "queued"
    assert stored["chargeAmount"] == contract(name)["claimInformation"]["claimChargeAmount"]
    assert [h["toStatus"] for h in stored["history"]] == ["queued"]
    assert stored["history"][0]["source"] == "api"
    assert (
        stored["claim"]["subscriber"]["dateOfBirth"] == contract(name)["subscriber"]["dateOfBirth"]
    )


def test_claims_post_invalid_contract_names_every_problem(client: Client) -> None:
    response = post_claim(client, contract("claim-invalid.json"))
    assert response.status_code == 422
    errors = response.json_body["errors"]
    fields = {e["field"]: e["code"] for e in errors}
    assert set(fields) == {
        "providers[0].npi",
        "claimInformation.claimChargeAmount",
        "claimInformation.healthCareCodeInformation[1].diagnosisCode",
        "claimInformation.serviceLines[1].professionalService.compositeDiagnosisCodePointers"
        ".diagnosisCodePointers[0]",
    }, errors
    assert len(errors) == 4
    assert all(e["message"] for e in errors)
    assert list_all(client) == []


def test_claims_post_schema_errors_are_field_level_and_all_at_once(client: Client) -> None:
    body = contract("claim-basic.json")
    body["claimInformation"]["serviceLines"][1]["serviceDate"] = "20261341"
    del body["subscriber"]["memberId"]
    body["claimInformation"]["claimChargeAmount"] = "lots"
    response = post_claim(client, body)
    assert response.status_code == 422
    fields = {e["field"]: e["code"] for e in response.json_body["errors"]}
    assert fields == {
        "claimInformation.serviceLines[1].serviceDate": "invalid_date",
        "subscriber.memberId": "required",
        "claimInformation.claimChargeAmount": "invalid_amount",
    }
    assert list_all(client) == []


def test_claims_post_not_json_is_400(client: Client) -> None:
    response = client.http.post("/v1/claims", headers=headers(), body="{not json")
    assert response.status_code == 400
    assert response.json_body["errors"][0]["code"] == "invalid_json"


def test_claims_post_unknown_payer_is_rejected(client: Client) -> None:
    body = contract("claim-basic.json")
    body["tradingPartnerServiceId"] = "NOPE1"
    response = post_claim(client, body)
    assert response.status_code == 422
    assert {(e["field"], e["code"]) for e in response.json_body["errors"]} == {
        ("tradingPartnerServiceId", "payer_unknown")
    }


@pytest.mark.parametrize("key", [None, "", "cg_not_a_key"])
def test_auth_missing_or_unknown_key_is_401_json(client: Client, key: str | None) -> None:
    sent = {"Content-Type": "application/json"} | ({"x-api-key": key} if key is not None else {})
    for method, path in (("get", "/v1/claims"), ("post", "/v1/claims"), ("get", "/v1/claims/x")):
        response = getattr(client.http, method)(path, headers=sent, body="{}")
        assert response.status_code == 401
        assert response.json_body["errors"][0]["code"] == "unauthorized"
        assert response.json_body["errors"][0]["field"] == "x-api-key"


def test_tenants_never_see_each_others_claims(client: Client) -> None:
    created = post_claim(client, contract("claim-basic.json")).json_body
    other = client.http.get(f"/v1/claims/{created['claimId']}", headers=headers(TENANT_B_KEY))
    missing = client.http.get("/v1/claims/clm_does_not_exist", headers=headers(TENANT_B_KEY))
    assert other.status_code == missing.status_code == 404
    assert other.json_body == missing.json_body
    assert list_all(client, key=TENANT_B_KEY) == []
    # The same patient control number is no duplicate in another tenant.
    assert (
        post_claim(client, contract("claim-basic.json"), **{"x-api-key": TENANT_B_KEY}).status_code
        == 201
    )


def test_idempotency_key_replays_first_answer_and_creates_nothing(client: Client) -> None:
    body = contract("claim-basic.json")
    first = post_claim(client, body, **{"Idempotency-Key": "req-1"})
    again = post_claim(client, body, **{"Idempotency-Key": "req-1"})
    assert first.status_code == again.status_code == 201
    assert again.json_body == first.json_body
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert len(list_all(client)) == 1


def test_idempotency_key_with_another_body_is_refused(client: Client) -> None:
    body = contract("claim-basic.json")
    assert post_claim(client, body, **{"Idempotency-Key": "req-2"}).status_code == 201
    changed = contract("claim-dependent.json")
    response = post_claim(client, changed, **{"Idempotency-Key": "req-2"})
    assert response.status_code == 422
    assert response.json_body["errors"][0]["code"] == "idempotency_key_reused"
    assert len(list_all(client)) == 1


def test_idempotency_keys_are_per_tenant(client: Client) -> None:
    body = contract("claim-basic.json")
    a = post_claim(client, body, **{"Idempotency-Key": "shared"})
    b = post_claim(client, body, **{"Idempotency-Key": "shared", "x-api-key": TENANT_B_KEY})
    assert a.status_code == b.status_code == 201
    assert a.json_body["claimId"] != b.json_body["claimId"]


def test_duplicate_patient_control_number_is_409_naming_the_claim(client: Client) -> None:
    first = post_claim(client, contract("claim-basic.json")).json_body
    second = post_claim(client, contract("claim-basic.json"))
    assert second.status_code == 409
    error = second.json_body["errors"][0]
    assert error["code"] == "duplicate_claim"
    assert first["claimId"] in error["message"]
    assert error["field"] == "claimInformation.patientControlNumber"
    # Another payer with the same patient control number is a different claim.
    other_payer = contract("claim-basic.json")
    other_payer["tradingPartnerServiceId"] = "SBXMCD"
    assert post_claim(client, other_payer).status_code == 201


def test_validate_reports_findings_and_stores_nothing(client: Client) -> None:
    ok = client.http.post(
        "/v1/claims/validate", headers=headers(), body=json.dumps(contract("claim-basic.json"))
    )
    assert ok.status_code == 200
    assert ok.json_body["valid"] is True
    assert ok.json_body["errors"] == []
    bad = client.http.post(
        "/v1/claims/validate", headers=headers(), body=json.dumps(contract("claim-invalid.json"))
    )
    assert bad.status_code == 200
    assert bad.json_body["valid"] is False
    assert len(bad.json_body["errors"]) == 4
    assert list_all(client) == []


def test_list_filters_by_status_and_payer_with_cursor_pages(client: Client) -> None:
    ids = []
    for n in range(5):
        body = contract("claim-basic.json")
        body["claimInformation"]["patientControlNumber"] = f"PCN-{n}"
        if n == 4:
            body["tradingPartnerServiceId"] = "SBXMCD"
        ids.append(post_claim(client, body).json_body["claimId"])
    pages: list[str] = []
    cursor = ""
    while True:
        response = client.http.get(f"/v1/claims?payerId=SBX01&limit=2{cursor}", headers=headers())
        assert response.status_code == 200
        pages.extend(c["claimId"] for c in response.json_body["claims"])
        if not response.json_body["cursor"]:
            break
        cursor = f"&cursor={response.json_body['cursor']}"
    assert pages == ids[:4]
    assert [c["claimId"] for c in list_all(client, "?status=queued&payerId=SBXMCD")] == ids[4:]
    assert list_all(client, "?status=paid") == []
    assert len(list_all(client)) == 5


def test_list_updated_since_returns_only_later_changes(client: Client) -> None:
    post_claim(client, contract("claim-basic.json"))
    everything = list_all(client)
    since = everything[0]["updatedAt"]
    assert len(list_all(client, f"?updatedSince={since.replace('+', '%2B')}")) == 1
    assert list_all(client, "?updatedSince=2999-01-01T00:00:00Z") == []


def test_list_rejects_bad_query_and_foreign_cursors(client: Client) -> None:
    bad = client.http.get(
        "/v1/claims?status=lost&limit=0&updatedSince=yesterday", headers=headers()
    )
    assert bad.status_code == 400
    assert {e["field"] for e in bad.json_body["errors"]} == {"status", "limit", "updatedSince"}
    for n in range(3):
        body = contract("claim-basic.json")
        body["claimInformation"]["patientControlNumber"] = f"PCN-{n}"
        post_claim(client, body)
    cursor = client.http.get("/v1/claims?limit=1", headers=headers()).json_body["cursor"]
    assert cursor
    foreign = client.http.get(f"/v1/claims?limit=1&cursor={cursor}", headers=headers(TENANT_B_KEY))
    assert foreign.status_code == 400
    assert foreign.json_body["errors"][0]["code"] == "invalid_cursor"
    forged = client.http.get(f"/v1/claims?cursor={cursor[:-2]}xx", headers=headers())
    assert forged.status_code == 400


def test_openapi_document_is_generated_from_the_schemas(client: Client) -> None:
    response = client.http.get("/v1/openapi.json")
    assert response.status_code == 200
    document = response.json_body
    assert document["openapi"].startswith("3.1")
    schemas = document["components"]["schemas"]
    assert "claimChargeAmount" in schemas["ClaimInformationIn"]["properties"]
    assert {"ClaimRequest", "ClaimDetailOut", "ErrorOut"} <= set(schemas)
    assert {"/v1/claims", "/v1/claims/validate", "/v1/claims/{claimId}"} <= set(document["paths"])
    refs = json.dumps(document)
    for ref in {part.split('"')[0] for part in refs.split("#/components/schemas/")[1:]}:
        assert ref in schemas, f"dangling $ref {ref}"


def test_openapi_documents_every_route_of_the_app(client: Client) -> None:
    from app import app

    documented = client.http.get("/v1/openapi.json").json_body["paths"]
    for path, methods in app.routes.items():
        spec_path = (
            path.replace("{claim_id}", "{claimId}")
            .replace("{run_id}", "{runId}")
            .replace("{payer_id}", "{payerId}")
            .replace("{item_id}", "{itemId}")
            .replace("{appeal_id}", "{appealId}")
            .replace("{account_id}", "{accountId}")
            .replace("{webhook_id}", "{webhookId}")
            .replace("{delivery_id}", "{deliveryId}")
            .replace("{eligibility_id}", "{eligibilityId}")
            .replace("{inbound_id}", "{inboundId}")
            .replace("{upload_id}", "{uploadId}")
            .replace("{tenant_id}", "{tenantId}")
            .replace("{key_id}", "{keyId}")
            .replace("{batch_id}", "{batchId}")
            .replace("{authorization_id}", "{authorizationId}")
            .replace("{patient_id}", "{patientId}")
        )
        assert spec_path in documented, f"{path} is not in the OpenAPI document"
        for method in methods:
            assert method.lower() in documented[spec_path], f"{method} {path} undocumented"

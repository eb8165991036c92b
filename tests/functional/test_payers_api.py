"""Payers: the tenant's follow-up policy and its versioned fee schedules."""

from __future__ import annotations

import json

from chalice.test import Client

from tests.functional.conftest import TENANT_B_KEY, headers

POLICY = {
    "firstStatusCheckDays": 10,
    "statusCheckIntervalDays": 7,
    "timelyFilingDays": 120,
    "appealWindowDays": 60,
    "crossesOverToSecondary": False,
    "maxStatusChecks": 6,
    "verifyEligibilityDays": None,
    "paperOnly": False,
}


def test_payer_shows_the_default_policy_for_its_filing_code(client: Client) -> None:
    response = client.http.get("/v1/payers/SBXMCR", headers=headers())
    assert response.status_code == 200
    body = response.json_body
    assert body["planType"] == "MB"
    assert body["policySource"] == "default"
    assert body["policy"]["crossesOverToSecondary"] is True
    assert body["policy"]["timelyFilingDays"] == 365
    assert client.http.get("/v1/payers/NOPE", headers=headers()).status_code == 404


def test_put_policy_is_per_tenant_and_validated(client: Client) -> None:
    response = client.http.put(
        "/v1/payers/SBX01", headers=headers(), body=json.dumps({"policy": POLICY})
    )
    assert response.status_code == 200, response.body
    assert response.json_body["policySource"] == "tenant"
    assert response.json_body["policy"] == POLICY
    other = client.http.get("/v1/payers/SBX01", headers=headers(TENANT_B_KEY)).json_body
    assert other["policySource"] == "default"
    bad = dict(POLICY, firstStatusCheckDays=0, timelyFilingDays="soon")
    refused = client.http.put(
        "/v1/payers/SBX01", headers=headers(), body=json.dumps({"policy": bad})
    )
    assert refused.status_code == 422
    assert {e["field"] for e in refused.json_body["errors"]} == {
        "policy.firstStatusCheckDays",
        "policy.timelyFilingDays",
    }


def test_fee_schedules_are_versioned_json_and_csv(client: Client) -> None:
    # tenant-b has no contracts seeded: its versions start at 1.
    rows = [
        {"procedureCode": "99214", "amount": "172.00", "effectiveFrom": "2026-01-01"},
        {"procedureCode": "83036", "amount": "18.00", "effectiveFrom": "2026-01-01"},
    ]
    first = client.http.put(
        "/v1/payers/SBX01/fee-schedules",
        headers=headers(TENANT_B_KEY),
        body=json.dumps({"rows": rows}),
    )
    assert first.status_code == 201, first.body
    assert first.json_body["version"] == 1
    assert first.json_body["amountTotal"] == "190.00"
    csv = (
        "procedureCode,modifier,placeOfService,amount,effectiveFrom,effectiveTo\r\n"
        "99214,,,180.00,2027-01-01,\r\n"
    )
    second = client.http.put(
        "/v1/payers/SBX01/fee-schedules",
        headers=headers(TENANT_B_KEY, **{"Content-Type": "text/csv"}),
        body=csv,
    )
    assert second.status_code == 201, second.body
    assert second.json_body["version"] == 2
    payer = client.http.get("/v1/payers/SBX01", headers=headers(TENANT_B_KEY)).json_body
    assert [(s["version"], s["rows"], s["source"]) for s in payer["feeSchedules"]] == [
        (1, 2, "json"),
        (2, 1, "csv"),
    ]


def test_fee_schedule_errors_name_row_and_field_all_at_once(client: Client) -> None:
    rows = [
        {"procedureCode": "9921", "amount": "172.00", "effectiveFrom": "2026-01-01"},
        {"procedureCode": "83036", "amount": "-3", "effectiveFrom": "2026-02-30"},
    ]
    response = client.http.put(
        "/v1/payers/SBX01/fee-schedules", headers=headers(TENANT_B_KEY), body=json.dumps(rows)
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json_body["errors"]}
    assert {"rows[0].procedureCode", "rows[1].amount", "rows[1].effectiveFrom"} <= fields
    payer = client.http.get("/v1/payers/SBX01", headers=headers(TENANT_B_KEY)).json_body
    assert payer["feeSchedules"] == []


def test_seeded_sandbox_contract_and_medicaid_filing_limit(client: Client) -> None:
    medicaid = client.http.get("/v1/payers/SBXMCD", headers=headers()).json_body
    assert medicaid["policySource"] == "tenant"
    assert medicaid["policy"]["timelyFilingDays"] == 90
    assert [s["version"] for s in medicaid["feeSchedules"]] == [1]

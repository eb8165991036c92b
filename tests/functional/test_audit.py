"""The access audit, as a compliance review reads it: every answer holding patient data is
recorded first (who, which resource, when, the correlation id; nothing read), readable and
exportable by administrators only, per tenant; a read whose record cannot be written shows
nothing."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from chalice.test import Client

from tests.functional.conftest import ADMIN_KEY, TENANT_A_KEY, TENANT_B_KEY, contract, headers


def submit(client: Client, key: str = TENANT_A_KEY, pcn: str = "AUD-1") -> str:
    body = contract("claim-basic.json")
    body["claimInformation"]["patientControlNumber"] = pcn
    created = client.http.post("/v1/claims", headers=headers(key), body=json.dumps(body))
    assert created.status_code == 201, created.body
    return str(created.json_body["claimId"])


def audit(client: Client, query: str, key: str = ADMIN_KEY) -> Any:
    return client.http.get(f"/v1/audit?{query}", headers=headers(key))


def test_reading_a_claim_is_recorded_with_the_keys_principal(client: Client) -> None:
    claim_id = submit(client)
    read = client.http.get(f"/v1/claims/{claim_id}", headers=headers(TENANT_A_KEY))
    assert read.status_code == 200
    client.http.get(f"/v1/claims/{claim_id}/appeals", headers=headers(TENANT_A_KEY))
    client.http.get("/v1/payers/SBX01", headers=headers(TENANT_A_KEY))  # no patient data
    client.http.get("/v1/claims/clm_nobody", headers=headers(TENANT_A_KEY))  # 404: nothing read

    answer = audit(client, "tenantId=tenant-a")
    assert answer.status_code == 200, answer.body
    records = answer.json_body["records"]
    assert [(r["route"], r["resource"]) for r in records] == [
        ("/v1/claims/{claim_id}", f"/v1/claims/{claim_id}"),
        ("/v1/claims/{claim_id}/appeals", f"/v1/claims/{claim_id}/appeals"),
    ]
    first = records[0]
    assert first["principal"] == "seed:tenant-a" and first["status"] == 200
    assert first["correlationId"] == read.headers["x-correlation-id"]
    patient = contract("claim-basic.json")["subscriber"]["lastName"]
    assert patient not in answer.body.decode()  # the record holds no patient data


def test_an_issued_keys_reads_name_it_and_filters_find_them(client: Client) -> None:
    created = client.http.post(
        "/v1/admin/tenants/tenant-a/keys",
        headers=headers(ADMIN_KEY),
        body=json.dumps({"roles": ["read_only"], "name": "Dr. Auditor"}),
    )
    reader = created.json_body
    claim_id, other = submit(client), submit(client, pcn="AUD-2")
    client.http.get(f"/v1/claims/{claim_id}", headers=headers(reader["apiKey"]))
    client.http.get(f"/v1/claims/{other}", headers=headers(TENANT_A_KEY))
    client.http.get(f"/v1/claims/{claim_id}/appeals", headers=headers(TENANT_A_KEY))

    mine = audit(client, f"tenantId=tenant-a&principal={reader['keyId']}").json_body["records"]
    assert [(r["resource"], r["principalName"]) for r in mine] == [
        (f"/v1/claims/{claim_id}", "Dr. Auditor")
    ]
    about = audit(client, f"tenantId=tenant-a&resource=/v1/claims/{claim_id}").json_body
    assert {r["resource"] for r in about["records"]} == {
        f"/v1/claims/{claim_id}",
        f"/v1/claims/{claim_id}/appeals",
    }
    export = audit(client, "tenantId=tenant-a&format=csv")
    assert export.status_code == 200 and export.headers["Content-Type"] == "text/csv"
    rows = list(csv.DictReader(io.StringIO(export.body.decode())))
    assert len(rows) == 3 and rows[0]["principal"] == reader["keyId"]


def test_only_admins_read_the_audit_and_each_tenant_is_apart(client: Client) -> None:
    claim_id = submit(client)
    client.http.get(f"/v1/claims/{claim_id}", headers=headers(TENANT_A_KEY))
    assert audit(client, "tenantId=tenant-a", key=TENANT_A_KEY).status_code == 403
    assert audit(client, "tenantId=tenant-b").json_body["records"] == []
    assert audit(client, "").status_code == 422  # which tenant: required
    wide = audit(client, "tenantId=tenant-a&from=2026-01-01&to=2026-12-31")
    assert wide.status_code == 422  # at most 31 days at a time
    other = submit(client, key=TENANT_B_KEY, pcn="AUD-B")
    client.http.get(f"/v1/claims/{other}", headers=headers(TENANT_B_KEY))
    assert len(audit(client, "tenantId=tenant-b").json_body["records"]) == 1


def test_a_read_that_cannot_be_recorded_shows_nothing(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.store import audit as store

    claim_id = submit(client)

    def broken(*args: object, **kwargs: object) -> None:
        raise ConnectionError("the audit table did not answer")

    monkeypatch.setattr(store, "append", broken)
    answer = client.http.get(f"/v1/claims/{claim_id}", headers=headers(TENANT_A_KEY))
    assert answer.status_code == 503
    assert answer.json_body["errors"][0]["code"] == "audit_unavailable"
    assert claim_id not in answer.body.decode()

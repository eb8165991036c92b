"""Clearinghouse accounts and payer routes: secrets kept in Secrets Manager and never returned,
one tenant's accounts invisible to another, routes that only name the tenant's own accounts."""

from __future__ import annotations

import json
from typing import Any

import boto3
from chalice.test import Client

from tests.functional.conftest import TENANT_B_KEY, headers

HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGtQ8qNOTAREALKEYONLYFORTESTS0000000000000"
SFTP_ACCOUNT: dict[str, Any] = {
    "kind": "sftp",
    "host": "sftp.clearinghouse.example",
    "port": 2222,
    "username": "practice-a",
    "hostKey": HOST_KEY,
    "submitterId": "ETIN12345",
    "receiverId": "CLEARHOUSE",
    "password": "s3cret-Pa55word",
}


def put(client: Client, path: str, body: object, key: str | None = None) -> Any:
    return client.http.put(path, headers=headers(key) if key else headers(), body=json.dumps(body))


def test_an_sftp_account_keeps_its_password_in_secrets_manager_only(client: Client) -> None:
    created = put(client, "/v1/clearinghouses/office-ally", SFTP_ACCOUNT)
    assert created.status_code == 201, created.body
    body = created.json_body
    assert body["secretStored"] is True and body["secretUpdatedAt"]
    assert body["host"] == "sftp.clearinghouse.example" and body["submitterId"] == "ETIN12345"
    assert "s3cret" not in json.dumps(body)
    read = client.http.get("/v1/clearinghouses/office-ally", headers=headers()).json_body
    assert "s3cret" not in json.dumps(read) and "password" not in read
    # The password is in Secrets Manager under the tenant's path, and nowhere in the table.
    secret = boto3.client("secretsmanager").get_secret_value(
        SecretId="claimgate/local/tenants/tenant-a/clearinghouses/office-ally"
    )
    assert json.loads(secret["SecretString"]) == {"password": "s3cret-Pa55word"}
    table = boto3.client("dynamodb").scan(TableName="claimgate-test")["Items"]
    assert "s3cret" not in json.dumps(table)
    # A PUT without credentials keeps the stored ones; one with a key replaces them.
    changed = put(client, "/v1/clearinghouses/office-ally", {**SFTP_ACCOUNT, "password": None})
    assert changed.status_code == 200 and changed.json_body["secretStored"] is True
    put(client, "/v1/clearinghouses/office-ally", {**SFTP_ACCOUNT, "port": 22})
    listed = client.http.get("/v1/clearinghouses", headers=headers()).json_body["accounts"]
    assert [(a["accountId"], a["port"]) for a in listed] == [("office-ally", 22)]


def test_accounts_are_the_tenants_own(client: Client) -> None:
    assert put(client, "/v1/clearinghouses/office-ally", SFTP_ACCOUNT).status_code == 201
    other = client.http.get("/v1/clearinghouses/office-ally", headers=headers(TENANT_B_KEY))
    assert other.status_code == 404
    listed = client.http.get("/v1/clearinghouses", headers=headers(TENANT_B_KEY))
    assert listed.json_body["accounts"] == []
    # tenant-b cannot route a payer through tenant-a's account: it has no such account.
    route = {"clearinghouse": "office-ally", "clearinghousePayerId": "62308"}
    refused = put(client, "/v1/payers/SBX01/route", route, TENANT_B_KEY)
    assert refused.status_code == 422
    assert refused.json_body["errors"][0]["field"] == "clearinghouse"
    # and (no operator role) cannot create or delete accounts at all.
    assert put(client, "/v1/clearinghouses/mine", SFTP_ACCOUNT, TENANT_B_KEY).status_code == 403


def test_bad_accounts_get_field_errors(client: Client) -> None:
    missing = put(client, "/v1/clearinghouses/x", {"kind": "sftp", "host": "h.example"})
    assert missing.status_code == 422
    assert "username" in missing.json_body["errors"][0]["message"]
    wrong_key = put(client, "/v1/clearinghouses/x", {**SFTP_ACCOUNT, "hostKey": "not a key"})
    assert wrong_key.status_code == 422
    no_secret = put(client, "/v1/clearinghouses/x", {**SFTP_ACCOUNT, "password": None})
    assert no_secret.status_code == 422
    assert no_secret.json_body["errors"][0]["code"] == "invalid_account"
    unknown = put(client, "/v1/clearinghouses/x", {**SFTP_ACCOUNT, "pasword": "typo"})
    assert unknown.status_code == 422
    assert unknown.json_body["errors"][0]["field"] == "pasword"
    json_api = put(client, "/v1/clearinghouses/x", {"kind": "http_json"})
    assert json_api.status_code == 422
    assert "baseUrl" in json_api.json_body["errors"][0]["message"]
    for bad_id in ("sandbox", "has space", "a" * 65):
        answer = put(client, f"/v1/clearinghouses/{bad_id}", {"kind": "sandbox"})
        assert answer.status_code in (404, 422), bad_id
    assert client.http.get("/v1/clearinghouses/none", headers=headers()).status_code == 404


def test_a_route_moves_a_payer_to_the_account_and_back(client: Client) -> None:
    put(client, "/v1/clearinghouses/office-ally", SFTP_ACCOUNT)
    route = {"clearinghouse": "office-ally", "clearinghousePayerId": "OA1234"}
    routed = put(client, "/v1/payers/SBX01/route", route)
    assert routed.status_code == 200, routed.body
    payer = client.http.get("/v1/payers/SBX01", headers=headers()).json_body
    assert payer["gateway"] == "office-ally"
    # The other tenant's claims for the same payer still go to the directory's default.
    other = client.http.get("/v1/payers/SBX01", headers=headers(TENANT_B_KEY)).json_body
    assert other["gateway"] == "sandbox"
    # An account that carries payers cannot be removed; once the route is gone it can.
    in_use = client.http.delete("/v1/clearinghouses/office-ally", headers=headers())
    assert in_use.status_code == 409 and "SBX01" in in_use.json_body["errors"][0]["message"]
    assert client.http.delete("/v1/payers/SBX01/route", headers=headers()).status_code == 204
    back = client.http.get("/v1/payers/SBX01", headers=headers()).json_body
    assert back["gateway"] == "sandbox"
    assert (
        client.http.delete("/v1/clearinghouses/office-ally", headers=headers()).status_code == 204
    )
    gone = boto3.client("secretsmanager").describe_secret(
        SecretId="claimgate/local/tenants/tenant-a/clearinghouses/office-ally"
    )
    assert "DeletedDate" in gone


def test_a_payer_outside_the_directory_is_billable_once_routed(client: Client) -> None:
    put(client, "/v1/clearinghouses/office-ally", SFTP_ACCOUNT)
    bare = {"clearinghouse": "office-ally", "clearinghousePayerId": "62308"}
    refused = put(client, "/v1/payers/CIGNA1/route", bare)
    assert refused.status_code == 422 and refused.json_body["errors"][0]["code"] == "invalid_route"
    named = put(client, "/v1/payers/CIGNA1/route", {**bare, "name": "Cigna", "planType": "CI"})
    assert named.status_code == 200
    payer = client.http.get("/v1/payers/CIGNA1", headers=headers()).json_body
    assert (payer["name"], payer["planType"], payer["gateway"]) == ("Cigna", "CI", "office-ally")
    assert client.http.get("/v1/payers/CIGNA1", headers=headers(TENANT_B_KEY)).status_code == 404

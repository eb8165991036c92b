"""Clearinghouse accounts, routes and webhooks under concurrency: parallel PUTs of the same
account make one account with one secret (one 201, the others 200), parallel routes settle
on one, parallel registrations make distinct endpoints with distinct secrets."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from typing import Any

import boto3
from chalice.test import Client

from tests.functional.conftest import headers
from tests.functional.test_clearinghouse_accounts import SFTP_ACCOUNT
from tests.reliability.harness import in_parallel


def _put(client: Client, path: str, body: object) -> Any:
    return client.http.put(path, headers=headers(), body=json.dumps(body))


def test_parallel_puts_of_one_account_make_one_account_and_one_secret(client: Client) -> None:
    calls: list[Callable[[], Any]] = [
        partial(_put, client, "/v1/clearinghouses/oa", {**SFTP_ACCOUNT, "password": f"pw-{n}"})
        for n in range(6)
    ]
    answers = in_parallel(calls)
    assert sorted(a.status_code for a in answers) == [200] * 5 + [201]
    listed = client.http.get("/v1/clearinghouses", headers=headers()).json_body["accounts"]
    assert [a["accountId"] for a in listed] == ["oa"]
    secrets = boto3.client("secretsmanager").list_secrets()["SecretList"]
    assert [s["Name"] for s in secrets] == ["claimgate/local/tenants/tenant-a/clearinghouses/oa"]
    stored = json.loads(
        boto3.client("secretsmanager").get_secret_value(SecretId=secrets[0]["Name"])["SecretString"]
    )
    assert stored["password"] in {f"pw-{n}" for n in range(6)}


def test_parallel_routes_settle_on_one(client: Client) -> None:
    _put(client, "/v1/clearinghouses/oa", SFTP_ACCOUNT)
    calls: list[Callable[[], Any]] = [
        partial(
            _put,
            client,
            "/v1/payers/SBX01/route",
            {"clearinghouse": "oa", "clearinghousePayerId": f"OA{n}"},
        )
        for n in range(6)
    ]
    answers = in_parallel(calls)
    assert all(a.status_code == 200 for a in answers), [a.body for a in answers]
    final = client.http.get("/v1/payers/SBX01/route", headers=headers()).json_body
    assert final["clearinghousePayerId"] in {f"OA{n}" for n in range(6)}


def test_a_webhook_registered_twice_at_once_is_one_endpoint(client: Client) -> None:
    """A client's retry, or two requests at once: one endpoint, one secret that signs."""
    body = json.dumps({"url": "https://billing.example.com/hook", "events": ["claim.paid"]})
    answers = in_parallel(
        [lambda: client.http.post("/v1/webhooks", headers=headers(), body=body)] * 5
    )
    assert sorted(a.status_code for a in answers) == [201] + [409] * 4
    [created] = [a.json_body for a in answers if a.status_code == 201]
    refused = [a.json_body["errors"][0] for a in answers if a.status_code == 409]
    assert all(e["code"] == "already_registered" for e in refused)
    assert all(created["webhookId"] in e["message"] for e in refused)
    listed = client.http.get("/v1/webhooks", headers=headers()).json_body["webhooks"]
    assert [w["webhookId"] for w in listed] == [created["webhookId"]]
    # The secret the winner was shown is the one kept (a loser never overwrote it).
    ref = boto3.client("secretsmanager").list_secrets(
        Filters=[{"Key": "name", "Values": ["claimgate/local/tenants/tenant-a/webhooks/"]}]
    )["SecretList"]
    live = [s for s in ref if "DeletedDate" not in s]
    assert len(live) == 1
    stored = boto3.client("secretsmanager").get_secret_value(SecretId=live[0]["Name"])
    assert json.loads(stored["SecretString"])["signingSecret"] == created["signingSecret"]

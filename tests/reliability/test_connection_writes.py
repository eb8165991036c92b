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


def test_parallel_webhook_registrations_are_distinct(client: Client) -> None:
    body = json.dumps({"url": "https://billing.example.com/hook", "events": ["claim.paid"]})
    answers = in_parallel(
        [lambda: client.http.post("/v1/webhooks", headers=headers(), body=body)] * 5
    )
    assert all(a.status_code == 201 for a in answers)
    assert len({a.json_body["webhookId"] for a in answers}) == 5
    assert len({a.json_body["signingSecret"] for a in answers}) == 5

"""Payer writes that must work the second time and under concurrency: the follow-up policy
(a version-checked full replace) and fee schedule uploads (a new version each, whatever the
overlap)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import partial
from typing import Any

import pytest
from chalice.test import Client

from tests.functional.conftest import TENANT_B_KEY, headers
from tests.reliability.harness import in_parallel

FEES = "/v1/payers/SBX01/fee-schedules"


def _policy(first: int) -> dict[str, Any]:
    return {
        "firstStatusCheckDays": first,
        "statusCheckIntervalDays": 7,
        "timelyFilingDays": 120,
        "appealWindowDays": 60,
        "crossesOverToSecondary": False,
        "maxStatusChecks": 6,
        "verifyEligibilityDays": None,
        "paperOnly": False,
    }


def _put_policy(client: Client, payer_id: str, first: int, key: str | None = None) -> Any:
    return client.http.put(
        f"/v1/payers/{payer_id}",
        headers=headers(key) if key else headers(),
        body=json.dumps({"policy": _policy(first)}),
    )


def _upload(client: Client, key: str, amount: str) -> Any:
    rows = [{"procedureCode": "99214", "amount": amount, "effectiveFrom": "2027-01-01"}]
    return client.http.put(FEES, headers=headers(key), body=json.dumps({"rows": rows}))


def test_payer_writes_second_put_replaces_the_first(client: Client) -> None:
    for first in (10, 11, 12):
        response = _put_policy(client, "SBX01", first)
        assert response.status_code == 200, response.body
        assert response.json_body["policy"]["firstStatusCheckDays"] == first
    shown = client.http.get("/v1/payers/SBX01", headers=headers()).json_body
    assert shown["policy"]["firstStatusCheckDays"] == 12


def test_payer_writes_seeded_medicaid_policy_takes_a_put(client: Client) -> None:
    before = client.http.get("/v1/payers/SBXMCD", headers=headers()).json_body
    assert before["policySource"] == "tenant"
    response = _put_policy(client, "SBXMCD", 30)
    assert response.status_code == 200, response.body
    shown = client.http.get("/v1/payers/SBXMCD", headers=headers()).json_body
    assert shown["policy"] == _policy(30)


def test_payer_writes_reseeding_keeps_the_tenants_policy(client: Client) -> None:
    from chalicelib.store.bootstrap import seed_sandbox_contracts

    assert _put_policy(client, "SBXMCD", 30).status_code == 200
    seed_sandbox_contracts("tenant-a", now=datetime(2026, 11, 21, tzinfo=UTC))
    shown = client.http.get("/v1/payers/SBXMCD", headers=headers()).json_body
    assert shown["policy"]["firstStatusCheckDays"] == 30
    assert [s["version"] for s in shown["feeSchedules"]] == [1]


def test_payer_writes_parallel_first_puts_all_succeed(client: Client) -> None:
    answers = in_parallel(
        [partial(_put_policy, client, "SBX01", n, TENANT_B_KEY) for n in range(20, 25)]
    )
    assert [a.status_code for a in answers] == [200] * 5, [a.body for a in answers]
    shown = client.http.get("/v1/payers/SBX01", headers=headers(TENANT_B_KEY)).json_body
    assert shown["policy"]["firstStatusCheckDays"] in range(20, 25)


def test_payer_writes_parallel_puts_over_a_stored_policy_all_succeed(client: Client) -> None:
    answers = in_parallel([partial(_put_policy, client, "SBXMCD", n) for n in range(20, 25)])
    assert [a.status_code for a in answers] == [200] * 5, [a.body for a in answers]


def test_payer_writes_policy_that_keeps_conflicting_is_409(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.store import contracts
    from chalicelib.store.errors import ConcurrentUpdateError

    def always_late(*args: object, **kwargs: object) -> None:
        raise ConcurrentUpdateError("payer policy")

    monkeypatch.setattr(contracts, "save_policy", always_late)
    response = _put_policy(client, "SBX01", 10)
    assert response.status_code == 409, response.body
    error = response.json_body["errors"][0]
    assert error["code"] == "concurrent_update"
    assert "again" in error["message"]


def test_payer_writes_parallel_uploads_each_get_their_own_version(client: Client) -> None:
    # tenant-b has no fee schedules: versions 1 to 10, each once.
    answers = in_parallel(
        [partial(_upload, client, TENANT_B_KEY, f"{100 + n}.00") for n in range(10)]
    )
    assert [a.status_code for a in answers] == [201] * 10, [a.body for a in answers]
    versions = sorted(a.json_body["version"] for a in answers)
    assert versions == list(range(1, 11))
    shown = client.http.get("/v1/payers/SBX01", headers=headers(TENANT_B_KEY)).json_body
    assert [s["version"] for s in shown["feeSchedules"]] == list(range(1, 11))


def test_payer_writes_uploads_move_past_versions_stored_without_a_counter(
    client: Client,
) -> None:
    """Versions written before the counter existed (as the seed and older releases did)."""
    from chalicelib.payers.fee_schedules import FeeScheduleVersion, parse_fee_schedule_json
    from chalicelib.store.contracts import save_fee_schedule

    rows = parse_fee_schedule_json(
        [{"procedureCode": "99213", "amount": "90.00", "effectiveFrom": "2026-01-01"}]
    )
    uploaded = datetime(2026, 1, 2, tzinfo=UTC)
    for version in (1, 2, 3):
        save_fee_schedule("tenant-b", "SBX01", FeeScheduleVersion(version, uploaded, rows, "json"))
    answers = in_parallel(
        [partial(_upload, client, TENANT_B_KEY, f"{100 + n}.00") for n in range(6)]
    )
    assert [a.status_code for a in answers] == [201] * 6, [a.body for a in answers]
    assert sorted(a.json_body["version"] for a in answers) == list(range(4, 10))
    assert _upload(client, TENANT_B_KEY, "99.00").json_body["version"] == 10


def test_payer_writes_upload_that_finds_no_version_is_409(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.store import contracts
    from chalicelib.store.errors import ConcurrentUpdateError

    def no_version(*args: object, **kwargs: object) -> None:
        raise ConcurrentUpdateError("fee schedule")

    monkeypatch.setattr(contracts, "save_fee_schedule", no_version)
    response = _upload(client, TENANT_B_KEY, "100.00")
    assert response.status_code == 409, response.body
    assert response.json_body["errors"][0]["code"] == "concurrent_update"

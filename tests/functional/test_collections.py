"""Collections: an unpaid balance is dunned by age — statement, reminder, second reminder,
final notice — then sent to collections and exported for the agency; payments after that
are recorded and reported; small balances are written off instead, by policy."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from chalice.test import Client

from tests.functional.conftest import headers
from tests.functional.test_patient_statements import run_at, statements
from tests.functional.test_patients import ACCOUNT, ledger, patient, pay, single_payer_visit


def due_at() -> datetime:
    from chalicelib.store import patients as store

    account, _ = store.load_patient("tenant-a", ACCOUNT)
    assert account is not None and account.statement_due is not None
    return account.statement_due + timedelta(minutes=1)


def export(client: Client, fmt: str = "csv") -> Any:
    response = client.http.get(f"/v1/collections/export?format={fmt}", headers=headers())
    assert response.status_code == 200, response.body
    return response


def dun_until_collections(client: Client) -> list[str]:
    """Runs the statement schedule at each cycle until the account leaves it."""
    actions = []
    for _ in range(8):
        result = run_at(due_at())
        counts = result.detail
        actions.append(next(k for k in counts if k != "statement_pages"))
        if "sent_to_collections" in counts or "small_balances_written_off" in counts:
            break
    return actions


def test_collections_a_balance_ages_into_collections_and_the_agency_export(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    balance = single_payer_visit(client)["balance"]
    actions = dun_until_collections(client)
    assert actions == [
        "statements",
        "reminders",
        "second_reminders",
        "final_notices",
        "sent_to_collections",
    ]
    assert [s["kind"] for s in statements(client)] == [
        "statement",
        "reminder",
        "second_reminder",
        "final_notice",
    ]
    shown = patient(client)
    assert shown["sentToCollectionsAmount"] == balance
    # No more notices once the agency has it.
    from chalicelib.store import patients as store

    account, _ = store.load_patient("tenant-a", ACCOUNT)
    assert account is not None and account.statement_due is None
    [row] = list(csv.DictReader(io.StringIO(export(client).body.decode())))
    assert row["account_number"] == ACCOUNT
    assert row["placed_amount"] == balance
    assert row["paid_since_placement"] == "0.00"
    assert row["patient_last_name"] and row["postal_code"]
    # A payment after placement is recorded and reported to the agency.
    from chalicelib.api import patients as routes

    placed = datetime.fromisoformat(shown["sentToCollectionsOn"] + "T12:00:00+00:00")
    monkeypatch.setattr(routes, "utcnow", lambda: placed + timedelta(days=3))
    assert pay(client, "5.00", key="after-placement").status_code == 201
    [row] = list(csv.DictReader(io.StringIO(export(client).body.decode())))
    assert row["paid_since_placement"] == "5.00"
    as_json = export(client, "json").json_body
    assert as_json["paidSincePlacement"] == "5.00" and as_json["placed"] == balance


def test_collections_small_balance_is_written_off_by_policy(client: Client) -> None:
    balance = single_payer_visit(client)["balance"]
    policy = client.http.put(
        "/v1/patient-billing/policy",
        headers=headers(),
        body=json.dumps({"smallBalanceWriteOff": balance}),
    )
    assert policy.status_code == 200
    actions = dun_until_collections(client)
    assert actions[-1] == "small_balances_written_off"
    assert patient(client)["balance"] == "0.00"
    assert ledger(client).json_body["entries"][-1]["kind"] == "write_off"
    assert export(client, "json").json_body["accounts"] == []


def test_collections_paying_off_starts_the_dunning_over(client: Client) -> None:
    single_payer_visit(client)
    assert run_at(due_at()).detail.get("statements") == 1
    assert run_at(due_at()).detail.get("reminders") == 1
    # Paid off after a reminder: the dunning starts over, nothing goes to the agency.
    old = ledger(client).json_body["entries"][0]["amount"]
    assert pay(client, old, key="old-one").status_code == 201
    assert patient(client)["lastNotice"] is None
    assert export(client, "json").json_body["accounts"] == []


def test_collections_export_refuses_another_format(client: Client) -> None:
    response = client.http.get("/v1/collections/export?format=xlsx", headers=headers())
    assert response.status_code == 422
    assert response.json_body["errors"][0]["field"] == "format"

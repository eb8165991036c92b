"""Patient statements: the run makes one per patient with a balance per cycle (PDF and JSON in
the archive), with the amounts and the reasons in plain words; none for a zero balance, below
the minimum or for an account held; a run delivered twice makes one."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from chalice.test import Client
from pypdf import PdfReader

from tests.functional.conftest import headers
from tests.functional.conftest import run_schedule as run
from tests.functional.test_patients import ACCOUNT, ledger, patient, pay, single_payer_visit


def statements(client: Client) -> list[dict[str, Any]]:
    response = client.http.get(f"/v1/patients/{ACCOUNT}/statements", headers=headers())
    assert response.status_code == 200, response.body
    found: list[dict[str, Any]] = response.json_body["statements"]
    return found


def statement_text(client: Client, cycle: str) -> str:
    response = client.http.get(
        f"/v1/patients/{ACCOUNT}/statements/{cycle}",
        headers=headers(Accept="application/pdf"),
    )
    assert response.status_code == 200, response.body
    assert response.headers["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.body))
    return "\n".join(page.extract_text() for page in reader.pages)


def run_at(moment: datetime) -> Any:
    from chalicelib.services.runs import execute

    return execute("patient-statements", trigger="manual", clock=lambda: moment)


def test_patient_statement_pdf_shows_the_amounts_and_the_reasons(client: Client) -> None:
    balance = single_payer_visit(client)["balance"]
    [charge] = ledger(client).json_body["entries"]
    made = run(client, "patient-statements")
    assert made["acted"] == 1
    [statement] = statements(client)
    assert statement["kind"] == "statement"
    assert statement["amountDue"] == balance == statement["balance"]
    text = statement_text(client, statement["cycle"])
    assert f"Amount due: ${Decimal(balance):,.2f}" in text
    assert f"by {statement['dueOn']}" in text
    assert "Practice A" in text
    assert "How to pay" in text
    for reason in charge["reasons"]:
        if reason["amount"] is not None:
            assert f"{reason['code']} ${Decimal(reason['amount']):,.2f}" in text
    # the PR reasons in plain words
    assert any(
        words in text for words in ("Copay: the fixed amount", "Coinsurance: your", "Deductible:")
    )
    for share in charge["payers"]:
        assert f"{share['payerId']} ${Decimal(share['paid']):,.2f}" in text
    as_json = client.http.get(
        f"/v1/patients/{ACCOUNT}/statements/{statement['cycle']}", headers=headers()
    ).json_body
    [visit] = as_json["visits"]
    assert visit["stillOwed"] == balance
    assert {r["code"] for r in visit["reasons"]} == {r["code"] for r in charge["reasons"]}


def test_patient_statement_run_twice_makes_one_per_cycle(client: Client) -> None:
    from chalicelib.store import patients as store

    single_payer_visit(client)
    before, _ = store.load_patient("tenant-a", ACCOUNT)
    assert before is not None and before.statement_due is not None
    assert run(client, "patient-statements")["acted"] == 1
    assert run(client, "patient-statements")["examined"] == 0  # the next cycle is not due
    # A run that died after the statement and before moving the account on: delivered
    # again, it finds the cycle's statement and makes no second one.
    after, _ = store.load_patient("tenant-a", ACCOUNT)
    assert after is not None and after.statement_due is not None
    assert after.statement_due >= before.statement_due + timedelta(days=30)
    store.save_account(
        after.__class__(**{**_fields(after), "statement_due": before.statement_due}),
        now=before.statement_due,
    )
    again = run(client, "patient-statements")
    assert again["acted"] == 0 and again["counts"]["statements_made_before"] == 1
    assert len(statements(client)) == 1
    # The next cycle makes the next statement.
    next_cycle = run_at(after.statement_due + timedelta(minutes=1))
    assert next_cycle.acted == 1
    assert len(statements(client)) == 2


def _fields(account: Any) -> dict[str, Any]:
    return {name: getattr(account, name) for name in account.__dataclass_fields__}


def test_patient_statement_none_for_zero_balance_minimum_or_hold(client: Client) -> None:
    balance = single_payer_visit(client)["balance"]
    # Held: the account leaves the run's due set.
    held = client.http.put(
        f"/v1/patients/{ACCOUNT}", headers=headers(), body=json.dumps({"doNotSend": True})
    )
    assert held.status_code == 200 and held.json_body["doNotSend"] is True
    assert run(client, "patient-statements")["examined"] == 0
    released = client.http.put(
        f"/v1/patients/{ACCOUNT}", headers=headers(), body=json.dumps({"doNotSend": False})
    )
    assert released.status_code == 200
    # Below the tenant's minimum: no statement; the balance still ages.
    policy = client.http.put(
        "/v1/patient-billing/policy",
        headers=headers(),
        body=json.dumps({"minimumStatement": str(Decimal(balance) + 1)}),
    )
    assert policy.status_code == 200, policy.body
    below = run(client, "patient-statements")
    assert below["acted"] == 0 and below["counts"]["no_statement_below_minimum"] == 1
    # Paid in full: off the due set; nothing to send.
    assert pay(client, balance, key="full").status_code == 201
    assert patient(client)["balance"] == "0.00"
    assert run_at(datetime.now().astimezone() + timedelta(days=400)).examined == 0
    assert statements(client) == []


def test_patient_billing_policy_refuses_bad_settings_field_by_field(client: Client) -> None:
    response = client.http.put(
        "/v1/patient-billing/policy",
        headers=headers(),
        body=json.dumps({"cycleDays": 2, "minimumStatement": 5, "dunningDays": [90, 60], "x": 1}),
    )
    assert response.status_code == 422
    fields = {p["field"]: p["code"] for p in response.json_body["errors"]}
    assert fields == {
        "cycleDays": "invalid_value",
        "minimumStatement": "invalid_amount",
        "dunningDays": "invalid_value",
        "x": "unknown_field",
    }
    shown = client.http.get("/v1/patient-billing/policy", headers=headers()).json_body
    assert shown["cycleDays"] == 30 and shown["dunningDays"] == [30, 60, 90, 120]

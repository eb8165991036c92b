"""Payment plans: the balance in monthly instalments; statements ask for the instalment; a
missed instalment defaults the plan once the tenant's grace days have passed."""

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
from tests.functional.test_patient_statements import statements
from tests.functional.test_patients import ACCOUNT, pay, single_payer_visit

PLANS = f"/v1/patients/{ACCOUNT}/payment-plans"


def make_plan(client: Client, **body: Any) -> Any:
    return client.http.post(PLANS, headers=headers(), body=json.dumps(body))


def plans(client: Client) -> list[dict[str, Any]]:
    response = client.http.get(PLANS, headers=headers())
    assert response.status_code == 200, response.body
    found: list[dict[str, Any]] = response.json_body["plans"]
    return found


def run_plans_at(moment: datetime) -> Any:
    from chalicelib.services.runs import execute

    return execute("payment-plans", trigger="manual", clock=lambda: moment)


def test_payment_plan_with_a_missed_instalment_defaults_after_the_grace_period(
    client: Client,
) -> None:
    from chalicelib.clock import utcnow

    balance = Decimal(single_payer_visit(client)["balance"])
    grace = client.http.put(
        "/v1/patient-billing/policy", headers=headers(), body=json.dumps({"planGraceDays": 5})
    )
    assert grace.status_code == 200
    made = make_plan(client, instalments=3)
    assert made.status_code == 201, made.body
    plan = made.json_body
    assert plan["status"] == "active"
    amounts = [Decimal(i["amount"]) for i in plan["instalments"]]
    assert sum(amounts) == balance and len(amounts) == 3
    assert plan["instalments"][0]["status"] == "due"
    first, second = plan["instalments"][0], plan["instalments"][1]
    # One active plan at a time.
    assert make_plan(client, instalments=2).status_code == 409
    # The statement asks for the instalment, not the balance.
    assert run(client, "patient-statements")["acted"] == 1
    [statement] = statements(client)
    assert Decimal(statement["amountDue"]) == amounts[0]
    pdf = client.http.get(
        f"/v1/patients/{ACCOUNT}/statements/{statement['cycle']}",
        headers=headers(Accept="application/pdf"),
    ).body
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Payment plan: 0 of 3 monthly payments made" in text
    assert f"Amount due: ${amounts[0]:,.2f}" in text
    # The first instalment is paid; the second is not.
    assert pay(client, first["amount"], key="instalment-1").status_code == 201
    [shown] = plans(client)
    assert [i["status"] for i in shown["instalments"]] == ["paid", "upcoming", "upcoming"]
    due = datetime.fromisoformat(second["dueOn"]).replace(tzinfo=utcnow().tzinfo)
    # Within the grace days it stays active ...
    within = run_plans_at(due + timedelta(days=5, hours=1))
    assert within.failed == 0 and within.detail.get("plans_defaulted", 0) == 0
    assert plans(client)[0]["status"] == "active"
    # ... past them, it is defaulted, for good.
    past = run_plans_at(due + timedelta(days=6, hours=1))
    assert past.acted == 1 and past.detail["plans_defaulted"] == 1
    [defaulted] = plans(client)
    assert defaulted["status"] == "defaulted"
    assert run_plans_at(due + timedelta(days=30)).examined == 0
    # A new plan may be agreed once the old one is over.
    assert make_plan(client, total="10.00", instalmentAmount="5.00").status_code == 201


def test_payment_plan_paid_in_full_is_completed(client: Client) -> None:
    balance = single_payer_visit(client)["balance"]
    made = make_plan(client, instalments=2).json_body
    assert pay(client, balance, key="all").status_code == 201
    [shown] = plans(client)
    assert shown["status"] == "completed" and shown["remaining"] == "0.00"
    due = datetime.fromisoformat(made["instalments"][1]["dueOn"] + "T00:00:00+00:00")
    done = run_plans_at(due + timedelta(days=30))
    assert done.detail.get("plans_completed") == 1


def test_payment_plan_refuses_what_cannot_be_a_plan(client: Client) -> None:
    balance = Decimal(single_payer_visit(client)["balance"])
    both = make_plan(client, instalments=3, instalmentAmount="5.00")
    assert both.status_code == 422
    assert both.json_body["errors"][0]["field"] == "instalments"
    over = make_plan(client, total=str(balance + 1), instalments=2)
    assert over.status_code == 422 and over.json_body["errors"][0]["field"] == "total"
    fields = make_plan(client, instalments="six", startDate="2001-01-01", color="red")
    assert fields.status_code == 422
    assert {p["field"] for p in fields.json_body["errors"]} == {
        "instalments",
        "startDate",
        "color",
    }

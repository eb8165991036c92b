"""Patient balances on the sandbox: a visit's patient share reaches the ledger only once its
last payer has finished; patient payments count once; balance and aging read back."""

from __future__ import annotations

import json
from typing import Any

from chalice.test import Client

from tests.functional.conftest import TENANT_B_KEY, contract, headers
from tests.functional.conftest import run_schedule as run
from tests.functional.test_corrections import post_replacement
from tests.functional.test_secondary_billing import claim

ACCOUNT = "ACCT-1001"


def with_account(body: dict[str, Any], account: str = ACCOUNT) -> dict[str, Any]:
    info = body["claimInformation"]
    info.setdefault("claimSupplementalInformation", {})["medicalRecordNumber"] = account
    return body


def medicare_with_commercial_secondary() -> dict[str, Any]:
    """Medicare (SBXMCR) primary, the commercial plan (SBX01) secondary: Medicare takes its
    Part B deductible, the commercial plan pays part of what is left and leaves its copay and
    coinsurance with the patient."""
    body = contract("claim-medicare-with-secondary.json")
    [other] = body["claimInformation"]["otherSubscriberInformation"]
    other["claimFilingIndicatorCode"] = "CI"
    other["otherSubscriberName"]["otherInsuredIdentifier"] = "W123456789"
    other["otherPayerName"] |= {
        "otherPayerOrganizationName": "Sandbox Commercial PPO",
        "otherPayerIdentifier": "SBX01",
    }
    return body


def submit(client: Client, body: dict[str, Any]) -> str:
    response = client.http.post("/v1/claims", headers=headers(), body=json.dumps(body))
    assert response.status_code == 201, response.body
    claim_id: str = response.json_body["claimId"]
    return claim_id


def ledger(client: Client, account: str = ACCOUNT, key: str | None = None) -> Any:
    return client.http.get(
        f"/v1/patients/{account}/ledger", headers=headers(key) if key else headers()
    )


def patient(client: Client, account: str = ACCOUNT) -> dict[str, Any]:
    response = client.http.get(f"/v1/patients/{account}", headers=headers())
    assert response.status_code == 200, response.body
    body: dict[str, Any] = response.json_body
    return body


def pay(client: Client, amount: str, key: str | None = None, **fields: str) -> Any:
    extra = {"Idempotency-Key": key} if key else {}
    return client.http.post(
        f"/v1/patients/{ACCOUNT}/payments",
        headers=headers(**extra),
        body=json.dumps({"amount": amount, "method": "card", **fields}),
    )


def single_payer_visit(client: Client) -> dict[str, Any]:
    """A claim to one payer, paid: the patient's share is on the ledger after its 835."""
    submit(client, with_account(contract("claim-basic.json")))
    run(client, "clearinghouse-poll")
    run(client, "clearinghouse-poll")
    return patient(client)


def test_patients_coinsurance_reaches_the_ledger_only_after_the_secondary_835(
    client: Client,
) -> None:
    primary_id = submit(client, with_account(medicare_with_commercial_secondary()))
    run(client, "clearinghouse-poll")
    run(client, "clearinghouse-poll")
    primary = claim(client, primary_id)
    assert primary["status"] in ("paid", "partially_paid")
    primary_pr = sum(
        float(a["amount"])
        for line in primary["payments"][0]["lines"]
        for a in line["adjustments"]
        if a["group"] == "PR"
    )
    assert primary_pr > 0  # the primary left the patient coinsurance (or a deductible)
    # The secondary is still to be billed: the patient owes nothing yet.
    assert ledger(client).status_code == 404
    run(client, "secondary-routing")
    assert ledger(client).status_code == 404
    run(client, "clearinghouse-poll")  # the secondary goes out
    assert ledger(client).status_code == 404
    run(client, "clearinghouse-poll")  # its 999/277CA/835 come back
    run(client, "clearinghouse-poll")
    [summary] = client.http.get("/v1/claims?payerId=SBX01", headers=headers()).json_body["claims"]
    secondary = claim(client, summary["claimId"])
    assert secondary["payments"], secondary["status"]
    answer = ledger(client)
    assert answer.status_code == 200, answer.body
    [charge] = answer.json_body["entries"]
    assert charge["kind"] == "charge"
    assert charge["claimId"] == summary["claimId"]
    # The amount is the secondary's PR, not the primary's, and the statement's reasons say why.
    secondary_pr = sum(
        float(a["amount"])
        for line in secondary["payments"][0]["lines"]
        for a in line["adjustments"]
        if a["group"] == "PR"
    )
    assert float(charge["amount"]) == round(secondary_pr, 2)
    assert [p["payerId"] for p in charge["payers"]] == ["SBXMCR", "SBX01"]
    assert all(r["code"].startswith("PR-") or r["amount"] is None for r in charge["reasons"])
    shown = patient(client)
    assert shown["balance"] == charge["amount"]
    assert shown["patient"]["billedAs"] == "self"
    # Running everything again adds nothing: one charge per visit and adjudication.
    run(client, "secondary-routing")
    run(client, "clearinghouse-poll")
    assert len(ledger(client).json_body["entries"]) == 1


def test_patients_single_payer_share_is_owed_after_its_835(client: Client) -> None:
    shown = single_payer_visit(client)
    assert float(shown["balance"]) > 0
    assert shown["aging"]["0-30"] == shown["balance"]
    [charge] = ledger(client).json_body["entries"]
    reasons = {r["code"]: r for r in charge["reasons"]}
    assert any(code.startswith("PR-") for code in reasons)
    assert all(r["text"] for code, r in reasons.items() if code in ("PR-1", "PR-2", "PR-3"))


def test_patients_payment_with_the_same_idempotency_key_counts_once(client: Client) -> None:
    balance = float(single_payer_visit(client)["balance"])
    first = pay(client, "10.00", key="pay-1")
    assert first.status_code == 201, first.body
    again = pay(client, "10.00", key="pay-1")
    assert again.status_code == 201
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json_body["entry"]["entryId"] == first.json_body["entry"]["entryId"]
    # The same payment id without the key (a retry after the key's record expired) too.
    posted_id = first.json_body["entry"]["entryId"].removeprefix("P#")
    by_id = pay(client, "10.00", paymentId=posted_id)
    assert by_id.status_code == 200
    shown = patient(client)
    assert float(shown["balance"]) == round(balance - 10, 2)
    kinds = [e["kind"] for e in ledger(client).json_body["entries"]]
    assert kinds == ["charge", "payment"]
    # The same payment id with another amount is refused, not posted.
    reused = pay(client, "11.00", paymentId=posted_id)
    assert reused.status_code == 409
    assert reused.json_body["errors"][0]["code"] == "payment_id_reused"


def test_patients_refund_gives_back_a_credit_and_no_more(client: Client) -> None:
    balance = single_payer_visit(client)["balance"]
    over = pay(client, str(round(float(balance) + 5, 2)), key="overpaid")
    assert over.status_code == 201
    assert over.json_body["patient"]["balance"] == "-5.00"
    assert over.json_body["patient"]["aging"]["0-30"] == "0.00"
    too_much = pay(client, "6.00", key="refund-1", kind="refund")
    assert too_much.status_code == 409
    assert too_much.json_body["errors"][0]["code"] == "refund_exceeds_credit"
    refund = pay(client, "5.00", key="refund-2", kind="refund", method="check")
    assert refund.status_code == 201, refund.body
    assert refund.json_body["patient"]["balance"] == "0.00"


def test_patients_payment_refuses_bad_fields_one_by_one(client: Client) -> None:
    single_payer_visit(client)
    response = client.http.post(
        f"/v1/patients/{ACCOUNT}/payments",
        headers=headers(),
        body=json.dumps(
            {"amount": 12.5, "method": "bitcoin", "receivedOn": "2999-01-01", "color": "x"}
        ),
    )
    assert response.status_code == 422
    fields = {p["field"]: p["code"] for p in response.json_body["errors"]}
    assert fields == {
        "amount": "invalid_amount",
        "method": "invalid_code",
        "receivedOn": "invalid_date",
        "color": "unknown_field",
    }


def test_patients_of_another_tenant_are_not_found(client: Client) -> None:
    single_payer_visit(client)
    assert ledger(client, key=TENANT_B_KEY).status_code == 404
    unknown = client.http.post(
        "/v1/patients/NOPE/payments",
        headers=headers(),
        body=json.dumps({"amount": "1.00", "method": "cash"}),
    )
    assert unknown.status_code == 404


def test_patients_reversed_visit_is_taken_back_and_the_replacement_owed(client: Client) -> None:
    """The payer reverses the original (CLP02 22) and pays the replacement in one 835: the
    original's charge is taken back, the replacement's share is what the patient owes."""
    body = with_account(contract("claim-basic.json"))
    original_id = submit(client, body)
    run(client, "clearinghouse-poll")
    run(client, "clearinghouse-poll")
    [first] = ledger(client).json_body["entries"]
    response = post_replacement(client, original_id, body)
    run(client, "clearinghouse-poll")
    run(client, "clearinghouse-poll")
    entries = ledger(client).json_body["entries"]
    assert sorted(e["kind"] for e in entries) == ["charge", "charge", "charge_reversal"]
    [reversal] = [e for e in entries if e["kind"] == "charge_reversal"]
    assert reversal["reverses"] == first["entryId"] and reversal["amount"] == first["amount"]
    [new] = [e for e in entries if e["kind"] == "charge" and e["entryId"] != first["entryId"]]
    assert new["claimId"] == response.json_body["claimId"]
    shown = patient(client)
    assert shown["balance"] == new["amount"]
    assert shown["aging"]["0-30"] == new["amount"]


def test_patients_crossed_over_claim_owes_nothing_until_the_next_payer_answers(
    client: Client,
) -> None:
    """Medicare forwards the claim to Medicaid (CLP02 19, MA18): Medicaid's own remittance
    is still to come, so the patient owes nothing yet, whatever Medicare's PR says."""
    claim_id = submit(client, with_account(contract("claim-medicare-with-secondary.json")))
    run(client, "clearinghouse-poll")
    run(client, "clearinghouse-poll")
    run(client, "secondary-routing")
    medicare = claim(client, claim_id)
    assert medicare["history"][-1]["codes"] == ["cob:crossed_over"]
    assert ledger(client).status_code == 404

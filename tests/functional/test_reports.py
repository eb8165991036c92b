"""Reports that reconcile, as a billing office checks them: AR aging buckets sum to the open
balance, which equals what the claims' own payments leave open; cash equals the 835 totals
posted (BPR02), each deposit reconciled with its claims (CLP04) and PLB; CSV and JSON agree;
a report reads the facts of the claims it covers (itemsRead), never the table."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from typing import Any

import boto3
from chalice.test import Client

from tests.functional.conftest import TENANT_B_KEY, contract, headers, run_schedule


def submit(client: Client, pcn: str, member: str = "W123456789") -> str:
    body = contract("claim-basic.json")
    body["claimInformation"]["patientControlNumber"] = pcn
    body["subscriber"]["memberId"] = member
    answer = client.http.post("/v1/claims", headers=headers(), body=json.dumps(body))
    assert answer.status_code == 201, answer.body
    return str(answer.json_body["claimId"])


def report(client: Client, name: str, query: str = "", key: str | None = None) -> Any:
    answer = client.http.get(
        f"/v1/reports/{name}{query}", headers=headers(key) if key else headers()
    )
    assert answer.status_code == 200, answer.body
    return answer


def left_open(detail: dict[str, Any]) -> Decimal:
    """What a claim's own payments leave to its payer, read from GET /v1/claims/{id}."""
    if detail["status"] in ("queued", "rejected", "closed"):
        return Decimal(0)
    if not detail["payments"]:
        return Decimal(detail["chargeAmount"])
    left = Decimal(detail["chargeAmount"])
    for payment in detail["payments"]:
        left -= Decimal(payment["paid"])
        for line in payment["lines"]:
            if not line.get("denied"):
                left -= sum(Decimal(a["amount"]) for a in line["adjustments"])
    return left


def cycle(client: Client) -> list[str]:
    """Two claims paid, one accepted and waiting, one the payer rejected (unknown member)."""
    paid = [submit(client, "RPT-1"), submit(client, "RPT-2")]
    run_schedule(client, "clearinghouse-poll")
    run_schedule(client, "clearinghouse-poll")
    waiting = [submit(client, "RPT-3"), submit(client, "RPT-4", member="UNK0000009")]
    run_schedule(client, "clearinghouse-poll")
    return paid + waiting


def test_aging_buckets_sum_to_the_open_balance_the_claims_leave(client: Client) -> None:
    ids = cycle(client)
    details = [client.http.get(f"/v1/claims/{i}", headers=headers()).json_body for i in ids]
    statuses = [d["status"] for d in details]
    assert statuses[:2] == ["paid", "paid"] or set(statuses[:2]) <= {"paid", "partially_paid"}
    expected = sum((left_open(d) for d in details), Decimal(0))
    assert expected > 0
    aging = report(client, "ar-aging").json_body
    total = Decimal(aging["total"])
    assert total == expected
    assert sum(Decimal(aging["totals"][b]) for b in aging["buckets"]) == total
    assert sum(Decimal(row["total"]) for row in aging["rows"]) == total
    [payer] = aging["rows"]
    assert (payer["key"], payer["claims"]) == ("SBX01", 2)
    assert aging["itemsRead"] == 2  # the open claims' facts, not every claim
    by_patient = report(client, "ar-aging", "?by=patient").json_body
    assert {row["key"] for row in by_patient["rows"]} == {"RPT-3", "RPT-4"}
    assert by_patient["total"] == aging["total"]
    # Another tenant sees none of it.
    assert report(client, "ar-aging", key=TENANT_B_KEY).json_body["rows"] == []


def test_cash_equals_the_835_totals_posted_and_each_deposit_reconciles(client: Client) -> None:
    cycle(client)
    s3 = boto3.client("s3")
    bucket = "claimgate-test-archive"
    posted = Decimal(0)
    for item in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
        if item["Key"].startswith("sandbox/"):  # the sandbox payers' own state, not ours
            continue
        text = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read().decode("latin-1")
        if "~ST*835*" in text or "ST*835*" in text:
            for segment in text.split("~"):
                if segment.startswith("BPR*"):
                    posted += Decimal(segment.split("*")[2])
    assert posted > 0
    cash = report(client, "cash").json_body
    assert Decimal(cash["total"]) == posted
    assert all(deposit["reconciled"] for deposit in cash["deposits"])
    assert {deposit["payerId"] for deposit in cash["deposits"]} == {"SBX01"}


def test_csv_and_json_agree(client: Client) -> None:
    cycle(client)
    for name, query in (("ar-aging", ""), ("cash", ""), ("collections", ""), ("denials", "")):
        body = report(client, name, query).json_body
        text = report(client, name, f"?format=csv{query[1:] and '&' + query[1:]}").body.decode()
        rows = list(csv.DictReader(io.StringIO(text)))
        if name == "ar-aging":
            assert [r["key"] for r in rows] == [r["key"] for r in body["rows"]] + ["TOTAL"]
            assert rows[-1]["total"] == body["total"]
        elif name == "cash":
            assert [r["amount"] for r in rows] == [d["amount"] for d in body["deposits"]]
        elif name == "collections":
            [row] = rows
            assert (row["billed"], row["paid"]) == (body["billed"], body["paid"])


def test_collections_first_pass_and_days_in_ar(client: Client) -> None:
    ids = cycle(client)
    details = [client.http.get(f"/v1/claims/{i}", headers=headers()).json_body for i in ids]
    collections = report(client, "collections").json_body
    assert Decimal(collections["billed"]) == sum(Decimal(d["chargeAmount"]) for d in details)
    paid = sum(Decimal(p["paid"]) for d in details for p in d["payments"])
    assert Decimal(collections["paid"]) == paid
    first = report(client, "first-pass").json_body
    assert (first["answered"], first["acceptedFirstTime"], first["rejectedFirstTime"]) == (
        4,
        3,
        1,
    )
    assert first["rate"] == "75.00"
    days = report(client, "days-in-ar").json_body
    aging = report(client, "ar-aging").json_body
    assert days["openBalance"] == aging["total"] and days["daysInAr"] is not None


def test_unknown_reports_and_bad_periods_are_refused(client: Client) -> None:
    assert client.http.get("/v1/reports/profit", headers=headers()).status_code == 404
    bad = client.http.get("/v1/reports/cash?from=2026-13-01", headers=headers())
    assert (bad.status_code, bad.json_body["errors"][0]["field"]) == (400, "from")
    backwards = client.http.get("/v1/reports/cash?from=2026-12-01&to=2026-11-01", headers=headers())
    assert backwards.status_code == 400
    assert client.http.get("/v1/reports/cash?format=xml", headers=headers()).status_code == 400


def test_claims_saved_before_the_reports_are_counted_once_refreshed(client: Client) -> None:
    from chalicelib.admin import main as admin
    from chalicelib.store.claims import CLAIM_SK, claim_pk
    from chalicelib.store.connection import dynamodb_client
    from chalicelib.store.models import Item

    ids = cycle(client)
    before = report(client, "ar-aging").json_body["total"]
    for claim_id in ids:  # as claims saved before December 2026 were
        dynamodb_client().update_item(
            TableName=Item.Meta.table_name,
            Key={"pk": {"S": claim_pk("tenant-a", claim_id)}, "sk": {"S": CLAIM_SK}},
            UpdateExpression="REMOVE facts, facts_pk, facts_sk",
        )
    assert report(client, "ar-aging").json_body["total"] == "0.00"
    assert admin(["refresh-report-facts", "tenant-a"]) == 0
    assert report(client, "ar-aging").json_body["total"] == before


def test_patient_money_cash_and_aging_reconcile_with_the_accounts(client: Client) -> None:
    """Cash is the 835 totals posted plus what patients paid; the patient aging's buckets sum
    to what the accounts say they owe."""
    cycle(client)
    insurance = Decimal(report(client, "cash").json_body["insurancePayments"])
    owing = {}
    for account in ("RPT-1", "RPT-2"):  # paid with the patient's coinsurance left to pay
        shown = client.http.get(f"/v1/patients/{account}", headers=headers())
        assert shown.status_code == 200, shown.body
        owing[account] = Decimal(shown.json_body["balance"])
    assert all(balance > 0 for balance in owing.values())
    paid = client.http.post(
        "/v1/patients/RPT-1/payments",
        headers=headers(**{"Idempotency-Key": "copay-rpt-1"}),
        body=json.dumps({"amount": "10.00", "method": "card"}),
    )
    assert paid.status_code in (200, 201), paid.body
    cash = report(client, "cash").json_body
    [payment] = cash["patientPayments"]
    assert (payment["amount"], payment["method"]) == ("10.00", "card")
    assert Decimal(cash["total"]) == insurance + Decimal("10.00")
    aging = report(client, "patient-aging").json_body
    by_account = {row["key"]: Decimal(row["total"]) for row in aging["rows"]}
    assert by_account == {"RPT-1": owing["RPT-1"] - Decimal("10.00"), "RPT-2": owing["RPT-2"]}
    assert sum(Decimal(v) for v in aging["totals"].values()) == Decimal(aging["total"])
    assert Decimal(aging["total"]) == sum(by_account.values())


def test_an_empty_report_still_has_its_csv_header(client: Client) -> None:
    text = report(client, "cash", "?format=csv").body.decode()
    assert text.splitlines() == [
        "paymentDate,payerId,traceNumber,method,amount,claimsPaid,providerAdjustments,reconciled"
    ]

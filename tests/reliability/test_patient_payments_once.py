"""A patient payment sent several times at once (a double-clicked button, a client retrying
on a timeout) counts once: the Idempotency-Key answers the repeats, and the payment's entry
is a conditional write keyed on the payment, so even repeats the key does not catch (no key,
the same paymentId) write one entry."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Any

from chalice.test import Client

from tests.functional.conftest import headers
from tests.functional.test_patients import ACCOUNT, ledger, patient, single_payer_visit
from tests.reliability.harness import in_parallel


def _pay(client: Client, extra: dict[str, str], body: dict[str, str]) -> Any:
    return client.http.post(
        f"/v1/patients/{ACCOUNT}/payments",
        headers=headers(**extra),
        body=json.dumps({"amount": "15.00", "method": "card", **body}),
    )


def test_patient_payment_with_one_key_at_once_counts_once(client: Client) -> None:
    before = Decimal(single_payer_visit(client)["balance"])
    answers = in_parallel([lambda: _pay(client, {"Idempotency-Key": "k-1"}, {})] * 6)
    statuses = sorted(a.status_code for a in answers)
    assert set(statuses) <= {201, 409}, statuses  # 409: the first is still in progress
    assert 201 in statuses
    payments = [e for e in ledger(client).json_body["entries"] if e["kind"] == "payment"]
    assert len(payments) == 1
    assert Decimal(patient(client)["balance"]) == before - Decimal("15.00")


def test_patient_payment_with_one_payment_id_at_once_counts_once(client: Client) -> None:
    before = Decimal(single_payer_visit(client)["balance"])
    answers = in_parallel([lambda: _pay(client, {}, {"paymentId": "receipt-77"})] * 6)
    assert sorted(a.status_code for a in answers).count(201) == 1
    assert all(a.status_code in (200, 201) for a in answers)
    payments = [e for e in ledger(client).json_body["entries"] if e["kind"] == "payment"]
    assert len(payments) == 1
    assert Decimal(patient(client)["balance"]) == before - Decimal("15.00")


def test_patient_payments_of_different_ids_at_once_all_count(client: Client) -> None:
    before = Decimal(single_payer_visit(client)["balance"])
    calls: list[Callable[[], Any]] = [
        partial(_pay, client, {"Idempotency-Key": f"k-{i}"}, {"amount": "1.00"}) for i in range(5)
    ]
    assert all(a.status_code == 201 for a in in_parallel(calls))
    # Each payment is its own entry: none is lost to another written at the same time.
    assert Decimal(patient(client)["balance"]) == before - Decimal("5.00")

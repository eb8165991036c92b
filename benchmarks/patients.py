"""Patient statement run cost: N patient accounts with a balance (each a visit paid by two
payers, with PR reasons, and an earlier payment), made due, then one patient-statements run
on moto in process. Counts the DynamoDB requests per statement (the S3 puts of each PDF and
JSON apart) and the PDF pages rendered per second (rendering time only, fpdf2).

    python -m benchmarks.patients [--patients N]

N is 10,000 by default (about 6 minutes: 40,013 DynamoDB requests, 4.00 a statement, and
66.7 PDF pages a second). moto answers a Query by walking its whole table, so a Query on the
table's own key walks its partition only here (benchmarks.partition_queries), as DynamoDB
reads one partition: without it 10,000 did not finish in 25 minutes. What is measured does
not change with it: the requests per statement and the rendering time per page.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from benchmarks import counting, of, partition_queries, use_moto_environment

use_moto_environment(
    "patients",
    POWERTOOLS_METRICS_DISABLED="true",
    POWERTOOLS_LOG_LEVEL="WARNING",
)

NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)


def seed_patients(count: int) -> None:
    """Accounts as the ledger leaves them, written straight to the store (not measured)."""
    from chalicelib.patients.ledger import EntryKind, LedgerEntry, PayerShare, Reason
    from chalicelib.store import patients as store
    from chalicelib.store.patients import PatientAccount

    reasons = (
        Reason("PR-2", Decimal("30.96"), "Coinsurance Amount", "99214"),
        Reason("PR-3", Decimal("20.00"), "Co-payment Amount", "99214"),
        Reason("PR-1", Decimal("9.00"), "Deductible Amount", "83036"),
        Reason("N130", None, "Consult plan benefit documents/guidelines for information."),
    )
    payers = (
        PayerShare("SBXMCR", Decimal("98.00"), {"CO": Decimal("92.60")}),
        PayerShare("SBX01", Decimal("14.44"), {"CO": Decimal("0.00")}),
    )
    for n in range(count):
        patient_id = f"ACCT-{n:06d}"
        owed_on = date(2026, 11, 1) + timedelta(days=n % 30)
        charge = LedgerEntry(
            entry_id=f"C#clm_{n:06d}#bench",
            kind=EntryKind.CHARGE,
            amount=Decimal("59.96"),
            at=NOW - timedelta(days=20),
            owed_since=owed_on,
            claim_id=f"clm_{n:06d}",
            service_date=owed_on - timedelta(days=12),
            charge=Decimal("245.00"),
            payers=payers,
            reasons=reasons,
        )
        payment = LedgerEntry(
            entry_id=f"P#pay_{n:06d}",
            kind=EntryKind.PAYMENT,
            amount=Decimal("10.00"),
            at=NOW - timedelta(days=5),
            owed_since=(NOW - timedelta(days=5)).date(),
            method="card",
        )
        store.save_entry("bench", patient_id, charge)
        store.save_entry("bench", patient_id, payment)
        store.save_account(
            PatientAccount(
                tenant_id="bench",
                patient_id=patient_id,
                identity={
                    "patient": {"firstName": "ADA", "lastName": f"LOVELACE{n}"},
                    "guarantor": {"firstName": "ADA", "lastName": f"LOVELACE{n}"},
                    "billedAs": "self",
                    "address": {
                        "address1": f"{n} Main St",
                        "city": "Springfield",
                        "state": "IL",
                        "postalCode": "62701",
                    },
                },
                balance=Decimal("49.96"),
                owed_since=owed_on,
                statement_due=NOW - timedelta(hours=1),
            ),
            now=NOW,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=10_000)
    count = parser.parse_args(argv).patients

    from moto import mock_aws

    from chalicelib import wiring

    partition_queries()
    with mock_aws():
        wiring.use_store()
        from chalicelib.services import statements
        from chalicelib.services.runs import execute
        from chalicelib.store.bootstrap import create_storage, seed

        create_storage()
        seed(tenant_id="bench", tenant_name="Bench Practice", api_key="bench-key", now=NOW)
        seeded = time.perf_counter()
        seed_patients(count)
        seeding = time.perf_counter() - seeded

        from chalicelib.documents.pdf import render_pdf as render

        rendering = [0.0]

        def timed(document: Any) -> bytes:
            started = time.perf_counter()
            try:
                return render(document)
            finally:
                rendering[0] += time.perf_counter() - started

        setattr(statements, "render_pdf", timed)  # noqa: B010 - time the rendering alone
        with counting() as calls:
            started = time.perf_counter()
            run = execute(
                "patient-statements",
                trigger="manual",
                clock=lambda: NOW,
                body=lambda run, now: statements.run_statements(run, now=now, limit=count),
            )
            seconds = time.perf_counter() - started
        setattr(statements, "render_pdf", render)  # noqa: B010
    made, pages = run.acted, run.detail.get("statement_pages", 0)
    assert made == count and run.failed == 0, (made, run.failed, run.errors[:3])
    dynamodb, s3 = of(calls, "dynamodb"), of(calls, "s3")
    print(
        f"a statement run for {count:,} patients: {made:,} statements, {pages:,} PDF pages, "
        f"DynamoDB {dynamodb:,} requests, S3 {s3:,} (a PDF and a JSON each), {seconds:.1f} s "
        f"in process (moto; {rendering[0]:.1f} s of it rendering PDFs); seeding took "
        f"{seeding:.1f} s"
    )
    print(f"requests_per_statement={dynamodb / made:.2f}")
    print(f"pdf_pages_per_second={pages / rendering[0]:.1f}")
    print(f"statements_per_second_end_to_end={made / seconds:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

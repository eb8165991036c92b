"""The AR aging report over 100,000 claims: DynamoDB items read per claim and seconds in
process, `python -m benchmarks.reports [--claims N]`.

The claims are written to the table as the store writes them (each item built by
`store.claims._claim_item` from a real ClaimRecord, its report facts derived as on every
save): about seven in ten paid by an 835 posting read by the real reader (settled), the rest
billed and waiting, with dates of service spread over 200 days. The report then runs through
the service as the API calls it. It reads the by-facts index's open partition only, so the
items it reads are the open claims, whatever the table holds; moto answers each page by
walking its whole table, so the seconds are moto's (a floor for a deployed stage, where a
page of the index costs one request of a few milliseconds).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from benchmarks import counting, of, put_claims, use_moto_environment

use_moto_environment(
    "bench-reports",
    CLAIMGATE_CLOCK_START="2026-11-27T12:00:00+00:00",
    POWERTOOLS_METRICS_DISABLED="true",
    POWERTOOLS_LOG_LEVEL="WARNING",
)

CONTRACT = Path(__file__).resolve().parents[1] / "examples"
TENANT = "bench"
ISA = "ISA*00*          *00*          *ZZ*SBXCH          *ZZ*CLAIMGATE      "
PAID = (
    ISA
    + """*261125*1200*^*00501*000000001*0*T*:~\
GS*HP*SBXCH*CLAIMGATE*20261125*1200*1*X*005010X221A1~ST*835*0001*005010X221A1~\
BPR*I*150*C*ACH************20261125~TRN*1*EFT-1*1366001001~N1*PR*SANDBOX*XV*SBX01~\
N1*PE*MAPLE STREET FAMILY PRACTICE*XX*1234567893~LX*1~\
CLP*MSFP-2026-0001*1*245*150*40*12*SBX-1~\
SVC*HC:99214:25*185*110**1~DTM*472*20261116~CAS*CO*45*45~CAS*PR*2*30~REF*6R*MSFP-0001-1~\
SVC*HC:83036*60*40**1~DTM*472*20261116~CAS*CO*45*10~CAS*PR*2*10~REF*6R*MSFP-0001-2~\
SE*15*0001~GE*1*1~IEA*1*000000001~"""
)


def seed(count: int, today: date) -> int:
    """`count` claims written in batches; how many were left open."""
    from chalicelib.api.contract import ClaimRequest
    from chalicelib.claims.lifecycle import Status
    from chalicelib.claims.posting import post_claim_payment
    from chalicelib.claims.records import ClaimRecord
    from chalicelib.x12.read.remit835 import iter_remittances

    claim = ClaimRequest.model_validate_json((CONTRACT / "claim-basic.json").read_text()).to_claim()
    (remittance,) = iter_remittances(PAID.encode())
    (payment,) = remittance.claims
    posting = post_claim_payment(
        claim, payment, trace_number="EFT-1", payer_id="SBX01", payment_date=date(2026, 11, 25)
    )
    sent = datetime(2026, 11, 20, tzinfo=UTC)

    def records() -> Iterator[ClaimRecord]:
        for n in range(count):
            served = today - timedelta(days=n % 200)
            lines = tuple(
                replace(line, service_date=served) for line in claim.claim_information.service_lines
            )
            information = replace(
                claim.claim_information,
                patient_control_number=f"BENCH-{n:06d}",
                service_lines=lines,
            )
            paid = n % 10 < 7
            yield ClaimRecord(
                tenant_id=TENANT,
                claim_id=f"clm_bench{n:06d}",
                status=Status.PAID if paid else Status.ACCEPTED,
                claim=replace(claim, claim_information=information),
                created_at=sent,
                updated_at=sent,
                event_count=3,
                submitted_at=sent,
                remittances=(posting,) if paid else (),
            )

    put_claims(records())
    return sum(1 for n in range(count) if n % 10 >= 7)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=100_000)
    args = parser.parse_args(argv)

    from moto import mock_aws

    from chalicelib import wiring
    from chalicelib.clock import utcnow
    from chalicelib.services import reports
    from chalicelib.store.bootstrap import create_storage

    with mock_aws():
        wiring.use_store()
        create_storage()
        today = utcnow().date()
        started = time.perf_counter()
        opened = seed(args.claims, today)
        seeding = time.perf_counter() - started
        with counting() as calls:
            started = time.perf_counter()
            report = reports.build(
                TENANT, "ar-aging", reports.Period(today - timedelta(days=89), today)
            )
            seconds = time.perf_counter() - started
    total = Decimal(report.body["total"])
    buckets = sum(Decimal(v) for v in report.body["totals"].values())
    print(f"claims={args.claims} open={opened} (written in {seeding:.0f} s)")
    print(
        f"ar-aging: {report.items_read} items read in {of(calls, 'dynamodb')} DynamoDB "
        f"requests (pages of the index), total {total} = buckets {buckets}"
    )
    print(f"items_read_per_claim={report.items_read / args.claims:.2f}")
    print(f"seconds_in_process={seconds:.2f} (moto walks its whole table for each page)")
    assert total == buckets and report.items_read == opened
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

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
import json
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks import counting, of, put_claims, use_moto_environment

if TYPE_CHECKING:
    from chalicelib.claims.records import ClaimRecord

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


def records(count: int, today: date) -> Iterator[ClaimRecord]:
    """Seven in ten paid by the same 835 posting (read by the real reader), the rest billed
    and waiting; dates of service spread over 200 days."""
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
    for n in range(count):
        served = today - timedelta(days=n % 200)
        lines = tuple(
            replace(line, service_date=served) for line in claim.claim_information.service_lines
        )
        information = replace(
            claim.claim_information, patient_control_number=f"BENCH-{n:06d}", service_lines=lines
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=100_000)
    args = parser.parse_args(argv)

    from moto import mock_aws

    from chalicelib import wiring
    from chalicelib.claims import reports as figures
    from chalicelib.claims.reports import ClaimFacts, claim_facts
    from chalicelib.clock import utcnow
    from chalicelib.codec import decode, encode
    from chalicelib.services import reports
    from chalicelib.store.bootstrap import create_storage

    with mock_aws():
        wiring.use_store()
        create_storage()
        today = utcnow().date()
        started = time.perf_counter()
        put_claims(records(args.claims, today))
        opened = sum(1 for n in range(args.claims) if n % 10 >= 7)
        seeding = time.perf_counter() - started
        with counting() as calls:
            started = time.perf_counter()
            report = reports.build(
                TENANT, "ar-aging", reports.Period(today - timedelta(days=89), today)
            )
            seconds = time.perf_counter() - started
    facts = [encode(claim_facts(r)) for r in records(args.claims, today) if r.remittances == ()]
    # Our own part: decoding each projected item's facts and adding them into buckets.
    started = time.perf_counter()
    decoded = [decode(ClaimFacts, f) for f in facts]
    figures.aging(decoded, today=today, by="payer")
    ours = time.perf_counter() - started
    item_bytes = sum(len(json.dumps(f)) for f in facts) / max(1, len(facts)) + 100  # + keys
    pages = -(-report.items_read * item_bytes // 1_048_576)
    total = Decimal(report.body["total"])
    buckets = sum(Decimal(v) for v in report.body["totals"].values())
    print(f"claims={args.claims} open={opened} (written in {seeding:.0f} s)")
    print(
        f"ar-aging: {report.items_read} items read in {of(calls, 'dynamodb')} requests to moto, "
        f"total {total} = buckets {buckets}"
    )
    print(f"items_read_per_claim={report.items_read / args.claims:.2f}")
    print(
        f"seconds_in_process={ours:.2f} (decoding the {len(facts)} items' facts and adding "
        "them up: the service's own part)"
    )
    print(
        f"moto_seconds={seconds:.1f} (moto walks its whole table for each page, and pages by "
        f"whole items; DynamoDB pages 1 MB of the projected facts, about {item_bytes:.0f} "
        f"bytes an item: about {pages:.0f} requests)"
    )
    assert total == buckets and report.items_read == opened
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Volume: a large 835 posted in parts over SQS, and a large 837P claim file, each sent as a
billing service sends it (POST /v1/uploads' path: the object in S3, its arrival applied).

1. Planning: a 100,000-claim 835 (benchmarks.x12_835.generate_835, one payment) is read whole,
   checked, cut into parts and sent, one SQS message a part. Seconds, peak memory (traced),
   parts, requests.
2. Posting: the parts worked as the remittance-parts-worker does, against claims created in
   the local store, the 835 being the sandbox payer's answer to them. moto answers every query
   by scanning its whole table (0.13 s a query at 20,000 items), so a 100,000-claim posting
   would take moto most of a day: posting is measured on --posted claims and on a quarter of

   half that. Requests per claim come out the same at both sizes (they do not depend on the table
   size); only moto's seconds do, so claims_per_second is moto's, a floor.
3. Claim file: an 837P of --claim-file claims uploaded; requests per claim created.

    python -m benchmarks.volume [--claims N] [--posted N] [--claim-file N]
"""

from __future__ import annotations

import argparse
import json
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks import counting, of, put_claims, use_moto_environment
from tests.claim_files import interchange_837p

use_moto_environment(
    "bench",
    CLAIMGATE_CLOCK_START="2026-11-27T12:00:00+00:00",
    POWERTOOLS_METRICS_DISABLED="true",
    POWERTOOLS_LOG_LEVEL="WARNING",
)

CONTRACT = Path(__file__).resolve().parents[1] / "examples"
TENANT = "bench"
# What a deployed stage's parts cost per request against DynamoDB (single-digit ms, in
# region), and how many parts it posts at once (infra/template.py: the event source's
# MaximumConcurrency): for the per-hour estimate printed at the end.
REQUEST_MS = 8.0


def upload(content: bytes, kind: str, now: datetime) -> str:
    """The client's side and S3's event: announce, put the object, tell the service."""
    from chalicelib.config import settings
    from chalicelib.services.uploads import received, start_upload
    from chalicelib.store.connection import s3_client
    from chalicelib.store.uploads import object_key

    started, _form = start_upload(TENANT, kind=kind, file_name=f"volume.{kind}", now=now)
    key = object_key(TENANT, started.upload_id)
    s3_client().put_object(
        Bucket=settings().archive_bucket, Key=key, Body=content, ServerSideEncryption="aws:kms"
    )
    received([key], now=now)
    return started.upload_id


def status(upload_id: str) -> Any:
    from chalicelib.services.uploads import get_upload

    return get_upload(TENANT, upload_id)


def seed_claims(requests: list[dict[str, Any]], prefix: str, now: datetime) -> None:
    """The claims, as sent to the sandbox payer, written straight to the table."""
    from chalicelib.api.contract import ClaimRequest
    from chalicelib.claims.lifecycle import Status
    from chalicelib.claims.records import ClaimRecord

    sent = now - timedelta(days=20)
    put_claims(
        ClaimRecord(
            tenant_id=TENANT,
            claim_id=f"clm_{prefix.lower()}{n:06d}",
            status=Status.SUBMITTED,
            claim=ClaimRequest.model_validate(request).to_claim(),
            created_at=sent,
            updated_at=sent,
            event_count=2,
            submitted_at=sent,
        )
        for n, request in enumerate(requests)
    )


def payer_answer(requests: list[dict[str, Any]], trace_prefix: str) -> bytes:
    """The sandbox payer's 835 for these claims, as its clearinghouse would deliver it; its
    trace numbers (TRN02) start with `trace_prefix`: each run's sandbox counts from 1."""
    from chalicelib.payers.gateways.sandbox.clearinghouse import SandboxClearinghouse, SandboxState

    at = datetime(2026, 11, 27, 12, tzinfo=UTC)
    interchange = interchange_837p(requests, sender="CGBENCH", control=1, at=at)
    sandbox = SandboxClearinghouse(ack_delay_polls=0, remit_delay_polls=0)
    state, _ = sandbox.submit(SandboxState(), interchange, now=at)
    state, first = sandbox.fetch(state, None)
    _, second = sandbox.fetch(state, first.cursor)
    found = [f.content for f in (*first.files, *second.files) if b"ST*835*" in f.content]
    return b"".join(found).replace(b"TRN*1*", f"TRN*1*{trace_prefix}".encode())


def claim_requests(count: int, prefix: str) -> list[dict[str, Any]]:
    """`count` claims as practice systems send them (claim-basic.json), each its own CLM01."""
    base = json.loads((CONTRACT / "claim-basic.json").read_text())
    requests = []
    for n in range(count):
        request = json.loads(json.dumps(base))
        request["claimInformation"]["patientControlNumber"] = f"{prefix}{n:06d}"
        requests.append(request)
    return requests


def traced_mb(work: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def plan(claims: int, now: datetime) -> dict[str, float]:
    from benchmarks.x12_835 import generate_835
    from chalicelib.store.queue import forget_queue_url

    content = generate_835(claims, claims_per_set=claims)
    with counting() as calls:
        started = time.perf_counter()
        upload_id = upload(content, "remittance", now)
        seconds = time.perf_counter() - started
    found = status(upload_id)
    assert found.status == "posting", found
    parts = int(found.result["progress"]["partsTotal"])
    forget_queue_url()
    # The same planning again, traced, on a copy the first one has not seen (another TRN).
    other = content.replace(b"TRN*1*EFT", b"TRN*1*EFU")
    peak = traced_mb(lambda: upload(other, "remittance", now))
    print(
        f"planning a {claims:,}-claim 835 ({len(content) / 1e6:.1f} MB): {seconds:.2f} s, "
        f"{parts} parts, peak {peak:.0f} MB traced; DynamoDB {of(calls, 'dynamodb')} requests, "
        f"SQS {of(calls, 'sqs')}, S3 {of(calls, 's3')}"
    )
    _purge_parts()
    return {"parts": parts, "seconds": seconds, "peak_mb": peak}


def _purge_parts() -> None:
    from chalicelib.config import settings
    from chalicelib.store.connection import sqs_client

    sqs = sqs_client()
    sqs.purge_queue(QueueUrl=sqs.get_queue_url(QueueName=settings().parts_queue)["QueueUrl"])


def post(count: int, prefix: str, now: datetime) -> dict[str, float]:
    from chalicelib.clock import utcnow
    from chalicelib.config import settings
    from chalicelib.services.remittance_parts import post_part
    from chalicelib.store.connection import sqs_client
    from scripts.local_queues import drain

    requests = claim_requests(count, prefix)
    seed_claims(requests, prefix, now)
    answer = payer_answer(requests, prefix)
    with counting() as planning:
        upload_id = upload(answer, "remittance", now)
    assert status(upload_id).status == "posting", status(upload_id)
    # One part traced alone, as one invocation holds it.
    sqs = sqs_client()
    url = sqs.get_queue_url(QueueName=settings().parts_queue)["QueueUrl"]
    [message] = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1)["Messages"]
    with counting() as first:
        started = time.perf_counter()
        peak = traced_mb(lambda: post_part(message["Body"], now=utcnow()))
        traced_seconds = time.perf_counter() - started
    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    with counting() as parts:
        started = time.perf_counter()
        done, failed = drain("remittance-parts-worker")
        seconds = time.perf_counter() - started
    found = status(upload_id)
    assert found.status == "applied" and failed == 0, (found, failed)
    posted = int(found.result["claimsUpdated"])
    assert posted == count, (posted, count)
    dynamodb = of(planning, "dynamodb") + of(first, "dynamodb") + of(parts, "dynamodb")
    writes = sum(
        n
        for calls in (planning, first, parts)
        for key, n in calls.items()
        if key.split(":")[1] in ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems")
    )
    print(
        f"posting {count:,} claims in {done + 1} parts: DynamoDB {dynamodb} requests "
        f"({dynamodb / count:.2f} a claim, {writes / count:.2f} of them writes), SQS "
        f"{of(planning, 'sqs') + of(parts, 'sqs')}; {seconds + traced_seconds:.1f} s in "
        f"process (moto), one part's peak {peak:.1f} MB traced"
    )
    return {
        "requests": dynamodb / count,
        "writes": writes / count,
        "claims_per_second": count / (seconds + traced_seconds),
        "peak_mb": peak,
    }


def claim_file(count: int, now: datetime) -> None:
    content = interchange_837p(claim_requests(count, "FILE"), sender="PRACTICE", control=2, at=now)
    with counting() as calls:
        started = time.perf_counter()
        upload_id = upload(content, "claim-file", now)
        seconds = time.perf_counter() - started
    found = status(upload_id)
    assert found.status == "applied" and found.result["accepted"] == count, found.result
    dynamodb = of(calls, "dynamodb")
    print(
        f"an 837P of {count:,} claims ({len(content) / 1e6:.1f} MB) uploaded: DynamoDB "
        f"{dynamodb} requests ({dynamodb / count:.2f} a claim created), {seconds:.1f} s in "
        f"process (moto), {count / seconds:.0f} claims/s"
    )


def _no_table_copies() -> None:
    """moto copies the whole table on every TransactWriteItems, to roll it back on a failed
    condition: time that grows with the table and is moto's alone. This run is one thread
    with no conflicting write, so nothing is ever rolled back: the copy is skipped. The
    requests counted are the same; only moto's seconds change."""
    import copy

    import moto.dynamodb.models as moto_dynamodb
    from moto.dynamodb.models.table import Table

    class _Copy:
        @staticmethod
        def deepcopy(value: Any) -> Any:
            return value if isinstance(value, Table) else copy.deepcopy(value)

    setattr(moto_dynamodb, "copy", _Copy)  # noqa: B010 - moto's module, not in its stubs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=100_000, help="claims in the planned 835")
    parser.add_argument("--posted", type=int, default=2_000, help="claims posted in parts")
    parser.add_argument("--claim-file", type=int, default=5_000, help="claims in the 837P")
    args = parser.parse_args(argv)
    from chalicelib.config import settings

    if args.posted // 2 <= settings().part_claims:
        parser.error(f"--posted must be over twice a part ({settings().part_claims} claims)")

    from moto import mock_aws

    from chalicelib import wiring
    from chalicelib.clock import utcnow
    from infra.template import PART_TIMEOUT, PARTS_CONCURRENCY

    _no_table_copies()

    def fresh() -> Any:
        """Each measure on tables of its own: moto's time grows with what they hold."""
        from chalicelib.store.bootstrap import create_storage, seed

        mocked = mock_aws()
        mocked.start()
        wiring.use_store()
        create_storage()
        seed(tenant_id=TENANT, tenant_name="Bench", api_key="bench-key", now=utcnow())
        return mocked

    measures: list[Callable[[], Any]] = [
        lambda: plan(args.claims, utcnow()),
        lambda: post(args.posted // 2, "VOLA", utcnow()),
        lambda: post(args.posted, "VOLB", utcnow()),
        lambda: claim_file(args.claim_file, utcnow()),
    ]
    results = []
    for measure in measures:
        mocked = fresh()
        try:
            results.append(measure())
        finally:
            mocked.stop()
    planned, small, large = results[0], results[1], results[2]
    per_claim_ms = large["requests"] * REQUEST_MS
    part_seconds = settings().part_claims * per_claim_ms / 1000
    per_hour = PARTS_CONCURRENCY * 3600 * 1000 / per_claim_ms
    print(
        f"requests per claim posted: {small['requests']:.2f} at {args.posted // 2:,} claims, "
        f"{large['requests']:.2f} at {args.posted:,} (was 3.0, posted whole in one function)"
    )
    print(
        f"a deployed stage, at {REQUEST_MS:.0f} ms a DynamoDB request: a part of "
        f"{settings().part_claims} claims posts in about {part_seconds:.0f} s (timeout "
        f"{PART_TIMEOUT} s); {PARTS_CONCURRENCY} parts at once post about {per_hour:,.0f} "
        f"claims an hour ({large['writes'] * per_hour / 3600:,.0f} writes/s)"
    )
    print(
        f"requests_per_posted_claim={large['requests']:.2f} peak_mb={large['peak_mb']:.1f} "
        f"claims_per_second={large['claims_per_second']:.0f} parts={planned['parts']:.0f} "
        f"planning_peak_mb={planned['peak_mb']:.0f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

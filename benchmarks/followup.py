"""Follow-up cost: DynamoDB requests and items read per due claim for one claim-followups run.

Plan: 100,000 claims (1,000 due for a status check, 49,000 due later, 50,000 with nothing due),
on moto in process; the run plans from the sparse due index and fans out over SQS.
Work: the fanned-out messages are worked the way the SQS worker does, against the sandbox
clearinghouse. moto copies the whole table on every TransactWriteItems (for its rollback), so
the work is measured on a table of `--work-claims` claims: what a worker reads and writes per
claim does not depend on the size of the table, only moto's time does.

    python -m benchmarks.followup [--claims N] [--due N] [--work-claims N] [--work-due N]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks import put_claims, use_moto_environment

use_moto_environment("bench")

CONTRACT = Path(__file__).resolve().parents[1] / "examples"
READS = ("Query", "Scan", "GetItem", "BatchGetItem")


@contextmanager
def counting() -> Iterator[tuple[Counter[str], Counter[str]]]:
    """Requests by operation, and items returned by reads (Query/Scan Items, GetItem Item,
    BatchGetItem Responses)."""
    from botocore.client import BaseClient

    requests: Counter[str] = Counter()
    items: Counter[str] = Counter()
    original = getattr(BaseClient, "_make_api_call")  # noqa: B009

    def counted(self: BaseClient, operation: str, params: Any) -> Any:
        response = original(self, operation, params)
        if self.meta.service_model.service_name == "dynamodb":
            requests[operation] += 1
            if operation in ("Query", "Scan"):
                items[operation] += len(response.get("Items", []))
            elif operation == "GetItem" and "Item" in response:
                items[operation] += 1
            elif operation == "BatchGetItem":
                items[operation] += sum(len(v) for v in response.get("Responses", {}).values())
        return response

    setattr(BaseClient, "_make_api_call", counted)  # noqa: B010
    try:
        yield requests, items
    finally:
        setattr(BaseClient, "_make_api_call", original)  # noqa: B010


def seed(total: int, due: int, now: datetime) -> None:
    from chalicelib.api.contract import ClaimRequest
    from chalicelib.claims.lifecycle import Status
    from chalicelib.claims.records import ClaimRecord

    claim = ClaimRequest.model_validate_json((CONTRACT / "claim-basic.json").read_text()).to_claim()
    base = ClaimRecord(
        tenant_id="bench",
        claim_id="",
        status=Status.ACCEPTED,
        claim=claim,
        created_at=now - timedelta(days=40),
        updated_at=now - timedelta(days=40),
        event_count=3,
        submitted_at=now - timedelta(days=40),
    )

    def records() -> Iterator[ClaimRecord]:
        for n in range(total):
            if n < due:
                record = replace(base, next_action="status_check", due_at=now - timedelta(hours=1))
            elif n < total // 2:
                record = replace(base, next_action="status_check", due_at=now + timedelta(days=9))
            else:
                record = replace(base, status=Status.PAID)
            info = replace(claim.claim_information, patient_control_number=f"BENCH-{n:06d}")
            yield replace(
                record, claim_id=f"clm_bench_{n:06d}", claim=replace(claim, claim_information=info)
            )

    put_claims(records())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=1_000)
    parser.add_argument("--work-claims", type=int, default=500)
    parser.add_argument("--work-due", type=int, default=200)
    args = parser.parse_args()
    plan_due, plan_requests, plan_read = measure(args.claims, args.due, work=False)
    if plan_due == 0:
        raise SystemExit("no due claim found")
    work_due, work_requests, work_read = measure(args.work_claims, args.work_due, work=True)
    print(
        f"plan per due claim: {plan_requests / plan_due:.3f} requests, "
        f"{plan_read / plan_due:.3f} items read"
    )
    print(
        f"work per due claim: {work_requests / work_due:.3f} requests, "
        f"{work_read / work_due:.3f} items read"
    )
    print(f"requests_per_due_claim={plan_requests / plan_due + work_requests / work_due:.3f}")
    print(f"items_read_per_due_claim={plan_read / plan_due + work_read / work_due:.3f}")


def measure(claims: int, due_count: int, *, work: bool) -> tuple[int, int, int]:
    """Seed a fresh table, plan one run (and work its messages); returns the due claims found
    and the requests and items read of the phase measured."""
    from moto import mock_aws

    from chalicelib.services import lookups
    from chalicelib.store import connection

    with mock_aws():
        connection.dynamodb_client.cache_clear()
        connection.s3_client.cache_clear()
        connection.sqs_client.cache_clear()
        connection.pynamodb_connection.cache_clear()
        lookups.clear_caches()
        from chalicelib import wiring
        from chalicelib.schedules.runs import Run
        from chalicelib.services.followup import run_followups
        from chalicelib.services.followup_worker import handle_followup_messages
        from chalicelib.store.bootstrap import create_storage
        from chalicelib.store.bootstrap import seed as seed_tenant

        now = datetime.now(UTC)
        create_storage()
        seed_tenant(tenant_id="bench", tenant_name="Bench", api_key="bench-key", now=now)
        started = time.perf_counter()
        seed(claims, due_count, now)
        print(f"seeded {claims} claims ({due_count} due) in {time.perf_counter() - started:.1f} s")

        messages: list[str] = []
        run = Run("bench", "claim-followups", "manual", now)
        with counting() as (plan_requests, plan_items):
            started = time.perf_counter()
            run_followups(run, now=now, gateway_for=wiring.gateway_for, fanout=messages.extend)
            plan_seconds = time.perf_counter() - started
        due = run.examined
        print(
            f"plan: {due} due claims found (of {claims}) in {plan_seconds:.2f} s; "
            f"{sum(plan_requests.values())} DynamoDB requests {dict(plan_requests)}, "
            f"{sum(plan_items.values())} items read; {len(messages)} SQS messages"
        )
        if not work:
            return due, sum(plan_requests.values()), sum(plan_items.values())
        records = [
            {
                "messageId": str(i),
                "body": body,
                "receiptHandle": "r",
                "attributes": {},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:q",
                "awsRegion": "us-east-1",
            }
            for i, body in enumerate(messages)
        ]
        with counting() as (work_requests, work_items):
            started = time.perf_counter()
            failures = handle_followup_messages({"Records": records})["batchItemFailures"]
            work_seconds = time.perf_counter() - started

        print(
            f"work: {len(messages)} messages, {len(failures)} failed, {work_seconds:.2f} s; "
            f"{sum(work_requests.values())} DynamoDB requests {dict(work_requests)}, "
            f"{sum(work_items.values())} items read"
        )
        return due, sum(work_requests.values()), sum(work_items.values())


if __name__ == "__main__":
    main()

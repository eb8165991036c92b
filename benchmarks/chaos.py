"""Chaos: claims, overlapping runs, parallel duplicate uploads and damaged files at once, then
count what must never happen. Runs the real app through the Chalice test client on moto's
in-process AWS (made atomic per DynamoDB request, as DynamoDB is), with threads.

    python -m benchmarks.chaos [--claims 200] [--runs 8] [--uploads 20] [--mutated 2000]

Prints what it tried, then
`claims_sent_more_than_once=0 payments_posted_more_than_once=0 server_errors=0 claims_stuck=0`
when all is well.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from functools import partial
from typing import Any

os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "us-east-1",
        "CLAIMGATE_TABLE": "claimgate-chaos",
        "CLAIMGATE_IDEMPOTENCY_TABLE": "claimgate-chaos-idempotency",
        "CLAIMGATE_ARCHIVE_BUCKET": "claimgate-chaos-archive",
        "CLAIMGATE_CLOCK_START": "2026-11-27T12:00:00+00:00",
        # one key stands for many practices at once: the per-key limit is not what is measured
        "CLAIMGATE_KEY_REQUESTS_PER_MINUTE": "1000000",
        "POWERTOOLS_LOG_LEVEL": "ERROR",
        "POWERTOOLS_METRICS_DISABLED": "true",
    }
)
os.environ.pop("CLAIMGATE_AWS_ENDPOINT", None)

KEY = "chaos-key"
X12 = "application/edi-x12"
# The damaged files are copies of those written for small groups of claims of their own: each
# file touches a couple of claims, and a claim collects a few dozen payments at most (each
# damaged 835 with a new TRN is a real new payment), as a real claim would, not thousands.
MUTATION_GROUPS = 20
CLAIMS_PER_GROUP = 2
TENANT = "chaos"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, default=200)
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--uploads", type=int, default=20)
    parser.add_argument("--mutated", type=int, default=2000)
    args = parser.parse_args()

    import logging

    from chalice.test import Client
    from moto import mock_aws

    from scripts.local_aws import serialize_requests

    logging.disable(logging.WARNING)
    serialize_requests()
    with mock_aws():
        from app import app
        from chalicelib import wiring
        from chalicelib.store.bootstrap import create_storage, seed, seed_sandbox_contracts
        from tests.reliability.harness import HoldingGateway

        create_storage()
        now = datetime(2026, 11, 20, tzinfo=UTC)
        seed(
            tenant_id=TENANT,
            tenant_name="Chaos",
            api_key=KEY,
            now=now,
            roles=("tenant", "operator"),
        )
        seed_sandbox_contracts(TENANT, now=now)
        gateway = HoldingGateway(wiring.gateway("sandbox"), frozenset({"835"}))
        wiring.use_gateway("sandbox", gateway)
        with Client(app) as client:
            Chaos(client, gateway, args).run()


class Chaos:
    def __init__(self, client: Any, gateway: Any, args: argparse.Namespace) -> None:
        self.client = client
        self.gateway = gateway
        self.args = args
        self.statuses: Counter[int] = Counter()
        self.claim_ids: list[str] = []
        self.failures: list[str] = []
        self._template: dict[str, Any] = {}

    def call(self, method: str, path: str, body: bytes | str = b"", ctype: str = "") -> Any:
        headers = {"x-api-key": KEY, "Content-Type": ctype or "application/json"}
        response = getattr(self.client.http, method)(path, headers=headers, body=body)
        self.statuses[response.status_code] += 1
        if response.status_code >= 500:
            self.failures.append(f"{path} {response.status_code} {response.body[:300]!r}")
        return response

    def parallel(self, calls: list[Any], workers: int) -> list[Any]:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(lambda call: call(), calls))

    def run(self) -> None:
        from tests.functional.conftest import contract

        args = self.args
        started = time.perf_counter()
        self._template = contract("claim-basic.json")

        def submit(n: int) -> Any:
            body = json.loads(json.dumps(self._template))
            body["claimInformation"]["patientControlNumber"] = f"CHAOS-{n:05d}"
            return self.call("post", "/v1/claims", json.dumps(body))

        created = self.parallel([partial(submit, n) for n in range(args.claims)], 8)
        self.claim_ids = [r.json_body["claimId"] for r in created if r.status_code == 201]

        def poll() -> Any:
            return self.call("post", "/v1/schedules/clearinghouse-poll/runs")

        for _ in range(2):  # send and acknowledge, then adjudicate (the 835s are held back)
            self.parallel([poll] * args.runs, args.runs)
        remittances = self.gateway.held_of("835")
        variants = [r for content in remittances for r in (content, content.replace(b"~", b"~\n"))]
        uploads = [
            partial(self.call, "post", "/v1/remittances", v, X12)
            for v in variants
            for _ in range(args.uploads // 2)
        ]
        self.parallel(uploads, args.uploads)
        self.parallel([poll] * args.runs, args.runs)  # whatever a busy tenant left, once

        files = self._mutated(args.mutated)
        self.parallel([partial(self.call, "post", r, f, X12) for r, f in files], 4)
        elapsed = time.perf_counter() - started
        self.report(len(uploads), len(files), elapsed)

    def _mutated(self, count: int) -> list[tuple[str, bytes]]:
        """`count` damaged copies of the 999, 277CA and 835 files written for claims of their
        own (see MUTATION_GROUPS)."""
        from tests.x12_mutations import random_mutation

        self.gateway.hold = frozenset({"999", "277CA", "835"})
        template = json.loads(json.dumps(self._template))
        sources: list[tuple[str, bytes]] = []
        for group in range(MUTATION_GROUPS):  # one interchange, so one set of files, each
            self.gateway.held.clear()
            for n in range(CLAIMS_PER_GROUP):
                pcn = f"CHAOS-M{group:02d}-{n}"
                template["claimInformation"]["patientControlNumber"] = pcn
                created = self.call("post", "/v1/claims", json.dumps(template))
                self.claim_ids.append(created.json_body["claimId"])
            self.call("post", "/v1/schedules/clearinghouse-poll/runs")
            self.call("post", "/v1/schedules/clearinghouse-poll/runs")
            for content in self.gateway.held:  # delivered once, clean
                route = "/v1/remittances" if b"~ST*835*" in content else "/v1/acknowledgments"
                self.call("post", route, content, X12)
                sources.append((route, content))
        rng = random.Random(2026)  # a reproducible run
        files = []
        for n in range(count):
            route, content = sources[n % len(sources)]
            for _ in range(rng.randrange(1, 4)):
                content = random_mutation(rng).apply(content)
            if route == "/v1/remittances" and n % 2:  # half keep their TRN: deduplicated
                content = re.sub(rb"(~TRN\*1\*)[^*~]*", rb"\g<1>CH%d" % n, content, count=1)
            files.append((route, content))
        return files

    def report(self, uploads: int, mutated: int, elapsed: float) -> None:
        from chalicelib.services.inbound import posting_key
        from chalicelib.store.claims import load_claim
        from chalicelib.store.models import BatchItem, Item

        membership: Counter[str] = Counter()
        open_batches = 0
        for item in Item.scan(Item.pk.startswith(f"T#{TENANT}#BATCH#")):
            if isinstance(item, BatchItem):
                if item.status in ("pending", "sent"):
                    membership.update(item.claim_ids or ())
                if item.status in ("forming", "pending"):
                    open_batches += 1
        sent_twice = posted_twice = stuck = 0
        for claim_id in self.claim_ids:
            record = load_claim(TENANT, claim_id)
            assert record is not None
            sent_events = sum(1 for e in record.events if e.event.value == "sent")
            if membership[claim_id] > 1 or sent_events > 1:
                sent_twice += 1
            keys = Counter(posting_key(p) for p in record.remittances)
            if any(n > 1 for n in keys.values()):
                posted_twice += 1
            if record.status.value in ("queued", "submitted") or not record.remittances:
                stuck += 1
        errors = sum(n for status, n in self.statuses.items() if status >= 500)
        print(
            f"tried: claims={len(self.claim_ids)} overlapping_poll_runs={self.args.runs}x3 "
            f"parallel_835_uploads={uploads} mutated_files={mutated} "
            f"requests={sum(self.statuses.values())} seconds={elapsed:.1f}"
        )
        print(f"answers: {dict(sorted(self.statuses.items()))} open_batches={open_batches}")
        for failure in self.failures[:10]:
            print(f"  server error: {failure}")
        print(
            f"claims_sent_more_than_once={sent_twice} payments_posted_more_than_once="
            f"{posted_twice} server_errors={errors} claims_stuck={stuck + open_batches}"
        )


if __name__ == "__main__":
    main()

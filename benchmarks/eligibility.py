"""Eligibility batch cost: a batch of 1,000 requests through POST /v1/eligibility/batches,
checked as the work queue's worker does (messages of ten), against the sandbox payers on moto
in process. Counts the DynamoDB and SQS requests per request checked (the S3 puts that keep
each 270 and 271 are counted apart).

    python -m benchmarks.eligibility [--requests N]
"""

from __future__ import annotations

import argparse
import copy
import json
import time
from typing import Any

from benchmarks import counting, of, use_moto_environment

use_moto_environment(
    "eligibility",
    CLAIMGATE_CLOCK_START="2026-11-27T12:00:00+00:00",
    CLAIMGATE_ELIGIBILITY_PER_PAYER_PER_MINUTE="100000",  # the payer's pace is not measured
    POWERTOOLS_METRICS_DISABLED="true",
    POWERTOOLS_LOG_LEVEL="WARNING",
)

REQUEST: dict[str, Any] = {
    "tradingPartnerServiceId": "SBX01",
    "provider": {"organizationName": "Maple Street Family Practice", "npi": "1234567893"},
    "subscriber": {
        "memberId": "W000000000",
        "firstName": "ADA",
        "lastName": "LOVELACE",
        "dateOfBirth": "19800101",
        "gender": "F",
    },
    "encounter": {"serviceTypeCodes": ["30"], "dateOfService": "20261120"},
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1000)
    count = parser.parse_args(argv).requests

    from chalice.test import Client
    from moto import mock_aws

    from chalicelib import wiring
    from chalicelib.clock import utcnow
    from scripts.local_queues import drain

    with mock_aws():
        wiring.use_store()
        from app import app
        from chalicelib.store.bootstrap import create_storage, seed

        create_storage()
        seed(tenant_id="bench", tenant_name="Bench", api_key="bench-key", now=utcnow())
        requests = []
        for n in range(count):
            body = copy.deepcopy(REQUEST)
            body["subscriber"]["memberId"] = f"W{n:09d}"
            requests.append(body)
        headers = {"x-api-key": "bench-key", "Content-Type": "application/json"}
        with Client(app) as client, counting() as calls:
            started = time.perf_counter()
            answer = client.http.post(
                "/v1/eligibility/batches", headers=headers, body=json.dumps({"requests": requests})
            )
            assert answer.status_code == 202, answer.body
            done, failed = drain("remittance-parts-worker")
            seconds = time.perf_counter() - started
            batch = client.http.get(
                f"/v1/eligibility/batches/{answer.json_body['batchId']}", headers=headers
            ).json_body
        assert batch["status"] == "done" and failed == 0, (batch["status"], failed)
    dynamodb, sqs, s3 = of(calls, "dynamodb"), of(calls, "sqs"), of(calls, "s3")
    per_item = (dynamodb + sqs) / count
    print(
        f"a batch of {count:,} eligibility requests: {done} messages, DynamoDB "
        f"{dynamodb} requests, SQS {sqs}, S3 {s3} (the 270s and "
        f"271s kept), {seconds:.1f} s in process (moto)"
    )
    print(f"requests_per_eligibility_item={per_item:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

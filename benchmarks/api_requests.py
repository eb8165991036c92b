"""How many DynamoDB requests one POST /v1/claims makes, with and without an Idempotency-Key,
cold (first request of a container: key and payer lookups) and warm (cached). Runs the real
app through the Chalice test client on moto; counts every AWS API call by operation.

    python -m benchmarks.api_requests
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import use_moto_environment

use_moto_environment(
    "bench",
    CLAIMGATE_CLOCK_START="2026-11-27T12:00:00+00:00",
    POWERTOOLS_METRICS_DISABLED="true",
)

CONTRACT = Path(__file__).resolve().parents[1] / "examples"


@contextmanager
def counting() -> Iterator[Counter[str]]:
    from botocore.client import BaseClient

    calls: Counter[str] = Counter()
    original = getattr(BaseClient, "_make_api_call")  # noqa: B009 - private, not in the stubs

    def counted(self: BaseClient, operation: str, params: Any) -> Any:
        calls[operation] += 1
        return original(self, operation, params)

    setattr(BaseClient, "_make_api_call", counted)  # noqa: B010
    try:
        yield calls
    finally:
        setattr(BaseClient, "_make_api_call", original)  # noqa: B010


def main() -> None:
    from chalice.test import Client
    from moto import mock_aws

    with mock_aws():
        from app import app
        from chalicelib.store.bootstrap import create_storage, seed

        create_storage()
        seed(
            tenant_id="bench",
            tenant_name="Bench",
            api_key="bench-key",
            now=datetime.now(UTC),
            roles=("tenant", "operator"),
        )
        body = json.loads((CONTRACT / "claim-basic.json").read_text())
        with Client(app) as client:
            for n, (label, key) in enumerate(
                [
                    ("cold, no Idempotency-Key", None),
                    ("warm, no Idempotency-Key", None),
                    ("warm, with Idempotency-Key", "k-1"),
                    ("replay of the same Idempotency-Key", "k-1"),
                ]
            ):
                if key != "k-1" or label.startswith("warm"):
                    body["claimInformation"]["patientControlNumber"] = f"BENCH-{n}"
                headers = {"x-api-key": "bench-key", "Content-Type": "application/json"}
                if key:
                    headers["Idempotency-Key"] = key
                with counting() as calls:
                    response = client.http.post(
                        "/v1/claims", headers=headers, body=json.dumps(body)
                    )
                assert response.status_code == 201, response.body
                detail = ", ".join(f"{op} {count}" for op, count in sorted(calls.items()))
                print(f"{label:38} {sum(calls.values())} requests ({detail})")
            posting_requests(client, body)


def posting_requests(client: Any, body: dict[str, Any]) -> None:
    """DynamoDB requests to post an 835, warm: one claim, then twenty in one 835. What the
    twenty cost beyond the one, per claim, is what posting a claim costs (one read of the
    claim by its patient control number, one conditional write); the rest is per file."""
    from chalicelib import wiring
    from tests.reliability.harness import HoldingGateway

    gateway = HoldingGateway(wiring.gateway("sandbox"), frozenset({"835"}))
    wiring.use_gateway("sandbox", gateway)
    headers = {"x-api-key": "bench-key", "Content-Type": "application/json"}
    run = "/v1/schedules/clearinghouse-poll/runs"
    client.http.post(run, headers=headers)  # the claims above go their way first
    client.http.post(run, headers=headers)
    costs: dict[int, int] = {}  # claims posted -> DynamoDB requests
    for size in (1, 20):
        gateway.held.clear()
        for n in range(size):
            body["claimInformation"]["patientControlNumber"] = f"POST-{size}-{n}"
            client.http.post("/v1/claims", headers=headers, body=json.dumps(body))
        client.http.post(run, headers=headers)
        client.http.post(run, headers=headers)
        [remittance] = gateway.held_of("835")
        upload = {"x-api-key": "bench-key", "Content-Type": "application/edi-x12"}
        with counting() as calls:
            response = client.http.post("/v1/remittances", headers=upload, body=remittance)
        assert response.status_code == 200, response.body
        dynamodb = {op: n for op, n in calls.items() if op not in ("PutObject", "GetObject")}
        costs[size] = sum(dynamodb.values())
        detail = ", ".join(f"{op} {count}" for op, count in sorted(dynamodb.items()))
        print(
            f"835 with {size:2} claim(s) posted{'':17} {costs[size]} DynamoDB requests ({detail})"
        )
    print(f"requests_per_posted_claim={(costs[20] - costs[1]) / 19:.2f}")
    wiring.use_gateway("sandbox", None)


if __name__ == "__main__":
    main()

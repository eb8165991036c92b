"""How many DynamoDB requests one POST /v1/claims makes, with and without an Idempotency-Key,
cold (first request of a container: key and payer lookups) and warm (cached). Runs the real
app through the Chalice test client on moto; counts every AWS API call by operation.

    python -m benchmarks.api_requests
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "us-east-1",
        "CLAIMGATE_TABLE": "claimgate-bench",
        "CLAIMGATE_IDEMPOTENCY_TABLE": "claimgate-bench-idempotency",
    }
)
os.environ.pop("CLAIMGATE_AWS_ENDPOINT", None)

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
        seed(tenant_id="bench", tenant_name="Bench", api_key="bench-key", now=datetime.now(UTC))
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


if __name__ == "__main__":
    main()

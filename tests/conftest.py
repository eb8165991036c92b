"""Test settings are set before anything from chalicelib is imported: PynamoDB models read
their table names when their classes are defined."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SECURITY_TOKEN": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "CLAIMGATE_TABLE": "claimgate-test",
        "CLAIMGATE_IDEMPOTENCY_TABLE": "claimgate-test-idempotency",
        "CLAIMGATE_ARCHIVE_BUCKET": "claimgate-test-archive",
        "POWERTOOLS_SERVICE_NAME": "claimgate",
        "POWERTOOLS_METRICS_NAMESPACE": "claimgate-test",
        # The contract examples have fixed dates of service: the service's clock starts on a
        # fixed day so filing limits and due dates come out the same whenever the tests run.
        "CLAIMGATE_CLOCK_START": "2026-11-27T12:00:00+00:00",
    }
)
os.environ.pop("CLAIMGATE_AWS_ENDPOINT", None)

# The repository stands alone: the contract examples live in examples/, the public X12 samples
# (with their sources and licences, tests/fixtures/x12-samples/SOURCES.md) in tests/fixtures/.
ROOT = Path(__file__).resolve().parents[1]
CONTRACT = ROOT / "examples"
X12_SAMPLES = ROOT / "tests" / "fixtures" / "x12-samples"

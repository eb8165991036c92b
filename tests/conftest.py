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
    }
)
os.environ.pop("CLAIMGATE_AWS_ENDPOINT", None)

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CONTRACT = SHARED / "contract"
X12_SAMPLES = SHARED / "x12-samples"

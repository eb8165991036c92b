"""Test settings are set before anything from chalicelib is imported: PynamoDB models read
their table names when their classes are defined."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
        "CLAIMGATE_AUDIT_TABLE": "claimgate-test-audit",
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


def pytest_configure(config: object) -> None:
    from tests.aws_calls import RECORDER

    RECORDER.start()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Every AWS call the service made in this run must be allowed by the deployed stage's
    roles (infra/policies.py), or the run fails, naming the calls. CLAIMGATE_DROP_STATEMENTS
    (Sids, comma-separated) leaves statements out, to see the check fail."""
    from tests.aws_calls import RECORDER, denied

    if not RECORDER.calls:
        return
    drop = frozenset(filter(None, os.environ.get("CLAIMGATE_DROP_STATEMENTS", "").split(",")))
    refused = denied(RECORDER.calls, drop=drop)
    if refused:
        lines = [f"  {c.role}: {c.action} on {c.resource}" for c in refused[:20]]
        more = f"\n  ... and {len(refused) - 20} more" if len(refused) > 20 else ""
        print(  # noqa: T201 - the test run's own report
            "\nAWS calls the deployed roles would refuse (infra/policies.py):\n"
            + "\n".join(lines)
            + more
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED

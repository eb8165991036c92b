"""Benchmarks: `python -m benchmarks.<name>`, each printing its figures."""

from __future__ import annotations

import os


def use_moto_environment(name: str, **extra: str) -> None:
    """Settings for a benchmark on moto in process, before anything from chalicelib is
    imported (the models read their table names when their classes are defined): fake
    credentials, tables of its own, never a configured endpoint."""
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_DEFAULT_REGION": "us-east-1",
            "CLAIMGATE_TABLE": f"claimgate-{name}",
            "CLAIMGATE_IDEMPOTENCY_TABLE": f"claimgate-{name}-idempotency",
            **extra,
        }
    )
    os.environ.pop("CLAIMGATE_AWS_ENDPOINT", None)

"""Reliability tests: parallel requests and runs (threads against the Chalice test client on
moto), hostile inputs and damaged files. moto's DynamoDB is made atomic per request, as
DynamoDB is (scripts/local_aws.py), so a race these tests find is ours, not moto's."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import pytest

from scripts.local_aws import serialize_dynamodb
from tests.functional.conftest import aws, client

__all__ = ["aws", "client", "in_parallel"]

T = TypeVar("T")


@pytest.fixture(autouse=True, scope="session")
def _atomic_dynamodb() -> None:
    serialize_dynamodb()


def in_parallel(calls: list[Callable[[], T]]) -> list[T]:
    """Start every call at once (one thread each) and return their results in order."""
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(call) for call in calls]
        return [future.result() for future in futures]


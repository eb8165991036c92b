"""Reliability tests: parallel requests and runs (threads against the Chalice test client on
moto), hostile inputs and damaged files. moto's DynamoDB is made atomic per request, as
DynamoDB is (scripts/local_aws.py), so a race these tests find is ours, not moto's."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from scripts.local_aws import serialize_requests
from tests.functional.conftest import aws, client, service_log

from .harness import HoldingGateway

__all__ = ["aws", "client", "service_log"]


@pytest.fixture(autouse=True, scope="session")
def _atomic_dynamodb() -> None:
    serialize_requests()


@pytest.fixture
def holding(aws: None) -> Iterator[Callable[[frozenset[str]], HoldingGateway]]:
    """Put a HoldingGateway in place of the sandbox connection for one test."""
    from chalicelib import wiring

    def install(hold: frozenset[str]) -> HoldingGateway:
        gateway = HoldingGateway(wiring.gateway("sandbox"), hold)
        wiring.use_gateway("sandbox", gateway)
        return gateway

    yield install
    wiring.use_gateway("sandbox", None)

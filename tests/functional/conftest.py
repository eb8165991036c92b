"""Functional tests: the Chalice test client over moto's in-process AWS. Each test gets empty
tables seeded with two tenants, so tenant isolation is always exercised."""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from chalice.test import Client
from moto import mock_aws

from tests.conftest import CONTRACT

TENANT_A_KEY = "cg_test_tenant_a_key"
TENANT_B_KEY = "cg_test_tenant_b_key"
ADMIN_KEY = "cg_test_stage_admin_key"


@pytest.fixture
def aws() -> Iterator[None]:
    from chalicelib import wiring

    with mock_aws():
        wiring.use_store()  # DynamoDB (moto's), every client and cache built afresh
        from chalicelib.store.bootstrap import create_storage, seed, seed_sandbox_contracts

        create_storage()
        now = datetime(2026, 11, 20, tzinfo=UTC)
        seed(
            tenant_id="tenant-a",
            tenant_name="Practice A",
            api_key=TENANT_A_KEY,
            now=now,
            roles=("tenant", "operator"),
        )
        seed_sandbox_contracts("tenant-a", now=now)
        seed(tenant_id="tenant-b", tenant_name="Practice B", api_key=TENANT_B_KEY, now=now)
        # the stage's administrators: tenants and keys, nothing of any practice's claims
        seed(
            tenant_id="tenant-a",  # a key of their own: tenants, keys, the audit; no claims
            tenant_name="Practice A",
            api_key=ADMIN_KEY,
            now=now,
            roles=("admin",),
        )
        yield


@pytest.fixture
def client(aws: None) -> Iterator[Client]:
    from app import app
    from scripts.serve_api import RoutingGateway

    with Client(app) as test_client:
        # As `make run` and a deployed stage: an unknown route is 404 in the API's shape.
        http = test_client.http
        http._local_gateway = RoutingGateway(app, http._config)
        yield test_client


def contract(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((CONTRACT / name).read_text())
    return data


def headers(key: str = TENANT_A_KEY, **extra: str) -> dict[str, str]:
    return {"x-api-key": key, "Content-Type": "application/json", **extra}


@pytest.fixture
def service_log() -> Iterator[io.StringIO]:
    """What the service's JSON logger writes, extra keys and all, exactly as CloudWatch gets it."""
    from chalicelib.observability import logger

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    logging.getLogger(logger.name).addHandler(handler)
    yield stream
    logging.getLogger(logger.name).removeHandler(handler)


def run_schedule(client: Client, schedule: str) -> dict[str, Any]:
    """Run a schedule now through the API (an operator's call); it must fail nothing."""
    response = client.http.post(f"/v1/schedules/{schedule}/runs", headers=headers())
    assert response.status_code == 201, response.body
    body: dict[str, Any] = response.json_body
    assert body["failed"] == 0, body["errors"]
    return body


@contextmanager
def local_api() -> Iterator[int]:
    """scripts/serve_api.py's server (what `make run` serves) on a free port of 127.0.0.1,
    in a thread of this process: it answers from whatever store the test has."""
    from chalice.cli.factory import CLIFactory
    from chalice.local import LocalDevServer

    from scripts.serve_api import ROOT, _Handler

    config = CLIFactory(project_dir=str(ROOT)).create_config_obj(chalice_stage_name="dev")
    server = LocalDevServer(config.chalice_app, config, "127.0.0.1", 0, handler_cls=_Handler)
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server.server_address[1])
    finally:
        server.server.shutdown()
        server.server.server_close()

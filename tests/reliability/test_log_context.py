"""Parallel requests of two tenants: every log line carries the tenant and correlation id of
its own request, never another thread's (`chalice local` serves each request in a thread)."""

from __future__ import annotations

import io
import json
from functools import partial

from chalice.test import Client

from tests.functional.conftest import TENANT_B_KEY, contract, headers
from tests.reliability.harness import in_parallel


def _create(client: Client, key: str, n: int) -> tuple[str, str]:
    body = contract("claim-basic.json")
    body["claimInformation"]["patientControlNumber"] = f"LOG-{n:03d}"
    response = client.http.post(
        "/v1/claims",
        headers=headers(key, **{"x-correlation-id": f"corr-{n}"}),
        body=json.dumps(body),
    )
    assert response.status_code == 201, response.body
    return response.json_body["claimId"], f"corr-{n}"


def test_log_keys_stay_with_their_request(client: Client, service_log: io.StringIO) -> None:
    from tests.functional.conftest import TENANT_A_KEY

    keys = [TENANT_A_KEY, TENANT_B_KEY] * 8
    created = in_parallel([partial(_create, client, key, n) for n, key in enumerate(keys)])
    tenant_of = {
        claim_id: ("tenant-a" if key == TENANT_A_KEY else "tenant-b")
        for (claim_id, _), key in zip(created, keys, strict=True)
    }
    correlation_of = dict(created)
    lines = [
        json.loads(line) for line in service_log.getvalue().splitlines() if line.startswith("{")
    ]
    logged = [line for line in lines if line.get("message") == "claim created"]
    assert len(logged) == len(keys)
    for line in logged:
        assert line["tenant_id"] == tenant_of[line["claim_id"]]
        assert line["correlation_id"] == correlation_of[line["claim_id"]]

"""No PHI in logs: every contract example goes through the API (created, read, listed,
validated, rejected, duplicated) and nothing a patient could be identified by shows up in
what was logged."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from chalice.test import Client

from tests.conftest import CONTRACT
from tests.functional.conftest import headers

PHI_KEYS = {
    "firstName",
    "lastName",
    "memberId",
    "dateOfBirth",
    "address1",
    "address2",
    "city",
    "postalCode",
    "otherInsuredFirstName",
    "otherInsuredLastName",
    "otherInsuredIdentifier",
    "groupNumber",
    "phoneNumber",
}


def _phi_values(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in PHI_KEYS and isinstance(value, str):
                yield value
            yield from _phi_values(value)
    elif isinstance(node, list):
        for item in node:
            yield from _phi_values(item)


def test_logs_carry_no_phi_from_any_contract_example(
    client: Client, service_log: io.StringIO, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO")  # the level the service runs at; SDK debug logs echo payloads
    examples = [json.loads(p.read_text()) for p in sorted(CONTRACT.glob("*.json"))]
    assert len(examples) == 6
    for body in examples:
        raw = json.dumps(body)
        created = client.http.post("/v1/claims", headers=headers(), body=raw)
        client.http.post("/v1/claims", headers=headers(), body=raw)  # duplicate or rejected again
        client.http.post("/v1/claims/validate", headers=headers(), body=raw)
        if created.status_code == 201:
            client.http.get(f"/v1/claims/{created.json_body['claimId']}", headers=headers())
        broken = json.loads(raw)
        broken["subscriber"]["dateOfBirth"] = "not-a-date"
        client.http.post("/v1/claims", headers=headers(), body=json.dumps(broken))
    client.http.get("/v1/claims", headers=headers())
    logged = service_log.getvalue() + caplog.text
    assert '"correlation_id"' in logged
    assert '"tenant_id":"tenant-a"' in logged.replace(" ", "")
    leaked = sorted({value for body in examples for value in _phi_values(body) if value in logged})
    assert leaked == [], f"PHI in logs: {len(leaked)} value(s)"

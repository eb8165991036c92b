"""Units of one authorization counted down by claims sent at the same moment: each write is
conditioned on the version read, so no claim's count is lost to another's, and the same claim
sent twice at once counts once."""

from __future__ import annotations

import json
from functools import partial
from typing import Any

from chalice.test import Client

from tests.functional.conftest import headers
from tests.functional.test_authorizations import record, therapy_claim
from tests.reliability.harness import in_parallel


def _submit(client: Client, body: dict[str, Any]) -> int:
    answer = client.http.post("/v1/claims", headers=headers(), body=json.dumps(body))
    return int(answer.status_code)


def test_claims_at_once_count_every_unit_once(client: Client) -> None:
    held = record(client, units="40").json_body
    bodies = [therapy_claim(f"PAR-{i}", units="2", number="PT-2026-001") for i in range(8)]
    # The first claim twice more: a retry racing the original.
    bodies += [bodies[0], bodies[0]]
    statuses = in_parallel([partial(_submit, client, body) for body in bodies])
    assert sorted(statuses) == [201] * 8 + [409] * 2
    after = client.http.get(
        f"/v1/authorizations/{held['authorizationId']}", headers=headers()
    ).json_body
    assert (after["unitsUsed"], after["unitsLeft"]) == ("16", "24")
    assert sorted(u["patientControlNumber"] for u in after["uses"]) == [
        f"PAR-{i}" for i in range(8)
    ]

"""Offboarding called twice at once (two admins, or a retried request beside the first):
every item of the tenant is exported once and deleted once, and the record counts them once;
and a key's limit holds under parallel requests. Threads against moto made atomic per
request, as DynamoDB is."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from chalice.test import Client

from tests.functional.conftest import ADMIN_KEY, contract, headers


def test_two_offboardings_at_once_export_and_delete_each_item_once(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    import boto3

    from chalicelib.api import admin as routes
    from chalicelib.clock import utcnow
    from chalicelib.config import settings
    from chalicelib.store import offboarding as store
    from chalicelib.store.tenants import issue_key

    admin = headers(ADMIN_KEY)
    body = json.dumps({"tenantId": "twice", "name": "Twice Clinic"})
    assert client.http.post("/v1/admin/tenants", headers=admin, body=body).status_code == 201
    key, _ = issue_key("twice", roles=("submitter",), name=None, expires_at=None, now=utcnow())
    for n in range(6):
        claim = contract("claim-basic.json")
        claim["claimInformation"]["patientControlNumber"] = f"TW-{n}"
        created = client.http.post("/v1/claims", headers=headers(key), body=json.dumps(claim))
        assert created.status_code == 201
    items = boto3.client("dynamodb", region_name="us-east-1").scan(
        TableName=settings().table_name,
        FilterExpression="begins_with(pk, :prefix) OR tenant_id = :tenant",
        ExpressionAttributeValues={":prefix": {"S": "T#twice#"}, ":tenant": {"S": "twice"}},
    )["Count"]
    assert client.http.post("/v1/admin/tenants/twice/suspend", headers=admin).status_code == 200

    real = store.tenant_page
    monkeypatch.setattr(
        store, "tenant_page", lambda tenant_id, start, limit=500: real(tenant_id, start, limit=3)
    )  # small pages, one a call: the two callers meet on many steps
    monkeypatch.setattr(routes, "OFFBOARDING_BUDGET_SECONDS", 0.0)

    def run(_: int) -> list[int]:
        codes: list[int] = []
        while not codes or codes[-1] != 200:
            codes.append(
                client.http.post("/v1/admin/tenants/twice/offboarding", headers=admin).status_code
            )
            assert len(codes) < 200
        return codes

    with ThreadPoolExecutor(max_workers=2) as pool:
        codes = [c for run_codes in pool.map(run, range(2)) for c in run_codes]
    assert set(codes) <= {200, 202, 409}, codes  # 409: the other caller holds the lease
    record = client.http.get("/v1/admin/tenants/twice/offboarding", headers=admin).json_body
    assert record["status"] == "done"
    assert record["itemsExported"] == record["itemsDeleted"] == items


def test_a_keys_limit_holds_under_parallel_requests(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Twelve requests at once from a key allowed five a minute: five answered, seven 429."""
    from chalicelib.api import auth
    from chalicelib.clock import utcnow
    from chalicelib.store.tenants import issue_key

    key, _ = issue_key(
        "tenant-a",
        roles=("read_only",),
        name=None,
        expires_at=None,
        now=utcnow(),
        requests_per_minute=5,
    )
    moment = utcnow().replace(second=1)
    monkeypatch.setattr(auth, "utcnow", lambda: moment)  # all in one minute
    with ThreadPoolExecutor(max_workers=12) as pool:
        codes = sorted(
            pool.map(
                lambda _: client.http.get("/v1/worklist", headers=headers(key)).status_code,
                range(12),
            )
        )
    assert codes == [200] * 5 + [429] * 7

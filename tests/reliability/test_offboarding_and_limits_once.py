"""Offboarding called twice at once (two admins, or a retried request beside the first):
every item of the tenant is exported once and deleted once, and the record counts them once;
and a key's limit holds under parallel requests. Threads against moto made atomic per
request, as DynamoDB is."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from chalice.test import Client

from tests.functional.conftest import ADMIN_KEY, contract, headers


def test_two_offboardings_at_once_export_and_delete_each_item_once(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.clock import utcnow
    from chalicelib.services.errors import ConcurrentUpdateError
    from chalicelib.services.offboarding import offboard
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
    items = 0
    start: Any = None
    while True:
        page, start = store.tenant_page("twice", start)
        items += len(page)
        if not start:
            break
    assert client.http.post("/v1/admin/tenants/twice/suspend", headers=admin).status_code == 200

    real = store.tenant_page
    monkeypatch.setattr(
        store, "tenant_page", lambda tenant_id, start, limit=500: real(tenant_id, start, limit=3)
    )  # small pages: the two calls meet on many steps

    def run(_: int) -> str:
        try:
            return offboard("twice", principal="test", now=utcnow(), budget_seconds=None).status
        except ConcurrentUpdateError:
            return "lost the race"

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(run, range(2)))
    record = offboard("twice", principal="test", now=utcnow(), budget_seconds=None)
    assert "done" in outcomes or record.status == "done", outcomes
    assert record.status == "done"
    assert record.items_exported == record.items_deleted == items


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

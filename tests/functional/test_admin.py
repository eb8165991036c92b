"""Running a stage, as its administrators do it: a new practice is created and gets keys with
roles; a key is shown once and listed by its prefix and last use; a rotated key works through
its grace period; a revoked key and a suspended practice are refused, on this container at
once and on every other within the key cache's minute; the command line does the same."""

from __future__ import annotations

import json
from typing import Any

import pytest
from chalice.test import Client

from tests.functional.conftest import ADMIN_KEY, TENANT_A_KEY, contract, headers


def admin(client: Client, method: str, path: str, body: object = None) -> Any:
    call = getattr(client.http, method.lower())
    kwargs: dict[str, Any] = {"headers": headers(ADMIN_KEY)}
    if body is not None:
        kwargs["body"] = json.dumps(body)
    return call(path, **kwargs)


def new_practice(client: Client, tenant_id: str = "acme") -> None:
    created = admin(client, "POST", "/v1/admin/tenants", {"tenantId": tenant_id, "name": "Acme"})
    assert created.status_code == 201, created.body
    assert created.json_body["suspendedAt"] is None


def issue(client: Client, roles: list[str], tenant_id: str = "acme", **extra: object) -> Any:
    answer = admin(client, "POST", f"/v1/admin/tenants/{tenant_id}/keys", {"roles": roles, **extra})
    assert answer.status_code == 201, answer.body
    return answer.json_body


def submit(client: Client, key: str, pcn: str = "ACME-1") -> Any:
    body = contract("claim-basic.json")
    body["claimInformation"]["patientControlNumber"] = pcn
    return client.http.post("/v1/claims", headers=headers(key), body=json.dumps(body))


def test_a_new_practice_gets_keys_that_do_what_their_roles_allow(client: Client) -> None:
    new_practice(client)
    assert (
        admin(client, "POST", "/v1/admin/tenants", {"tenantId": "acme", "name": "X"}).status_code
        == 409
    )
    submitter = issue(client, ["submitter"], name="Acme EHR export")
    assert submitter["apiKey"].startswith(f"cg_{submitter['keyId']}_")
    created = submit(client, submitter["apiKey"])
    assert created.status_code == 201, created.body
    claim_id = created.json_body["claimId"]
    assert (
        client.http.get(f"/v1/claims/{claim_id}", headers=headers(submitter["apiKey"])).status_code
        == 200
    )

    reader = issue(client, ["read_only"], name="Auditor")
    refused = submit(client, reader["apiKey"], "ACME-2")
    assert refused.status_code == 403
    assert "read_only" in refused.json_body["message"]
    assert (
        client.http.get(f"/v1/claims/{claim_id}", headers=headers(reader["apiKey"])).status_code
        == 200
    )
    # The practice's keys see the practice's claims only.
    assert (
        client.http.get(f"/v1/claims/{claim_id}", headers=headers(TENANT_A_KEY)).status_code == 404
    )

    listed = admin(client, "GET", "/v1/admin/tenants/acme/keys")
    assert listed.status_code == 200
    assert {k["keyId"] for k in listed.json_body["keys"]} == {submitter["keyId"], reader["keyId"]}
    assert submitter["apiKey"] not in listed.body.decode()  # shown once, never again
    used = next(k for k in listed.json_body["keys"] if k["keyId"] == submitter["keyId"])
    assert used["lastUsedAt"] is not None and used["name"] == "Acme EHR export"


def test_keys_without_the_admin_role_cannot_administer(client: Client) -> None:
    answer = client.http.post(
        "/v1/admin/tenants",
        headers=headers(TENANT_A_KEY),
        body=json.dumps({"tenantId": "sneaky", "name": "Sneaky"}),
    )
    assert answer.status_code == 403
    bad = admin(client, "POST", "/v1/admin/tenants", {"tenantId": "Not Valid!", "name": "x"})
    assert bad.status_code == 422
    new_practice(client)
    wrong = admin(client, "POST", "/v1/admin/tenants/acme/keys", {"roles": ["superuser"]})
    assert wrong.status_code == 422
    assert admin(client, "GET", "/v1/admin/tenants/nobody/keys").status_code == 404


def test_a_revoked_key_is_refused_here_at_once_and_everywhere_within_a_minute(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.clock import utcnow
    from chalicelib.services import lookups
    from chalicelib.store import tenants

    new_practice(client)
    one, other = issue(client, ["submitter"]), issue(client, ["submitter"])
    assert submit(client, one["apiKey"], "R-1").status_code == 201
    revoked = admin(client, "DELETE", f"/v1/admin/tenants/acme/keys/{one['keyId']}")
    assert revoked.status_code == 200 and revoked.json_body["revokedAt"]
    assert submit(client, one["apiKey"], "R-2").status_code == 401  # this container: at once

    # Another container revokes `other` while this one has it cached: refused after the minute.
    assert submit(client, other["apiKey"], "R-3").status_code == 201
    tenants.revoke_key("acme", other["keyId"], now=utcnow())
    assert submit(client, other["apiKey"], "R-4").status_code == 201  # still cached here
    later = lookups._tenants._clock() + 61
    monkeypatch.setattr(lookups._tenants, "_clock", lambda: later)
    assert submit(client, other["apiKey"], "R-5").status_code == 401


def test_a_rotated_key_works_through_its_grace_period(client: Client) -> None:
    new_practice(client)
    old = issue(client, ["submitter", "biller"], name="Billing service")
    rotated = admin(
        client, "POST", f"/v1/admin/tenants/acme/keys/{old['keyId']}/rotate", {"graceHours": 24}
    )
    assert rotated.status_code == 201, rotated.body
    new = rotated.json_body["new"]
    assert new["roles"] == ["biller", "submitter"] and new["name"] == "Billing service"
    assert rotated.json_body["old"]["rotatedTo"] == new["keyId"]
    assert submit(client, old["apiKey"], "ROT-1").status_code == 201  # within the grace
    assert submit(client, new["apiKey"], "ROT-2").status_code == 201

    at_once = admin(
        client, "POST", f"/v1/admin/tenants/acme/keys/{new['keyId']}/rotate", {"graceHours": 0}
    )
    assert at_once.status_code == 201
    assert submit(client, new["apiKey"], "ROT-3").status_code == 401  # no grace: gone
    assert submit(client, at_once.json_body["new"]["apiKey"], "ROT-4").status_code == 201


def test_a_suspended_practice_is_refused_until_resumed(client: Client) -> None:
    new_practice(client)
    key = issue(client, ["submitter"])["apiKey"]
    assert submit(client, key, "S-1").status_code == 201
    suspended = admin(client, "POST", "/v1/admin/tenants/acme/suspend")
    assert suspended.status_code == 200 and suspended.json_body["suspendedAt"]
    assert submit(client, key, "S-2").status_code == 401
    assert admin(client, "POST", "/v1/admin/tenants/acme/resume").status_code == 200
    assert submit(client, key, "S-3").status_code == 201


def test_an_expired_key_is_refused(client: Client) -> None:
    from datetime import timedelta

    from chalicelib.clock import utcnow

    new_practice(client)
    soon = (utcnow() + timedelta(seconds=1)).isoformat()
    key = issue(client, ["submitter"], expiresAt=soon)
    past = admin(
        client,
        "POST",
        "/v1/admin/tenants/acme/keys",
        {"roles": ["submitter"], "expiresAt": "2020-01-01T00:00:00Z"},
    )
    assert past.status_code == 422
    from chalicelib.services import lookups

    found = lookups.authenticate(key["apiKey"], now=utcnow() + timedelta(seconds=2))
    assert found is None


def test_the_command_line_takes_a_practice_on(
    client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    from chalicelib.admin import main

    assert main(["create-tenant", "zen", "Zen Clinic"]) == 0
    assert json.loads(capsys.readouterr().out)["tenant_id"] == "zen"
    assert main(["issue-key", "zen", "--role", "submitter", "--name", "Zen EHR"]) == 0
    issued = json.loads(capsys.readouterr().out)
    assert submit(client, issued["apiKey"], "ZEN-1").status_code == 201
    assert main(["list-keys", "zen"]) == 0
    [listed] = json.loads(capsys.readouterr().out)["keys"]
    assert listed["key_id"] == issued["key_id"] and "apiKey" not in listed
    assert main(["revoke-key", "zen", issued["key_id"]]) == 0
    capsys.readouterr()
    assert submit(client, issued["apiKey"], "ZEN-2").status_code == 401
    assert main(["create-tenant", "zen", "Again"]) == 2
    assert json.loads(capsys.readouterr().err)["code"] == "tenant_exists"
    assert main(["offboard", "zen"]) == 2  # still active
    assert json.loads(capsys.readouterr().err)["code"] == "tenant_active"
    assert main(["suspend", "zen"]) == 0 and main(["offboard", "zen"]) == 0
    done = json.loads(capsys.readouterr().out.split("\n}\n", 1)[1])
    assert done["status"] == "done" and done["items_deleted"] == done["items_exported"] > 0


def test_every_event_names_who_caused_it(client: Client) -> None:
    """A claim's history says which key (and whose) wrote it off, and which schedule moved
    it: the principal of every request or run is on the events it causes."""
    from tests.functional.test_clearinghouse_loop import claim
    from tests.functional.test_corrections import rejected_claim

    claim_id, _ = rejected_claim(client)
    history = claim(client, claim_id)["history"]
    assert history[0]["actor"] == "seed:tenant-a"  # created by the seeded key
    assert any(h["actor"] == "schedule:clearinghouse-poll" for h in history)
    biller = client.http.post(
        "/v1/admin/tenants/tenant-a/keys",
        headers=headers(ADMIN_KEY),
        body=json.dumps({"roles": ["biller"], "name": "Jane Biller"}),
    ).json_body
    closed = client.http.post(
        f"/v1/claims/{claim_id}/close",
        headers=headers(biller["apiKey"]),
        body=json.dumps({"reason": "timely_filing", "amountWrittenOff": "245.00"}),
    )
    assert closed.status_code == 200, closed.body
    last = claim(client, claim_id)["history"][-1]
    assert (last["event"], last["actor"], last["actorName"]) == (
        "close",
        biller["keyId"],
        "Jane Biller",
    )


def test_a_key_past_its_limit_a_minute_is_told_when_to_retry(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each key has its own limit (counted for the stage, not per container): past it, 429
    with Retry-After; another key is not held back; the next minute it works again."""
    from datetime import timedelta

    from chalicelib.api import auth
    from chalicelib.clock import utcnow

    new_practice(client)
    slow = issue(client, ["read_only"], requestsPerMinute=3)
    assert slow["requestsPerMinute"] == 3
    start = utcnow().replace(second=10, microsecond=0)
    monkeypatch.setattr(auth, "utcnow", lambda: start)
    for _ in range(3):
        assert client.http.get("/v1/worklist", headers=headers(slow["apiKey"])).status_code == 200
    refused = client.http.get("/v1/worklist", headers=headers(slow["apiKey"]))
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "50"
    assert refused.json_body["errors"][0]["code"] == "rate_limited"
    assert client.http.get("/v1/worklist", headers=headers(TENANT_A_KEY)).status_code == 200
    monkeypatch.setattr(auth, "utcnow", lambda: start + timedelta(minutes=1))
    assert client.http.get("/v1/worklist", headers=headers(slow["apiKey"])).status_code == 200


def test_a_suspended_practice_is_exported_whole_then_deleted_and_the_record_stays(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its claims, events and keys land as JSON lines under its own prefix with the X12
    files they name; then nothing of it is left in the table but the record that says who
    took it off, when, and where the export is; another practice keeps everything."""
    import boto3

    from chalicelib.config import settings
    from chalicelib.store import offboarding as store
    from tests.functional.test_clearinghouse_loop import claim, poll

    new_practice(client)
    key = issue(client, ["submitter", "biller"])["apiKey"]
    ids = [submit(client, key, f"OFF-{n}").json_body["claimId"] for n in range(3)]
    assert poll(client)["failed"] == 0  # sent: an 837 in the archive, events, batches
    mine = submit(client, TENANT_A_KEY, "KEEP-1").json_body["claimId"]

    early = admin(client, "POST", "/v1/admin/tenants/acme/offboarding")
    assert early.status_code == 409 and early.json_body["errors"][0]["code"] == "tenant_active"
    assert admin(client, "POST", "/v1/admin/tenants/acme/suspend").status_code == 200
    from chalicelib.api import admin as routes

    monkeypatch.setattr(store, "tenant_page", _small_pages(store.tenant_page))
    monkeypatch.setattr(routes, "OFFBOARDING_BUDGET_SECONDS", 0.0)  # a page a call
    answers: list[Any] = []
    while not answers or answers[-1].status_code == 202:  # a request's time at a time
        answers.append(admin(client, "POST", "/v1/admin/tenants/acme/offboarding"))
        assert len(answers) < 500
    done = answers[-1]
    assert done.status_code == 200, done.body
    assert len(answers) > 4  # exported and deleted over several calls, none repeated
    record = done.json_body
    assert record["status"] == "done" and record["startedBy"] == "seed:tenant-a"
    assert record["itemsExported"] == record["itemsDeleted"] >= 3 * 2 + 2  # claims, events, keys

    s3 = boto3.client("s3", region_name="us-east-1")
    bucket = settings().archive_bucket
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=record["exportPrefix"])["Contents"]
    names = [o["Key"][len(record["exportPrefix"]) :] for o in listed]
    assert any(n.startswith("x12/") for n in names)  # the 837 the claims went out in
    lines = [
        line
        for name in names
        if name.startswith("items/")
        for line in s3.get_object(Bucket=bucket, Key=record["exportPrefix"] + name)["Body"]
        .read()
        .decode()
        .splitlines()
    ]
    assert len(lines) == record["itemsExported"]
    assert all(any(claim_id in line for line in lines) for claim_id in ids)

    assert submit(client, key, "OFF-9").status_code == 401  # its keys are gone
    assert admin(client, "GET", "/v1/admin/tenants/acme").status_code == 404
    kept = admin(client, "GET", "/v1/admin/tenants/acme/offboarding")
    assert kept.status_code == 200 and kept.json_body["status"] == "done"
    assert claim(client, mine)["claimId"] == mine  # the other practice keeps everything


def _small_pages(real: Any) -> Any:
    """Pages of a few items, so that the export and the deletion take several calls."""

    def page(tenant_id: str, start: Any, *, limit: int = 500) -> Any:
        return real(tenant_id, start, limit=7)

    return page

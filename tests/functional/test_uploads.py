"""Large files through S3, as a billing service sends them: a file over the direct routes'
limit answers 413 naming /v1/uploads; the announced upload gets a presigned POST scoped to the
tenant and a size; the object's arrival (S3's event through EventBridge, or the `uploads`
schedule when no event came) applies it as the direct route would, once, however many events
arrive and in parallel; progress and result are readable; an upload whose file never comes
expires; another tenant sees nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import boto3
import pytest
from chalice.test import Client

from chalicelib.clock import utcnow
from tests.claim_files import interchange_837p
from tests.functional.conftest import TENANT_B_KEY, contract, headers
from tests.functional.test_clearinghouse_loop import claim, poll, submit
from tests.functional.test_sftp_mailbox import answers_to


def announce(client: Client, kind: str = "remittance", name: str = "big.835") -> dict[str, Any]:
    answer = client.http.post(
        "/v1/uploads", headers=headers(), body=json.dumps({"kind": kind, "fileName": name})
    )
    assert answer.status_code == 201, answer.body
    body: dict[str, Any] = answer.json_body
    return body


def send(upload: dict[str, Any], content: bytes) -> None:
    """What the client's multipart POST does: the object lands under the form's key."""
    from chalicelib.config import settings

    fields = upload["upload"]["fields"]
    boto3.client("s3", region_name="us-east-1").put_object(
        Bucket=settings().archive_bucket,
        Key=fields["key"],
        Body=content,
        ServerSideEncryption=fields["x-amz-server-side-encryption"],
    )


def s3_event(key: str) -> dict[str, Any]:
    return {
        "version": "0",
        "id": "e1",
        "detail-type": "Object Created",
        "source": "aws.s3",
        "account": "123456789012",
        "time": "2026-11-27T12:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": {"bucket": {"name": "claimgate-test-archive"}, "object": {"key": key}},
    }


def deliver_event(key: str) -> None:
    from app import app

    app.handler_map["upload-received"](s3_event(key), None)


def status(client: Client, upload_id: str, key: str | None = None) -> dict[str, Any]:
    answer = client.http.get(f"/v1/uploads/{upload_id}", headers=headers(key) if key else headers())
    assert answer.status_code == 200, answer.body
    body: dict[str, Any] = answer.json_body
    return body


@pytest.fixture
def remittance(client: Client) -> Iterator[tuple[str, bytes]]:
    """A submitted claim and the 835 that pays it."""
    claim_id = submit(client, "claim-basic.json")
    assert poll(client)["failed"] == 0
    sent = client.http.get(f"/v1/claims/{claim_id}/x12", headers=headers()).body
    remit = next(c for _, c in answers_to(sent) if b"*835*" in c)
    yield claim_id, remit


def test_a_file_over_the_direct_limit_is_sent_to_the_upload_route(
    client: Client, monkeypatch: pytest.MonkeyPatch, remittance: tuple[str, bytes]
) -> None:
    from chalicelib.config import settings

    _, remit = remittance
    monkeypatch.setenv("CLAIMGATE_DIRECT_UPLOAD_MAX_BYTES", str(len(remit) - 1))
    settings.cache_clear()
    try:
        answer = client.http.post(
            "/v1/remittances",
            headers=headers(**{"Content-Type": "application/edi-x12"}),
            body=remit,
        )
    finally:
        monkeypatch.delenv("CLAIMGATE_DIRECT_UPLOAD_MAX_BYTES")
        settings.cache_clear()
    assert answer.status_code == 413
    assert answer.json_body["errors"][0]["code"] == "too_large"
    assert "/v1/uploads" in answer.json_body["message"]


def test_an_uploaded_835_is_applied_once_with_progress_to_read(
    client: Client, remittance: tuple[str, bytes]
) -> None:
    claim_id, remit = remittance
    upload = announce(client)
    upload_id = upload["uploadId"]
    fields = upload["upload"]["fields"]
    assert upload["status"] == "awaiting_file"
    assert fields["key"] == f"uploads/tenant-a/{upload_id}"  # the tenant is ours to say
    policy = json.loads(__import__("base64").b64decode(fields["policy"]))
    assert ["content-length-range", 1, upload["upload"]["maxBytes"]] in policy["conditions"]
    assert status(client, upload_id)["status"] == "awaiting_file"

    send(upload, remit)
    deliver_event(fields["key"])
    done = status(client, upload_id)
    assert done["status"] == "applied", done
    assert done["size"] == len(remit)
    assert done["result"]["claimsUpdated"] == 1
    assert claim(client, claim_id)["payments"][0]["paid"] == "149.20"

    deliver_event(fields["key"])  # S3 delivers an event twice: nothing more happens
    assert status(client, upload_id)["finishedAt"] == done["finishedAt"]
    assert len(claim(client, claim_id)["payments"]) == 1

    again = announce(client)  # the same file uploaded a second time
    send(again, remit)
    deliver_event(again["upload"]["fields"]["key"])
    assert status(client, again["uploadId"])["status"] == "duplicate"
    assert len(claim(client, claim_id)["payments"]) == 1


def test_the_schedule_applies_an_upload_whose_event_never_came(
    client: Client, remittance: tuple[str, bytes]
) -> None:
    from chalicelib.services.runs import execute

    claim_id, remit = remittance
    upload = announce(client)
    early = execute("uploads", trigger="manual", clock=lambda: utcnow() + timedelta(minutes=2))
    assert early.failed == 0 and early.acted == 0  # no file yet: it waits
    send(upload, remit)
    run = execute("uploads", trigger="manual", clock=lambda: utcnow() + timedelta(minutes=4))
    assert run.failed == 0, run.errors
    assert run.acted == 1
    assert status(client, upload["uploadId"])["status"] == "applied"
    assert claim(client, claim_id)["payments"][0]["paid"] == "149.20"


def test_an_upload_whose_file_never_comes_expires(client: Client) -> None:
    from chalicelib.services.runs import execute

    upload = announce(client, kind="acknowledgment", name="ack.999")
    execute("uploads", trigger="manual", clock=lambda: utcnow() + timedelta(minutes=30))
    assert status(client, upload["uploadId"])["status"] == "expired"


def test_a_claim_file_upload_queues_its_claims(client: Client) -> None:
    requests = []
    for n in range(3):
        body = contract("claim-basic.json")
        body["claimInformation"]["patientControlNumber"] = f"UPL-{n}"
        requests.append(body)
    text = interchange_837p(requests)
    upload = announce(client, kind="claim-file", name="export.837")
    send(upload, text)
    deliver_event(upload["upload"]["fields"]["key"])
    done = status(client, upload["uploadId"])
    assert done["status"] == "applied", done
    assert (done["result"]["claims"], done["result"]["accepted"]) == (3, 3)
    for claim_id in done["result"]["claimIds"]:
        assert claim(client, claim_id)["status"] == "queued"


def test_uploads_are_the_tenants_own_and_checked(client: Client) -> None:
    upload = announce(client)
    other = client.http.get(f"/v1/uploads/{upload['uploadId']}", headers=headers(TENANT_B_KEY))
    assert other.status_code == 404
    bad = client.http.post("/v1/uploads", headers=headers(), body=json.dumps({"kind": "photos"}))
    assert bad.status_code == 422
    assert bad.json_body["errors"][0]["field"] == "kind"
    deliver_event("uploads/tenant-b/" + upload["uploadId"])  # a key no upload of B's has
    assert status(client, upload["uploadId"])["status"] == "awaiting_file"


def test_what_a_file_record_keeps_is_bounded_by_counts(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A remittance of tens of thousands of claims must still fit one record (400 KB): the
    records keep the first ids and the counts, the duplicate answer says how many."""
    from chalicelib.services import inbound

    monkeypatch.setattr(inbound, "MAX_LISTED", 1)
    requests = []
    for n in range(3):
        body = contract("claim-basic.json")
        body["claimInformation"]["patientControlNumber"] = f"BIG-{n}"
        created = client.http.post("/v1/claims", headers=headers(), body=json.dumps(body))
        assert created.status_code == 201, created.body
        requests.append(body)
    assert poll(client)["failed"] == 0
    remit = next(
        c for _, c in answers_to(interchange_837p(requests, sender="CGTENANTA")) if b"*835*" in c
    )
    x12 = headers(**{"Content-Type": "application/edi-x12"})
    first = client.http.post("/v1/remittances", headers=x12, body=remit)
    assert first.status_code == 200, first.body
    assert len(first.json_body["claimsUpdated"]) == 3  # the answer itself lists them all
    reformatted = client.http.post("/v1/remittances", headers=x12, body=remit.replace(b"~", b"~\n"))
    [earlier] = reformatted.json_body["remittances"]
    assert earlier["duplicate"] is True
    assert len(earlier["claimsPosted"]) == 1
    assert earlier["claimsPostedCount"] == 3


def test_more_claims_than_a_request_can_finish_go_by_upload(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A request has 29 s: a file small in bytes but with more claims than one request can
    post or create in that time is refused whole (413, nothing applied) and pointed to
    /v1/uploads, where the same file is taken."""
    from chalicelib.config import settings

    requests = []
    for n in range(3):
        body = contract("claim-basic.json")
        body["claimInformation"]["patientControlNumber"] = f"MANY-{n}"
        requests.append(body)
    claim_file = interchange_837p(requests)
    x12 = headers(**{"Content-Type": "application/edi-x12"})
    monkeypatch.setenv("CLAIMGATE_DIRECT_MAX_CLAIMS", "2")
    settings.cache_clear()
    try:
        refused = client.http.post("/v1/claim-files", headers=x12, body=claim_file)
        assert refused.status_code == 413, refused.body
        assert refused.json_body["errors"][0]["code"] == "too_many_claims"
        assert "/v1/uploads" in refused.json_body["message"]
        for body in requests:
            created = client.http.post("/v1/claims", headers=headers(), body=json.dumps(body))
            assert created.status_code == 201  # nothing of the refused file was stored
        assert poll(client)["failed"] == 0
        remit = next(
            c
            for _, c in answers_to(interchange_837p(requests, sender="CGTENANTA"))
            if b"*835*" in c
        )
        too_many = client.http.post("/v1/remittances", headers=x12, body=remit)
        assert too_many.status_code == 413, too_many.body
        assert too_many.json_body["status"] == "too_large"
        upload = announce(client)
        send(upload, remit)
        deliver_event(upload["upload"]["fields"]["key"])
        done = status(client, upload["uploadId"])
        assert (done["status"], done["result"]["claimsUpdated"]) == ("applied", 3)
    finally:
        monkeypatch.delenv("CLAIMGATE_DIRECT_MAX_CLAIMS")
        settings.cache_clear()


def test_a_claim_file_too_large_for_one_invocation_is_refused_whole(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its claims are created in one invocation: past the limit nothing is stored and the
    upload says why and what to do."""
    from chalicelib.config import settings

    requests = []
    for n in range(3):
        body = contract("claim-basic.json")
        body["claimInformation"]["patientControlNumber"] = f"HUGE-{n}"
        requests.append(body)
    monkeypatch.setenv("CLAIMGATE_CLAIM_FILE_MAX_CLAIMS", "2")
    settings.cache_clear()
    try:
        upload = announce(client, kind="claim-file", name="export.837")
        send(upload, interchange_837p(requests))
        deliver_event(upload["upload"]["fields"]["key"])
        done = status(client, upload["uploadId"])
    finally:
        monkeypatch.delenv("CLAIMGATE_CLAIM_FILE_MAX_CLAIMS")
        settings.cache_clear()
    assert done["status"] == "refused", done
    [error] = done["result"]["errors"]
    assert error["code"] == "too_many_claims" and "split the file" in error["message"]
    listed = client.http.get("/v1/claims?limit=10", headers=headers()).json_body
    assert listed["claims"] == []

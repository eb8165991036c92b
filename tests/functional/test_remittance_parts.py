"""A large 835 posted in parts over SQS, as a billing service sees it through its upload: the
upload is `posting` with progress while the parts run, `applied` when the last is done; every
claim is paid once, whatever is delivered twice, fails once, or is uploaded twice."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from chalice.test import Client
from moto.core.utils import unix_time_millis

from scripts.local_queues import drain
from tests.claim_files import interchange_837p
from tests.functional.conftest import contract, headers
from tests.functional.test_clearinghouse_loop import claim, poll
from tests.functional.test_sftp_mailbox import answers_to
from tests.functional.test_uploads import announce, deliver_event, send, status

CLAIMS = 7
PARTS = "remittance-parts-worker"


@pytest.fixture
def paid(client: Client, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[list[str], bytes]]:
    """Seven sent claims and the one 835 that pays them; parts of at most two claims."""
    from chalicelib.config import settings

    requests = []
    ids = []
    for n in range(CLAIMS):
        body = contract("claim-basic.json")
        body["claimInformation"]["patientControlNumber"] = f"PART-{n}"
        created = client.http.post("/v1/claims", headers=headers(), body=json.dumps(body))
        assert created.status_code == 201, created.body
        ids.append(created.json_body["claimId"])
        requests.append(body)
    assert poll(client)["failed"] == 0
    remit = next(
        c for _, c in answers_to(interchange_837p(requests, sender="CGTENANTA")) if b"*835*" in c
    )
    monkeypatch.setenv("CLAIMGATE_PART_CLAIMS", "2")
    settings.cache_clear()
    yield ids, remit
    monkeypatch.delenv("CLAIMGATE_PART_CLAIMS")
    settings.cache_clear()


def upload(client: Client, content: bytes) -> str:
    started = announce(client)
    send(started, content)
    deliver_event(started["upload"]["fields"]["key"])
    return str(started["uploadId"])


def payments(client: Client, ids: list[str]) -> list[int]:
    return [len(claim(client, claim_id)["payments"]) for claim_id in ids]


def test_a_large_835_is_posted_in_parts_with_progress_then_applied(
    client: Client, paid: tuple[list[str], bytes]
) -> None:
    ids, remit = paid
    upload_id = upload(client, remit)
    started = status(client, upload_id)
    assert started["status"] == "posting", started
    assert started["result"]["progress"]["partsTotal"] == 4  # 7 claims, 2 a part
    assert started["result"]["progress"]["partsDone"] == 0
    assert payments(client, ids) == [0] * CLAIMS  # nothing posted by the upload itself

    assert drain(PARTS, limit=1) == (1, 0)
    halfway = status(client, upload_id)
    assert halfway["status"] == "posting"
    assert halfway["result"]["progress"]["partsDone"] == 1
    assert halfway["result"]["progress"]["claimsPosted"] == 2

    assert drain(PARTS) == (3, 0)
    done = status(client, upload_id)
    assert done["status"] == "applied", done
    assert done["result"]["claimsUpdated"] == CLAIMS
    assert done["result"]["parts"] == 4
    [remittance] = done["result"]["remittances"]
    assert (remittance["state"], remittance["claims"]) == ("posted", CLAIMS)
    assert payments(client, ids) == [1] * CLAIMS
    paid_in_parts = [claim(client, i)["payments"][0]["paid"] for i in ids]
    assert all(Decimal(amount) > 0 for amount in paid_in_parts)

    again = upload(client, remit)  # the same file once more: nothing is posted twice
    assert status(client, again)["status"] == "duplicate"
    assert drain(PARTS) == (0, 0)
    assert payments(client, ids) == [1] * CLAIMS


def test_a_part_delivered_twice_posts_once(
    client: Client, paid: tuple[list[str], bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.clock import utcnow
    from chalicelib.services import uploads
    from chalicelib.services.remittance_parts import post_part

    sent: list[str] = []  # what the upload sends to the queue, delivered here by hand
    monkeypatch.setattr(uploads, "send_part_messages", sent.extend)
    ids, remit = paid
    upload_id = upload(client, remit)
    assert len(sent) == 4
    assert post_part(sent[0], now=utcnow()) == "posted"
    assert post_part(sent[0], now=utcnow()) == "skipped"
    for body in sent[1:]:
        assert post_part(body, now=utcnow()) == "posted"
    assert status(client, upload_id)["status"] == "applied"
    assert payments(client, ids) == [1] * CLAIMS
    assert all(post_part(body, now=utcnow()) == "skipped" for body in sent)


def test_a_part_that_fails_names_its_claims_and_is_retried(
    client: Client, paid: tuple[list[str], bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.services import inbound

    ids, remit = paid
    real = inbound._post_payment
    failing = {ids[3]}

    def flaky(tenant_id: str, record: Any, *args: Any, **kwargs: Any) -> int:
        if record.claim_id in failing:
            failing.discard(record.claim_id)  # once
            raise ConnectionError("the table did not answer")
        return real(tenant_id, record, *args, **kwargs)

    monkeypatch.setattr(inbound, "_post_payment", flaky)
    upload_id = upload(client, remit)
    assert drain(PARTS, limit=4) == (3, 1)  # the part holding claim 3 failed, the others ran
    waiting = status(client, upload_id)
    assert waiting["status"] == "posting"
    progress = waiting["result"]["progress"]
    assert progress["partsDone"] == 3
    assert progress["failedParts"] == [{"part": "0:1", "claimIds": [ids[3]]}]
    worklist = client.http.get("/v1/worklist?kind=inbound_file_error", headers=headers())
    [listed] = worklist.json_body["items"]
    assert "part 2 of 4" in listed["detail"]

    later = unix_time_millis() + 60_000  # past the queue's visibility timeout
    monkeypatch.setattr("moto.sqs.models.unix_time_millis", lambda: later)
    assert drain(PARTS) == (1, 0)  # SQS gives the part again: it succeeds
    done = status(client, upload_id)
    assert done["status"] == "applied", done
    assert payments(client, ids) == [1] * CLAIMS  # claim 2, posted before, not twice
    worklist = client.http.get("/v1/worklist?kind=inbound_file_error", headers=headers())
    assert worklist.json_body["items"] == []


def test_two_uploads_of_one_large_file_post_it_once(
    client: Client, paid: tuple[list[str], bytes]
) -> None:
    ids, remit = paid
    first = upload(client, remit)
    second = upload(client, remit)
    behind = status(client, second)
    assert behind["status"] == "in_progress"  # the first holds the file
    assert behind["result"]["progress"]["partsTotal"] == 4  # and its progress shows
    drain(PARTS)
    assert status(client, first)["status"] == "applied"
    assert payments(client, ids) == [1] * CLAIMS


def test_a_small_file_is_still_posted_at_once(client: Client) -> None:
    """Below one part's size nothing changes: the upload is applied as it arrives."""
    requests = []
    for n in range(2):
        body = contract("claim-basic.json")
        body["claimInformation"]["patientControlNumber"] = f"SMALL-{n}"
        created = client.http.post("/v1/claims", headers=headers(), body=json.dumps(body))
        assert created.status_code == 201
        requests.append(body)
    assert poll(client)["failed"] == 0
    remit = next(
        c for _, c in answers_to(interchange_837p(requests, sender="CGTENANTA")) if b"*835*" in c
    )
    upload_id = upload(client, remit)
    assert status(client, upload_id)["status"] == "applied"
    assert drain(PARTS) == (0, 0)

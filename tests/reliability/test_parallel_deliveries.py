"""Deliveries that arrive together, as S3 and clearinghouses send them (at least once, and
retried while the first is still being applied): eight pushes of one report post one payment;
S3 events and the uploads schedule at once apply an uploaded file once. Threads against the
Chalice test client on moto, made atomic per request like the real services
(tests/reliability/conftest.py)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from chalice.test import Client

from chalicelib.clock import utcnow
from tests.claims_api_server import ClaimsApiServer
from tests.functional.test_claims_api_loop import api, push, sent_and_remitted, server
from tests.functional.test_clearinghouse_loop import claim
from tests.functional.test_remittance_parts import paid, payments, upload
from tests.functional.test_uploads import announce, deliver_event, remittance, send, status

__all__ = ["api", "paid", "remittance", "server"]


def test_the_same_report_pushed_in_parallel_is_applied_once(
    client: Client, api: ClaimsApiServer
) -> None:
    """A clearinghouse that retries its push while the first is still being applied: eight
    deliveries at once post one payment."""
    inbound_url, claim_id, remit = sent_and_remitted(client, api)
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: push(client, inbound_url, remit), range(8)))
    statuses = sorted(a.json_body["status"] for a in answers)
    assert statuses.count("applied") == 1, statuses
    assert set(statuses) <= {"applied", "duplicate", "in_progress"}
    assert len(claim(client, claim_id)["payments"]) == 1


def test_events_and_the_schedule_at_once_apply_the_file_once(
    client: Client, remittance: tuple[str, bytes]
) -> None:
    from chalicelib.services.runs import execute

    claim_id, remit = remittance
    upload = announce(client)
    send(upload, remit)
    key = upload["upload"]["fields"]["key"]
    later = utcnow() + timedelta(minutes=2)

    def one(n: int) -> None:
        if n % 2:
            deliver_event(key)
        else:
            execute("uploads", trigger="manual", clock=lambda: later)

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(one, range(6)))
    assert status(client, upload["uploadId"])["status"] == "applied"
    assert len(claim(client, claim_id)["payments"]) == 1


def test_parts_of_a_large_835_delivered_many_times_at_once_post_each_claim_once(
    client: Client, paid: tuple[list[str], bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQS delivers each part at least once, and Lambda runs them side by side: every part
    three times at once, in any order, posts each claim once, counts each part once, and
    applies the file once."""
    from chalicelib.services import uploads
    from chalicelib.services.remittance_parts import post_part

    sent: list[str] = []
    monkeypatch.setattr(uploads, "send_part_messages", sent.extend)
    ids, remit = paid
    upload_id = upload(client, remit)
    assert len(sent) == 4
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(lambda body: post_part(body, now=utcnow()), sent * 3))
    assert outcomes.count("posted") == 4, outcomes
    done = status(client, upload_id)
    assert done["status"] == "applied", done
    assert (done["result"]["claimsUpdated"], done["result"]["parts"]) == (len(ids), 4)
    assert payments(client, ids) == [1] * len(ids)

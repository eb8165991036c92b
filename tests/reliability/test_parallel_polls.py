"""Parallel and repeated clearinghouse polls: each claim is in exactly one interchange, sent
once and posted once, whatever the overlap (issue: exactly once under concurrency)."""

from __future__ import annotations

from collections import Counter

import pytest
from chalice.test import Client

from tests.functional.conftest import headers
from tests.reliability.harness import claim, events_of, in_parallel, poll, submit_claims


def _batches(tenant_id: str) -> list[tuple[str, str, tuple[str, ...]]]:
    from chalicelib.store.models import BatchItem, Item

    return [
        (item.batch_id, item.status, tuple(item.claim_ids or ()))
        for item in Item.scan(Item.pk.startswith(f"T#{tenant_id}#BATCH#"))
        if isinstance(item, BatchItem)
    ]


def _assert_each_claim_once(client: Client, ids: list[str]) -> None:
    membership = Counter(
        claim_id
        for _, status, claim_ids in _batches("tenant-a")
        if status in ("pending", "sent")
        for claim_id in claim_ids
    )
    assert {claim_id: membership[claim_id] for claim_id in ids} == dict.fromkeys(ids, 1)
    for claim_id in ids:
        body = claim(client, claim_id)
        events = Counter(h["event"] for h in body["history"])
        assert events["sent"] == 1, body["history"]
        assert len(body["payments"]) == 1, body["payments"]
        assert body["status"] in ("paid", "partially_paid")


def test_parallel_manual_runs_send_each_claim_in_one_interchange_and_post_it_once(
    client: Client,
) -> None:
    ids = submit_claims(client, 30)
    for _ in range(2):  # the first round sends, the second posts the 835s
        runs = in_parallel([lambda: poll(client)] * 5)
        assert all(r["endedAt"] for r in runs)
        assert not [e for r in runs for e in r["errors"]], [r["errors"] for r in runs]
    poll(client)  # whatever a skipped tenant left is taken by the next run, once
    _assert_each_claim_once(client, ids)


def test_duplicate_schedule_deliveries_act_once(client: Client) -> None:
    """EventBridge delivers a scheduled event at least once: the same event twice, at once."""
    ids = submit_claims(client, 8)
    event = client.events.generate_cw_event(
        source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
    )
    for _ in range(2):
        in_parallel([lambda: client.lambda_.invoke("clearinghouse-poll", event)] * 3)
    poll(client)
    _assert_each_claim_once(client, ids)


def test_a_run_skips_a_tenant_another_run_holds_and_says_so(client: Client) -> None:
    from datetime import timedelta

    from chalicelib.clock import utcnow
    from chalicelib.store.leases import acquire_lease, release_lease

    [claim_id] = submit_claims(client, 1)
    assert acquire_lease(
        "clearinghouse-poll#tenant-a", "run_other", now=utcnow(), ttl=timedelta(minutes=15)
    )
    run = poll(client)
    assert run["counts"]["tenants_held_by_another_run"] == 1
    assert claim(client, claim_id)["status"] == "queued"
    release_lease("clearinghouse-poll#tenant-a", "run_other")
    poll(client)
    assert events_of(client, claim_id)["sent"] == 1


def test_an_expired_lease_is_taken_over() -> None:
    """A run that crashed does not hold its tenant forever."""
    from datetime import UTC, datetime, timedelta

    from moto import mock_aws

    with mock_aws():
        from chalicelib import wiring
        from chalicelib.store.bootstrap import create_storage
        from chalicelib.store.leases import acquire_lease

        wiring.reset()
        create_storage()
        now = datetime(2026, 12, 1, tzinfo=UTC)
        ttl = timedelta(minutes=15)
        assert acquire_lease("poll#t", "run_1", now=now, ttl=ttl)
        assert not acquire_lease("poll#t", "run_2", now=now + timedelta(minutes=14), ttl=ttl)
        assert acquire_lease("poll#t", "run_1", now=now + timedelta(minutes=1), ttl=ttl)
        assert acquire_lease("poll#t", "run_2", now=now + timedelta(minutes=17), ttl=ttl)


def test_an_interchange_whose_sender_died_while_forming_is_finished_by_the_next_run(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run that died after its claims joined a batch but before it was sent: the batch is
    taken over when its lease ends and sent with exactly the claims that joined."""
    from datetime import timedelta

    from chalicelib.clock import utcnow
    from chalicelib.services import submission
    from chalicelib.services.runs import execute

    ids = submit_claims(client, 3)

    def die(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the function timed out")

    monkeypatch.setattr(submission, "_finish_forming", die)
    crashed = poll(client)
    monkeypatch.undo()
    assert any(e["code"] == "tenant_error" for e in crashed["errors"])
    [(batch_id, status, members)] = _batches("tenant-a")
    assert status == "forming" and set(members) == set(ids)
    assert all(claim(client, i)["status"] == "queued" for i in ids)
    poll(client)  # within the lease: nobody touches it
    assert _batches("tenant-a")[0][1] == "forming"
    later = utcnow() + submission.OWNER_LEASE + timedelta(minutes=1)
    execute("clearinghouse-poll", trigger="manual", clock=lambda: later)
    assert [b[:2] for b in _batches("tenant-a")] == [(batch_id, "sent")]
    for claim_id in ids:
        assert events_of(client, claim_id)["sent"] == 1


def test_one_claim_that_cannot_be_sent_does_not_hold_back_its_batch(client: Client) -> None:
    """A stored claim that cannot be read (damaged by hand, or by a bug: a birth date that
    is not a date) fails alone in the run, by id, and is set aside on the worklist; the good
    claims queued beside it are sent."""
    from chalicelib.store.claims import CLAIM_SK, claim_pk
    from chalicelib.store.models import ClaimItem

    good = submit_claims(client, 4, prefix="GOOD")
    [bad] = submit_claims(client, 1, prefix="BAD")
    item = ClaimItem.get(claim_pk("tenant-a", bad), CLAIM_SK)
    stored = dict(item.claim)
    stored["subscriber"] = {**stored["subscriber"], "date_of_birth": "9991231"}
    item.update(actions=[ClaimItem.claim.set(stored)])

    run = poll(client)
    assert [(e["claimId"], e["code"]) for e in run["errors"]] == [(bad, "claim_unreadable")]
    for claim_id in good:
        assert claim(client, claim_id)["status"] == "accepted"
    worklist = client.http.get("/v1/worklist?kind=claim_unreadable", headers=headers()).json_body
    [entry] = worklist["items"]
    assert entry["claimId"] == bad
    assert "subscriber.date_of_birth" in entry["detail"]
    assert poll(client)["failed"] == 0  # it does not come back on every run

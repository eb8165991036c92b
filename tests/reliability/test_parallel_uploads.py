"""The same 835 or 277CA delivered many times at once, identical or re-encoded, is applied once:
one payment, one acceptance; losers answer with the winner's result or 202, never post."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import pytest
from chalice.test import Client

from tests.reliability.harness import (
    HoldingGateway,
    claim,
    events_of,
    in_parallel,
    poll,
    submit_claims,
    upload,
)


def _reencoded(content: bytes) -> bytes:
    """The same interchange, another encoding of it: a line break after every segment."""
    return content.replace(b"~", b"~\r\n")


def _held_835(client: Client, holding: Callable[[frozenset[str]], HoldingGateway]) -> bytes:
    gateway = holding(frozenset({"835"}))
    poll(client)  # sent, acknowledged
    poll(client)  # adjudicated: the 835 is held back
    [content] = gateway.held_of("835")
    return content


def test_identical_835_uploaded_in_parallel_posts_once(
    client: Client, holding: Callable[[frozenset[str]], HoldingGateway]
) -> None:
    ids = submit_claims(client, 3)
    content = _held_835(client, holding)
    answers = in_parallel([lambda: upload(client, "/v1/remittances", content)] * 10)
    assert {status for status, _ in answers} <= {200, 202}, answers
    applied = [body for status, body in answers if body["status"] == "applied"]
    assert len(applied) == 1
    assert sorted(applied[0]["claimsUpdated"]) == sorted(ids)
    for claim_id in ids:
        assert len(claim(client, claim_id)["payments"]) == 1
        events = events_of(client, claim_id)
        assert events["remit_paid"] + events["remit_partial"] == 1
    status, again = upload(client, "/v1/remittances", content)
    assert (status, again["status"]) == (200, "duplicate")


def test_reencoded_copies_of_one_835_uploaded_in_parallel_post_once(
    client: Client, holding: Callable[[frozenset[str]], HoldingGateway]
) -> None:
    ids = submit_claims(client, 2)
    content = _held_835(client, holding)
    variants = [content, _reencoded(content), content.replace(b"~", b"~\n"), content + b"\n"]
    answers = in_parallel([partial(upload, client, "/v1/remittances", v) for v in variants * 3])
    assert {status for status, _ in answers} <= {200, 202}, answers
    for claim_id in ids:
        assert len(claim(client, claim_id)["payments"]) == 1


def test_277ca_uploaded_in_parallel_accepts_once(
    client: Client, holding: Callable[[frozenset[str]], HoldingGateway]
) -> None:
    ids = submit_claims(client, 3)
    gateway = holding(frozenset({"277CA"}))
    poll(client)
    [content] = gateway.held_of("277CA")
    variants = [content, _reencoded(content)]
    answers = in_parallel([partial(upload, client, "/v1/acknowledgments", v) for v in variants * 5])
    assert {status for status, _ in answers} <= {200, 202}, answers
    for claim_id in ids:
        assert events_of(client, claim_id)["payer_accepted"] == 1
        assert claim(client, claim_id)["status"] == "accepted"


def test_a_delivery_that_failed_half_way_is_resumed_without_posting_twice(
    client: Client,
    holding: Callable[[frozenset[str]], HoldingGateway],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Posting the second claim of the 835 fails: the first and third are posted anyway (one
    claim never blocks the others), the file is answered 500 and listed, and the remittance
    stays open; the next delivery posts the missing one and skips those already posted (their
    payment keys are on the claims)."""
    from chalicelib.claims.variance import check_payment as original

    ids = submit_claims(client, 3)
    content = _held_835(client, holding)
    calls = 0

    def fails_on_the_second_claim(*args: object, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("the function ran out of time")
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("chalicelib.services.inbound.check_payment", fails_on_the_second_claim)
    status, first = upload(client, "/v1/remittances", content)
    monkeypatch.undo()
    assert (status, first["status"]) == (500, "failed")
    assert [e["code"] for e in first["errors"]] == ["posting_failed", "apply_failed"]
    assert [len(claim(client, i)["payments"]) for i in ids] == [1, 0, 1]

    status, second = upload(client, "/v1/remittances", content)
    assert (status, second["status"]) == (200, "applied")
    for claim_id in ids:
        assert len(claim(client, claim_id)["payments"]) == 1


def test_a_999_seen_before_is_still_the_wrong_file_for_the_remittance_route(
    client: Client, holding: Callable[[frozenset[str]], HoldingGateway]
) -> None:
    submit_claims(client, 1)
    gateway = holding(frozenset({"999"}))
    poll(client)
    [ack] = gateway.held_of("999")
    assert upload(client, "/v1/acknowledgments", ack)[0] == 200
    status, body = upload(client, "/v1/remittances", ack)
    assert status == 422
    assert [e["code"] for e in body["errors"]] == ["wrong_file_type"]

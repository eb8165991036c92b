"""The store's codec: every domain value it keeps comes back equal through JSON, and what it
did not write is refused with the path of the problem."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings

from chalicelib.claims.lifecycle import Event, Status
from chalicelib.claims.model import Claim
from chalicelib.claims.records import ClaimEvent
from chalicelib.claims.work_items import WorklistItem
from chalicelib.codec import CodecError, decode, encode
from tests.strategies import claims


@settings(max_examples=60, deadline=None)
@given(claims())
def test_store_codec_claim_round_trips_through_json(claim: Claim) -> None:
    stored = json.loads(json.dumps(encode(claim)))
    assert decode(Claim, stored) == claim


def test_store_codec_leaves_defaults_out_and_reads_them_back() -> None:
    item = WorklistItem(
        kind="denied",
        claim_id="c1",
        payer_id="SBX01",
        since=datetime(2026, 12, 1, tzinfo=UTC),
        codes=("CO-16",),
        suggested_action="correct and resubmit",
        detail="denied",
        amount=Decimal("12.50"),
    )
    stored = encode(item)
    assert "reference" not in stored  # its default
    assert stored["amount"] == "12.50" and stored["since"] == "2026-12-01T00:00:00+00:00"
    assert decode(WorklistItem, stored) == item


def test_store_codec_enums_and_mappings() -> None:
    event = ClaimEvent(
        seq=2,
        at=datetime(2026, 12, 1, 9, tzinfo=UTC),
        source="835",
        event=Event.REMIT_PAID,
        from_status=Status.ACCEPTED,
        to_status=Status.PAID,
        codes=("CO-45",),
        detail={"traceNumber": "T1"},
    )
    stored = encode(event)
    assert (stored["event"], stored["to_status"]) == ("remit_paid", "paid")
    assert decode(ClaimEvent, json.loads(json.dumps(stored))) == event


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"amount": 12.5}, "amount: expected an amount as text"),
        ({"amount": "NaN"}, "amount"),
        ({"since": "yesterday"}, "since: 'yesterday' is not a date and time"),
        ({"codes": "CO-16"}, "codes: expected a list"),
        ({"codes": ["CO-16", 7]}, r"codes\[1\]: expected text"),
        ({"colour": "red"}, "unknown field 'colour'"),
        ({"kind": "nonsense"}, "not a valid WorklistItem"),
    ],
)
def test_store_codec_refuses_what_it_did_not_write(change: dict[str, object], path: str) -> None:
    stored: dict[str, object] = {
        "kind": "denied",
        "claim_id": "c1",
        "payer_id": "SBX01",
        "since": "2026-12-01T00:00:00+00:00",
        "codes": [],
        "suggested_action": "review",
        "detail": "",
        "amount": None,
    }
    with pytest.raises(CodecError, match=path):
        decode(WorklistItem, {**stored, **change})
    del stored["detail"]
    with pytest.raises(CodecError, match="detail: missing"):
        decode(WorklistItem, stored)

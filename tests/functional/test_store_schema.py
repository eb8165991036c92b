"""Claim items written by schema 1 (the API request kept as the claim; captured from the code
of November 2026 in tests/fixtures/store) are still read, shown as they were, worked on, and
written back in schema 2. A deployed table holds such items."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from chalice.test import Client

from tests.functional.conftest import headers

FIXTURES = Path(__file__).parent.parent / "fixtures" / "store"


def load_v1_items(*, due_long_ago: bool = False) -> list[dict[str, Any]]:
    """Put the captured schema-1 items (claims and their events) into the table as they were
    (`due_long_ago`: with what is due made due before the test clock's start)."""
    from chalicelib.store.connection import dynamodb_client
    from chalicelib.store.models import Item

    items: list[dict[str, Any]] = json.loads((FIXTURES / "claims_v1.json").read_text())
    for item in items:
        if due_long_ago and "due_sk" in item:
            rest = item["due_sk"]["S"].split("#", 1)[1]
            item["due_sk"] = {"S": f"2026-11-01T00:00:00.000000+00:00#{rest}"}
        dynamodb_client().put_item(TableName=Item.Meta.table_name, Item=item)
    return [i for i in items if i["sk"]["S"] == "#CLAIM"]


def test_schema_1_claims_read_exactly_as_the_api_showed_them(client: Client) -> None:
    claims = load_v1_items()
    shown = json.loads((FIXTURES / "claims_v1_api.json").read_text())
    assert len(claims) == len(shown) == 5
    for claim_id, before in shown.items():
        response = client.http.get(f"/v1/claims/{claim_id}", headers=headers())
        assert response.status_code == 200, response.body
        shown = response.json_body
        for entry in shown["history"]:
            del entry["detail"]  # shown since December 2026; schema 1 kept it all along
            # who caused an event is kept since December 2026: the old ones name nobody
            assert (entry.pop("actor"), entry.pop("actorName")) == (None, None)
        # what happens next is shown since December 2026 (read from the due index's keys)
        shown.pop("nextAction"), shown.pop("dueAt")
        assert shown == before, claim_id


def test_schema_1_worklist_reads_as_before(client: Client) -> None:
    load_v1_items()
    before = json.loads((FIXTURES / "worklist_v1_api.json").read_text())
    assert before["items"]
    now = client.http.get("/v1/worklist", headers=headers()).json_body
    # Keys added since (an id to act on, assignee, notes ...) aside, the same entries.
    old_keys = before["items"][0].keys()
    now["items"] = [{k: v for k, v in item.items() if k in old_keys} for item in now["items"]]
    assert now == before


def test_schema_1_claim_is_written_back_in_schema_2_when_it_changes(client: Client) -> None:
    from chalicelib.store.claims import CLAIM_SK, SCHEMA, load_claim
    from chalicelib.store.models import ClaimItem

    queued = [c for c in load_v1_items(due_long_ago=True) if c["status"]["S"] == "queued"]
    assert queued
    claim_id = queued[0]["claim_id"]["S"]
    pk = queued[0]["pk"]["S"]
    before = load_claim("tenant-a", claim_id)
    assert before is not None
    assert ClaimItem.get(pk, CLAIM_SK).schema is None

    run = client.http.post("/v1/schedules/clearinghouse-poll/runs", headers=headers())
    assert run.status_code == 201 and run.json_body["failed"] == 0, run.body

    item = ClaimItem.get(pk, CLAIM_SK)
    assert item.schema == SCHEMA and item.claim and item.body is None
    after = load_claim("tenant-a", claim_id)
    assert after is not None and after.status.value == "accepted"
    assert after.claim == before.claim  # the same claim, now typed on the item
    sent = client.http.get(f"/v1/claims/{claim_id}/x12", headers=headers())
    assert sent.status_code == 200
    assert "CLM*" in sent.body.decode()

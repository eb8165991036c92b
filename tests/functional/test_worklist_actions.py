"""Working the worklist through the API: each entry names what to act on, and can be
assigned, noted, snoozed and resolved (two people at once: tests/reliability)."""

from __future__ import annotations

import json
from typing import Any

from chalice.test import Client

from tests.conftest import X12_SAMPLES
from tests.functional.conftest import contract, headers


def poll(client: Client) -> None:
    run = client.http.post("/v1/schedules/clearinghouse-poll/runs", headers=headers()).json_body
    assert run["failed"] == 0, run["errors"]


def listed(client: Client, query: str = "") -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = client.http.get(
        f"/v1/worklist{query}", headers=headers()
    ).json_body["items"]
    return items


def act(client: Client, item_id: str, body: dict[str, Any]) -> Any:
    return client.http.post(
        f"/v1/worklist/{item_id}/actions", headers=headers(), body=json.dumps(body)
    )


def underpaid_item(client: Client) -> dict[str, Any]:
    client.http.post("/v1/claims", headers=headers(), body=json.dumps(contract("claim-basic.json")))
    poll(client)
    poll(client)
    [item] = listed(client, "?kind=underpaid")
    return item


def test_an_entry_is_assigned_noted_snoozed_and_resolved(client: Client) -> None:
    item = underpaid_item(client)
    assert item["patientControlNumber"] == "MSFP-2026-0001"
    assert item["deadline"] == "2027-05-26"  # the 835 of 2026-11-27 + SBX01's 180-day window
    assert "allowed" in item["detail"]
    assert act(client, item["id"], {"action": "assign", "assignee": "kim"}).status_code == 204
    assert [i["id"] for i in listed(client, "?assignee=kim")] == [item["id"]]
    assert listed(client, "?assignee=lee") == []
    note = {"action": "note", "note": "called the payer, ref 123"}
    assert act(client, item["id"], note).status_code == 204
    [noted] = listed(client, "?kind=underpaid")
    assert [n["text"] for n in noted["notes"]] == ["called the payer, ref 123"]
    snooze = {"action": "snooze", "until": "2099-01-01T00:00:00Z"}
    assert act(client, item["id"], snooze).status_code == 204
    assert listed(client, "?kind=underpaid") == []
    assert len(listed(client, "?kind=underpaid&includeSnoozed=true")) == 1
    resolve = {"action": "resolve", "outcome": "appeal sent"}
    assert act(client, item["id"], resolve).status_code == 204
    assert act(client, item["id"], resolve).status_code == 409  # resolved already
    assert listed(client, "?kind=underpaid&includeSnoozed=true") == []


def test_bad_actions_are_named(client: Client) -> None:
    item = underpaid_item(client)
    response = act(client, item["id"], {"action": "assign"})
    assert response.status_code == 422 and response.json_body["errors"][0]["field"] == "assignee"
    response = act(client, item["id"], {"action": "shout"})
    assert response.status_code == 422 and response.json_body["errors"][0]["field"] == "action"
    assert act(client, "c.clm_nope.underpaid", {"action": "resolve"}).status_code == 404


def test_unmatched_payments_name_their_trace_and_file_and_are_resolved_once(
    client: Client,
) -> None:
    body = (X12_SAMPLES / "835" / "managed-care.835").read_bytes()
    x12 = headers(**{"Content-Type": "application/edi-x12"})
    client.http.post("/v1/remittances", headers=x12, body=body)
    items = listed(client, "?kind=unmatched_remittance")
    assert items and all(i["traceNumber"] and i["file"] for i in items)
    first = items[0]["id"]
    assert act(client, first, {"action": "resolve", "outcome": "returned"}).status_code == 204
    assert act(client, first, {"action": "resolve"}).status_code == 409
    assert first not in [i["id"] for i in listed(client, "?kind=unmatched_remittance")]


def test_statuses_for_unknown_claims_are_not_payments(client: Client) -> None:
    x12 = headers(**{"Content-Type": "application/edi-x12"})
    for sample in sorted((X12_SAMPLES / "277CA").iterdir())[:2]:
        client.http.post("/v1/acknowledgments", headers=x12, body=sample.read_bytes())
    kinds = {i["kind"] for i in listed(client)}
    assert "unmatched_remittance" not in kinds
    assert "unmatched_status" in kinds


def test_limit_is_honoured_with_a_cursor(client: Client) -> None:
    body = (X12_SAMPLES / "835" / "managed-care.835").read_bytes()
    client.http.post(
        "/v1/remittances", headers=headers(**{"Content-Type": "application/edi-x12"}), body=body
    )
    page = client.http.get("/v1/worklist?limit=1", headers=headers()).json_body
    assert len(page["items"]) <= 1 and page["cursor"]

"""Paper claims under overlapping polls: each claim of a paper-only payer is printed into the
queue once and sent once, and an item is marked printed once, whatever runs at the same time."""

from __future__ import annotations

import json
from collections import Counter

from chalice.test import Client

from tests.functional.conftest import headers
from tests.reliability.harness import events_of, in_parallel, poll, submit_claims


def _paper_only(client: Client) -> None:
    policy = client.http.get("/v1/payers/SBX01", headers=headers()).json_body["policy"]
    response = client.http.put(
        "/v1/payers/SBX01",
        headers=headers(),
        body=json.dumps({"policy": {**policy, "paperOnly": True}}),
    )
    assert response.status_code == 200, response.body


def test_parallel_polls_print_each_paper_claim_once(client: Client) -> None:
    _paper_only(client)
    ids = submit_claims(client, 12, prefix="PAPER")
    event = client.events.generate_cw_event(
        source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
    )
    runs = in_parallel([lambda: poll(client)] * 4)
    assert not [e for r in runs for e in r["errors"]], [r["errors"] for r in runs]
    in_parallel([lambda: client.lambda_.invoke("clearinghouse-poll", event)] * 3)
    poll(client)  # whatever a skipped tenant left is taken by the next run, once
    items = client.http.get("/v1/print-queue", headers=headers()).json_body["items"]
    assert Counter(i["claimId"] for i in items) == dict.fromkeys(ids, 1)
    for claim_id in ids:
        assert events_of(client, claim_id)["sent"] == 1

    item_id = items[0]["itemId"]
    answers = in_parallel(
        [
            lambda: client.http.post(f"/v1/print-queue/{item_id}/printed", headers=headers())
            for _ in range(4)
        ]
    )
    assert sorted(a.status_code for a in answers) == [200, 409, 409, 409]


def test_the_same_paper_eob_posted_at_once_is_posted_once(client: Client) -> None:
    from tests.functional.test_paper_claims import eob

    _paper_only(client)
    [claim_id] = submit_claims(client, 1, prefix="EOB")
    poll(client)
    body = json.dumps(eob(claim_id))
    answers = in_parallel(
        [
            lambda: client.http.post("/v1/remittances/manual", headers=headers(), body=body)
            for _ in range(4)
        ]
    )
    assert sorted(a.status_code for a in answers) == [201, 409, 409, 409]
    shown = client.http.get(f"/v1/claims/{claim_id}", headers=headers()).json_body
    assert len(shown["payments"]) == 1 and shown["status"] == "paid"
    assert events_of(client, claim_id)["remit_paid"] == 1
    # The check is one deposit in the cash report, its claim counted once.
    cash = client.http.get(
        "/v1/reports/cash?from=2026-12-01&to=2026-12-31", headers=headers()
    ).json_body
    [check] = [d for d in cash["deposits"] if d["traceNumber"] == "100482"]
    assert check["amount"] == "190.00"

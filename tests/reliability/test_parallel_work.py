"""Two people at once on the same claim: two corrections, two resolutions of one worklist
entry. One wins; the other is told (409), and the history shows one change."""

from __future__ import annotations

import json

from chalice.test import Client

from tests.functional.conftest import headers
from tests.functional.test_corrections import claim, put, rejected_claim
from tests.functional.test_worklist_actions import act, listed, underpaid_item

from .harness import in_parallel


def test_two_corrections_at_once_one_wins(client: Client) -> None:
    claim_id, body = rejected_claim(client)
    first = json.loads(json.dumps(body))
    first["subscriber"]["memberId"] = "W123456789"
    second = json.loads(json.dumps(body))
    second["subscriber"]["memberId"] = "W987654321"
    answers = in_parallel(
        [lambda: put(client, claim_id, first), lambda: put(client, claim_id, second)]
    )
    assert sorted(a.status_code for a in answers) == [200, 409]
    history = claim(client, claim_id)["history"]
    assert [h["event"] for h in history].count("resubmit") == 1


def test_two_resolutions_of_one_entry_one_wins(client: Client) -> None:
    item = underpaid_item(client)
    resolve = {"action": "resolve", "outcome": "appeal sent"}
    answers = in_parallel([lambda: act(client, item["id"], resolve) for _ in range(4)])
    assert sorted(a.status_code for a in answers) == [204, 409, 409, 409]
    assert listed(client, "?kind=underpaid&includeSnoozed=true") == []
    events = client.http.get(f"/v1/claims/{item['claimId']}", headers=headers()).json_body
    resolutions = [h for h in events["history"] if h["codes"] == ["worklist:resolve"]]
    assert len(resolutions) == 1

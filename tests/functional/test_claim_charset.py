"""A patient named Nuñez from Đà Nẵng: valid, with a warning per transliterated field, and
written into the 837P in the X12 character set."""

from __future__ import annotations

import json

from chalice.test import Client

from tests.functional.conftest import contract, headers
from tests.pyx12_oracle import validate


def test_names_outside_the_x12_character_set_are_transliterated(client: Client) -> None:
    body = contract("claim-basic.json")
    body["subscriber"]["lastName"] = "Nuñez"
    body["subscriber"]["address"]["city"] = "Đà Nẵng"
    checked = client.http.post("/v1/claims/validate", headers=headers(), body=json.dumps(body))
    assert checked.json_body["valid"] is True
    warnings = {(w["field"], w["code"]) for w in checked.json_body["warnings"]}
    assert warnings == {
        ("subscriber.lastName", "x12_text_transliterated"),
        ("subscriber.address.city", "x12_text_transliterated"),
    }
    created = client.http.post("/v1/claims", headers=headers(), body=json.dumps(body))
    assert created.status_code == 201
    claim_id = created.json_body["claimId"]
    assert {w["code"] for w in created.json_body["warnings"]} == {"x12_text_transliterated"}
    run = client.http.post("/v1/schedules/clearinghouse-poll/runs", headers=headers())
    assert run.json_body["failed"] == 0, run.body
    x12 = client.http.get(f"/v1/claims/{claim_id}/x12", headers=headers()).body.decode()
    assert "NM1*IL*1*Nunez*Ada" in x12 and "N4*Da Nang*IL*" in x12
    assert validate(x12) == []
    shown = client.http.get(f"/v1/claims/{claim_id}", headers=headers()).json_body
    assert shown["claim"]["subscriber"]["lastName"] == "Nuñez"  # kept as the practice sent it


def test_a_name_with_nothing_x12_can_carry_is_refused(client: Client) -> None:
    body = contract("claim-basic.json")
    body["subscriber"]["firstName"] = "李"
    response = client.http.post("/v1/claims", headers=headers(), body=json.dumps(body))
    assert response.status_code == 422
    [error] = response.json_body["errors"]
    assert (error["field"], error["code"]) == ("subscriber.firstName", "x12_text_unwritable")

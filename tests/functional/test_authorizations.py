"""Prior authorizations through the API: recorded with every problem named at once, read back
by their tenant only; a claim for a procedure the payer's rules (or its 271) say needs one is
warned when it carries none, held to the recorded one's dates and units, and counts its units
down once however often it is sent; authorizations about to end or run out are on the
worklist; a newer version of the rules lifts a requirement from its date."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from chalice.test import Client

from tests.functional.conftest import TENANT_B_KEY, contract, headers, run_schedule


def record(client: Client, **fields: Any) -> Any:
    body: dict[str, Any] = {
        "payerId": "SBX01",
        "number": "PT-2026-001",
        "patient": {"memberId": "W123456789", "dateOfBirth": "19620314"},
        "procedureCodes": ["97110"],
        "units": "3",
        "validFrom": "2026-11-01",
        "validTo": "2027-02-28",
        "renderingProviderNpi": "1245319599",
    }
    body.update(fields)
    return client.http.post("/v1/authorizations", headers=headers(), body=json.dumps(body))


def therapy_claim(pcn: str, units: str = "2", number: str | None = None, **line: Any) -> Any:
    """claim-basic.json with one therapeutic-exercise line (97110), under `number`."""
    body = contract("claim-basic.json")
    information = body["claimInformation"]
    information["patientControlNumber"] = pcn
    [first, *_] = information["serviceLines"]
    first["professionalService"].update(
        procedureCode="97110", procedureModifiers=[], serviceUnitCount=units
    )
    first.update(line)
    information["serviceLines"] = [first]
    information["claimChargeAmount"] = first["professionalService"]["lineItemChargeAmount"]
    if number is not None:
        information["priorAuthorizationNumber"] = number
    return body


def submit(client: Client, body: dict[str, Any]) -> Any:
    return client.http.post("/v1/claims", headers=headers(), body=json.dumps(body))


def warnings_of(answer: Any) -> set[str]:
    assert answer.status_code == 201, answer.body
    return {w["code"] for w in answer.json_body["warnings"]}


def require_therapy_authorization(client: Client, **rule: Any) -> None:
    rules = [{"procedureCode": "97110", "effectiveFrom": "2026-01-01", **rule}]
    answer = client.http.put(
        "/v1/payers/SBX01/authorization-rules",
        headers=headers(),
        body=json.dumps({"rules": rules}),
    )
    assert answer.status_code == 201, answer.body


def test_an_authorization_is_recorded_once_and_read_by_its_tenant_only(client: Client) -> None:
    created = record(client)
    assert created.status_code == 201, created.body
    held = created.json_body
    assert (held["units"], held["unitsUsed"], held["unitsLeft"], held["uses"]) == (
        "3",
        "0",
        "3",
        [],
    )
    assert held["patient"] == {"memberId": "W123456789", "dateOfBirth": "1962-03-14"}
    path = f"/v1/authorizations/{held['authorizationId']}"
    assert client.http.get(path, headers=headers()).json_body == held
    assert client.http.get(path, headers=headers(TENANT_B_KEY)).status_code == 404
    listed = client.http.get("/v1/authorizations?payerId=SBX01", headers=headers()).json_body
    assert [a["authorizationId"] for a in listed["authorizations"]] == [held["authorizationId"]]
    other = client.http.get("/v1/authorizations", headers=headers(TENANT_B_KEY)).json_body
    assert other["authorizations"] == []
    # The same number for the payer again (any spelling) is refused, naming the first.
    again = record(client, number=" pt-2026-001 ")
    assert again.status_code == 409 and held["authorizationId"] in again.json_body["message"]
    # A referral may carry the same number: it is another thing.
    assert record(client, kind="referral").status_code == 201


def test_every_problem_of_a_bad_authorization_at_once(client: Client) -> None:
    answer = record(
        client,
        procedureCodes=["9711"],
        units="-1",
        validFrom="2026-13-01",
        renderingProviderNpi="1245319598",
        patient={},
    )
    assert answer.status_code == 422, answer.body
    fields = {e["field"] for e in answer.json_body["errors"]}
    assert {
        "procedureCodes[0]",
        "units",
        "validFrom",
        "renderingProviderNpi",
        "patient.memberId",
    } <= fields
    backwards = record(client, validFrom="2027-03-01")
    assert backwards.status_code == 422, backwards.body
    unknown = record(client, payerId="NOPE1")
    assert (unknown.status_code, unknown.json_body["errors"][0]["field"]) == (422, "payerId")


def test_a_claim_is_warned_held_to_dates_and_units_and_counts_them_once(client: Client) -> None:
    require_therapy_authorization(client)
    # The payer's rules say 97110 needs an authorization: none on the claim warns.
    assert "authorization_missing" in warnings_of(submit(client, therapy_claim("PT-A")))
    # A number nobody recorded cannot be checked: said so.
    unrecorded = submit(client, therapy_claim("PT-B", number="NOT-ON-FILE"))
    assert "authorization_not_on_file" in warnings_of(unrecorded)
    held = record(client).json_body
    path = f"/v1/authorizations/{held['authorizationId']}"
    ok = submit(client, therapy_claim("PT-C", units="2", number="PT-2026-001"))
    assert not {c for c in warnings_of(ok) if c.startswith("authorization")}
    # Sent again (a retry without a key): refused as a duplicate, counted once.
    assert submit(client, therapy_claim("PT-C", units="2", number="PT-2026-001")).status_code == 409
    after = client.http.get(path, headers=headers()).json_body
    assert (after["unitsUsed"], after["unitsLeft"]) == ("2", "1")
    assert after["uses"] == [{"patientControlNumber": "PT-C", "units": "2"}]
    # Two more units than are left: warned (CARC 198), and counted all the same.
    over = submit(client, therapy_claim("PT-D", units="2", number="PT-2026-001"))
    assert "authorization_units" in warnings_of(over)
    assert client.http.get(path, headers=headers()).json_body["unitsLeft"] == "-1"
    # A service after the authorization ended.
    assert record(client, number="PT-SHORT", validTo="2026-11-10").status_code == 201
    late = therapy_claim("PT-E", units="1", number="PT-SHORT")
    assert "authorization_dates" in warnings_of(submit(client, late))


def test_a_replacement_recounts_and_a_void_gives_the_units_back(client: Client) -> None:
    held = record(client).json_body
    path = f"/v1/authorizations/{held['authorizationId']}"
    created = submit(client, therapy_claim("PT-V", units="2", number="PT-2026-001"))
    assert created.status_code == 201, created.body
    claim_id = created.json_body["claimId"]
    run_schedule(client, "clearinghouse-poll")
    run_schedule(client, "clearinghouse-poll")  # sent, accepted and paid by the sandbox
    replacement = therapy_claim("PT-V", units="3", number="PT-2026-001")
    answer = client.http.post(
        f"/v1/claims/{claim_id}/replacement", headers=headers(), body=json.dumps(replacement)
    )
    assert answer.status_code == 201, answer.body
    used = client.http.get(path, headers=headers()).json_body
    assert (used["unitsUsed"], used["uses"]) == (
        "3",
        [{"patientControlNumber": "PT-V", "units": "3"}],
    )
    void = client.http.post(f"/v1/claims/{claim_id}/void", headers=headers(), body="{}")
    assert void.status_code == 201, void.body
    assert client.http.get(path, headers=headers()).json_body["unitsUsed"] == "0"


def test_authorizations_about_to_end_or_run_out_are_on_the_worklist(client: Client) -> None:
    from chalicelib.clock import utcnow

    today = utcnow().date()  # the service's clock (tests start it on fixed dates)
    ending = record(client, number="END-1", validTo=(today + timedelta(days=7)).isoformat())
    later = record(client, number="LATER-1", validTo=(today + timedelta(days=90)).isoformat())
    assert ending.status_code == later.status_code == 201
    listed = client.http.get("/v1/worklist?kind=authorization_expiring", headers=headers())
    [entry] = listed.json_body["items"]
    assert (entry["claimId"], entry["payerId"], entry["deadline"]) == (
        None,
        "SBX01",
        (today + timedelta(days=7)).isoformat(),
    )
    assert "END-1" in entry["detail"]
    # The later one's notice is not due yet: shown only with the sleeping ones.
    sleeping = client.http.get(
        "/v1/worklist?kind=authorization_expiring&includeSnoozed=true", headers=headers()
    ).json_body["items"]
    assert len(sleeping) == 2
    # Units running low: two of three used.
    assert submit(client, therapy_claim("PT-W", units="2", number="LATER-1")).status_code == 201
    [low] = client.http.get(
        "/v1/worklist?kind=authorization_running_out", headers=headers()
    ).json_body["items"]
    assert "1 of 3 units left" in low["detail"]
    # Resolved (the payer extended it): off the list, and resolving again is refused.
    action = client.http.post(
        f"/v1/worklist/{entry['id']}/actions",
        headers=headers(),
        body=json.dumps({"action": "resolve", "outcome": "extended"}),
    )
    assert action.status_code == 204, action.body
    listed = client.http.get("/v1/worklist?kind=authorization_expiring", headers=headers())
    assert listed.json_body["items"] == []
    again = client.http.post(
        f"/v1/worklist/{entry['id']}/actions",
        headers=headers(),
        body=json.dumps({"action": "resolve"}),
    )
    assert again.status_code == 409, again.body


def test_rules_are_dated_data_and_a_newer_version_lifts_a_requirement(client: Client) -> None:
    require_therapy_authorization(client)
    require_therapy_authorization(client, effectiveFrom="2026-11-10", required=False)
    versions = client.http.get("/v1/payers/SBX01/authorization-rules", headers=headers()).json_body[
        "versions"
    ]
    assert [v["rules"][0]["required"] for v in versions] == [True, False]
    # Served on 2026-11-16: the newer row (from 2026-11-10) says no authorization.
    assert "authorization_missing" not in warnings_of(submit(client, therapy_claim("PT-R1")))
    # Served on 2026-11-05: the older row is the only one in force.
    early = therapy_claim("PT-R2", serviceDate="20261105")
    assert "authorization_missing" in warnings_of(submit(client, early))
    bad = client.http.put(
        "/v1/payers/SBX01/authorization-rules",
        headers=headers(),
        body=json.dumps(
            {
                "rules": [
                    {
                        "procedureCode": "97110",
                        "effectiveFrom": "2026-02-01",
                        "effectiveTo": "2026-01-01",
                    }
                ]
            }
        ),
    )
    assert (bad.status_code, bad.json_body["errors"][0]["field"]) == (422, "rules[0].effectiveTo")
    missing = client.http.put(
        "/v1/payers/NOPE1/authorization-rules",
        headers=headers(),
        body=json.dumps({"rules": [{"procedureCode": "97110", "effectiveFrom": "2026-01-01"}]}),
    )
    assert missing.status_code == 404

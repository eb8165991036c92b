"""Runs of one schedule for one tenant never overlap, and what a run records, it records once:
overlapping payment-mismatch runs leave one note per claim whose flags changed."""

from __future__ import annotations

from chalice.test import Client

from tests.functional.conftest import headers
from tests.reliability.harness import claim, in_parallel, poll, submit_claims


def test_overlapping_mismatch_runs_record_each_change_once(client: Client) -> None:
    from chalicelib.clock import utcnow
    from chalicelib.services.runs import execute

    ids = submit_claims(client, 3)
    poll(client)
    poll(client)
    # A new contract version back to the dates of service: every paid line is re-judged.
    csv = "procedureCode,modifier,placeOfService,amount,effectiveFrom,effectiveTo\n"
    csv += "99214,,,400.00,2020-01-01,\n83036,,,90.00,2020-01-01,\n"
    uploaded = client.http.put(
        "/v1/payers/SBX01/fee-schedules",
        headers=headers(**{"Content-Type": "text/csv"}),
        body=csv,
    )
    assert uploaded.status_code == 201, uploaded.body
    at = utcnow()
    runs = in_parallel(
        [lambda: execute("payment-mismatches", trigger="manual", clock=lambda: at)] * 4
    )
    assert sum(r.acted for r in runs) == len(ids)
    for claim_id in ids:
        notes = [
            h for h in claim(client, claim_id)["history"] if h["source"] == "payment-mismatches"
        ]
        assert len(notes) == 1, notes

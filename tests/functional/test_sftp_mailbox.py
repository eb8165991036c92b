"""A claim through a real SFTP mailbox (an SFTP server on 127.0.0.1 started by the test): the
837 lands in the outbound folder, pyx12-clean, under the clearinghouse's payer id; the 999,
277CA and 835 dropped in the inbound folder are collected by the next poll and the claim ends
paid; files seen twice change nothing; a file for another practice, or a server whose host key
changed, gives a located error on the run and nothing is applied or sent."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from chalice.test import Client

from tests.functional.conftest import contract, headers
from tests.functional.test_clearinghouse_loop import claim, poll, submit
from tests.pyx12_oracle import validate
from tests.sftp_server import SftpServer

SUBMITTER = "ETINA0001"
RECEIVER = "SANDBOXCH"  # the sandbox answers for the clearinghouse in these tests


@pytest.fixture
def server() -> Iterator[SftpServer]:
    with SftpServer() as running:
        yield running


@pytest.fixture
def mailbox(client: Client, server: SftpServer) -> SftpServer:
    """tenant-a's SBX01 claims go through its SFTP account `oa` at the test's server."""
    account = {
        "kind": "sftp",
        "host": "127.0.0.1",
        "port": server.port,
        "username": server.username,
        "hostKey": server.host_key,
        "submitterId": SUBMITTER,
        "receiverId": RECEIVER,
        "password": server.password,
    }
    answer = client.http.put("/v1/clearinghouses/oa", headers=headers(), body=json.dumps(account))
    assert answer.status_code == 201, answer.body
    route = {"clearinghouse": "oa", "clearinghousePayerId": "SBX01"}
    routed = client.http.put("/v1/payers/SBX01/route", headers=headers(), body=json.dumps(route))
    assert routed.status_code == 200, routed.body
    return server


def files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file()) if folder.exists() else []


def answers_to(interchange: bytes) -> list[tuple[str, bytes]]:
    """What a clearinghouse and payer send back for `interchange`: the sandbox's own 999,
    277CA and (a poll later) 835, addressed to our submitter id."""
    from chalicelib.payers.gateways.sandbox.clearinghouse import (
        SandboxClearinghouse,
        SandboxState,
    )

    sandbox = SandboxClearinghouse(ack_delay_polls=0, remit_delay_polls=0)
    at = datetime(2026, 11, 27, 12, tzinfo=UTC)
    state, _ = sandbox.submit(SandboxState(), interchange, now=at)
    state, first = sandbox.fetch(state, None)
    _, second = sandbox.fetch(state, first.cursor)
    return [(f.name, f.content) for f in (*first.files, *second.files)]


def test_a_claim_goes_out_over_sftp_and_comes_back_paid(
    client: Client, mailbox: SftpServer
) -> None:
    claim_id = submit(client, "claim-basic.json")
    sent = poll(client)
    assert sent["failed"] == 0, sent["errors"]
    assert claim(client, claim_id)["status"] == "submitted"
    [outbound] = files(mailbox.root / "outbound")
    interchange = outbound.read_bytes()
    assert not outbound.name.startswith(".")
    text = interchange.decode()
    assert f"*ZZ*{SUBMITTER.ljust(15)}*ZZ*{RECEIVER.ljust(15)}*" in text
    assert validate(text) == [], "pyx12 finds errors in the 837P sent over SFTP"
    # The archived copy is the very bytes on the server.
    archived = client.http.get(f"/v1/claims/{claim_id}/x12", headers=headers())
    assert archived.body == interchange

    for name, content in answers_to(interchange):
        (mailbox.root / "inbound" / name).write_bytes(content)
    collected = poll(client)
    assert collected["failed"] == 0, collected["errors"]
    paid = claim(client, claim_id)
    assert paid["status"] in ("paid", "partially_paid"), paid["history"]
    assert paid["payments"][0]["paid"] == "149.20"
    # Applied files leave the inbound folder for processed/: nothing is lost on the server.
    assert files(mailbox.root / "inbound") == []
    processed = files(mailbox.root / "inbound" / "processed")
    assert len(processed) == len(answers_to(interchange))

    # The same 835 dropped again (a clearinghouse re-delivering): nothing posts twice.
    remit = next(content for _, content in answers_to(interchange) if b"*835*" in content)
    (mailbox.root / "inbound" / "again.835").write_bytes(remit)
    again = poll(client)
    assert again["failed"] == 0, again["errors"]
    assert len(claim(client, claim_id)["payments"]) == 1
    assert files(mailbox.root / "inbound") == []


def test_the_clearinghouse_payer_id_is_the_one_written(client: Client, mailbox: SftpServer) -> None:
    route = {"clearinghouse": "oa", "clearinghousePayerId": "OAMCR77"}
    client.http.put("/v1/payers/SBXMCR/route", headers=headers(), body=json.dumps(route))
    body = contract("claim-basic.json")
    body["tradingPartnerServiceId"] = "SBXMCR"
    created = client.http.post("/v1/claims", headers=headers(), body=json.dumps(body))
    assert created.status_code == 201, created.body
    assert poll(client)["failed"] == 0
    texts = [p.read_text() for p in files(mailbox.root / "outbound")]
    assert any("*PI*OAMCR77~" in t for t in texts)
    # The claim itself still names the payer as the practice does.
    assert claim(client, created.json_body["claimId"])["claim"]["tradingPartnerServiceId"] == (
        "SBXMCR"
    )


def test_a_file_for_another_practice_is_reported_not_applied(
    client: Client, mailbox: SftpServer
) -> None:
    claim_id = submit(client, "claim-basic.json")
    poll(client)
    [outbound] = files(mailbox.root / "outbound")
    for name, content in answers_to(outbound.read_bytes()):
        stranger = content.replace(SUBMITTER.ljust(15).encode(), b"ETINOTHER".ljust(15))
        (mailbox.root / "inbound" / name).write_bytes(stranger)
    run = poll(client)
    assert run["failed"] >= 1
    assert any("ISA08" in e["message"] for e in run["errors"]), run["errors"]
    assert claim(client, claim_id)["status"] == "submitted"  # nothing applied


def test_a_changed_host_key_stops_the_mailbox_and_sends_nothing(
    client: Client, mailbox: SftpServer
) -> None:
    mailbox.regenerate_host_key()
    claim_id = submit(client, "claim-basic.json")
    run = poll(client)
    assert run["failed"] >= 1
    assert any("host key" in e["message"] for e in run["errors"]), run["errors"]
    assert files(mailbox.root / "outbound") == []
    assert claim(client, claim_id)["status"] == "queued"  # it waits for the account to be fixed


def test_a_wrong_password_is_a_run_error(client: Client, mailbox: SftpServer) -> None:
    account: dict[str, Any] = json.loads(
        json.dumps(client.http.get("/v1/clearinghouses/oa", headers=headers()).json_body)
    )
    wrong = {
        key: account[key]
        for key in ("kind", "host", "port", "username", "hostKey", "submitterId", "receiverId")
    }
    wrong["password"] = "not-the-password"
    client.http.put("/v1/clearinghouses/oa", headers=headers(), body=json.dumps(wrong))
    claim_id = submit(client, "claim-basic.json")
    run = poll(client)
    assert any("login refused" in e["message"] for e in run["errors"]), run["errors"]
    assert claim(client, claim_id)["status"] == "queued"


def test_a_file_that_is_not_x12_is_archived_and_reported(
    client: Client, mailbox: SftpServer
) -> None:
    (mailbox.root / "inbound" / "report.txt").write_bytes(b"Dear provider, your claims...")
    run = poll(client)
    assert run["failed"] >= 1
    [error] = run["errors"]
    assert error["code"] == "x12_unreadable" and "ISA" in error["message"]
    # Archived and listed for a person; moved out of the mailbox so it is not read again.
    assert files(mailbox.root / "inbound") == []
    assert [p.name for p in files(mailbox.root / "inbound" / "processed")] == ["report.txt"]
    work = client.http.get("/v1/worklist?kind=inbound_file_error", headers=headers()).json_body
    assert len(work["items"]) == 1
    assert poll(client)["failed"] == 0  # the next poll does not trip over it again


def test_a_status_inquiry_goes_by_mailbox_and_its_277_is_applied(
    client: Client, mailbox: SftpServer
) -> None:
    """A 276 for a claim routed through a mailbox is uploaded like a claim file; the check is
    on the claim's history as sent by mailbox, the next one scheduled; the payer's 277, dropped
    in the inbound folder later, moves the claim on the next poll."""
    from datetime import timedelta

    from chalicelib.clock import utcnow
    from chalicelib.payers.gateways.sandbox.clearinghouse import (
        SandboxClearinghouse,
        SandboxState,
    )
    from chalicelib.services.runs import execute

    claim_id = submit(client, "claim-basic.json")
    poll(client)
    [sent] = files(mailbox.root / "outbound")
    interchange = sent.read_bytes()
    for name, content in answers_to(interchange):
        if b"*835*" not in content:  # acknowledged, not paid yet
            (mailbox.root / "inbound" / name).write_bytes(content)
    assert poll(client)["failed"] == 0
    assert claim(client, claim_id)["status"] == "accepted"

    at = utcnow() + timedelta(days=31)  # SBX01: the first check after 30 days
    run = execute("claim-followups", trigger="manual", clock=lambda: at)
    assert run.failed == 0, run.errors
    [inquiry] = [p for p in files(mailbox.root / "outbound") if p != sent]
    assert b"*276*" in inquiry.read_bytes()
    assert f"*ZZ*{SUBMITTER.ljust(15)}*ZZ*{RECEIVER.ljust(15)}*" in inquiry.read_text()
    checked = claim(client, claim_id)
    check = checked["history"][-1]
    assert check["source"] == "status_check" and check["detail"]["answer"] == "by_mailbox"
    assert checked["status"] == "accepted"

    sandbox = SandboxClearinghouse(ack_delay_polls=0, remit_delay_polls=0)
    state, _ = sandbox.submit(SandboxState(), interchange, now=at)
    answer = sandbox.claim_status(state, inquiry.read_bytes(), now=at)
    (mailbox.root / "inbound" / "status.277").write_bytes(answer)
    collected = poll(client)
    assert collected["failed"] == 0, collected["errors"]
    moved = claim(client, claim_id)
    assert moved["status"] == "pending", moved["history"][-1]
    assert moved["history"][-1]["source"] == "277"

"""One bad file never stops a mailbox, one tenant's failure never stops another's poll, and an
835 without its TRN is refused, not posted under a made-up trace."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from chalice.test import Client

from tests.functional.conftest import headers
from tests.reliability.harness import (
    HoldingGateway,
    claim,
    poll,
    submit_claims,
    upload,
)


def _held_835(client: Client, holding: Callable[[frozenset[str]], HoldingGateway]) -> bytes:
    gateway = holding(frozenset({"835"}))
    poll(client)
    poll(client)
    [content] = gateway.held_of("835")
    return content


def _hostile(content: bytes) -> bytes:
    """The same 835 with a CAS amount no decimal can hold."""
    hostile, count = re.subn(
        rb"(CAS\*[A-Z]{2}\*\d+\*)[0-9.]+", rb"\g<1>1E+9999999999", content, count=1
    )
    assert count == 1
    return hostile


def test_an_835_without_trn_is_refused_archived_and_listed(
    client: Client, holding: Callable[[frozenset[str]], HoldingGateway]
) -> None:
    [claim_id] = submit_claims(client, 1)
    content = _held_835(client, holding)
    without_trn = re.sub(rb"~TRN\*[^~]*", b"", content, count=1)
    status, body = upload(client, "/v1/remittances", without_trn)
    assert (status, body["status"]) == (422, "unreadable")
    [error] = body["errors"]
    assert error["segmentId"] == "TRN" and "TRN" in error["message"]
    assert claim(client, claim_id)["payments"] == []
    from chalicelib.store.archive import load_raw

    assert load_raw(body["archiveKey"]) == without_trn
    listed = client.http.get("/v1/worklist?kind=inbound_file_error", headers=headers()).json_body
    assert len(listed["items"]) == 1
    # The complete 835 still posts: nothing was taken by the refused one.
    assert upload(client, "/v1/remittances", content)[1]["status"] == "applied"
    assert len(claim(client, claim_id)["payments"]) == 1


def test_an_amount_no_decimal_can_hold_is_a_422_not_a_500(
    client: Client, holding: Callable[[frozenset[str]], HoldingGateway]
) -> None:
    [claim_id] = submit_claims(client, 1)
    status, body = upload(client, "/v1/remittances", _hostile(_held_835(client, holding)))
    assert (status, body["status"]) == (422, "unreadable")
    assert body["errors"][0]["segmentIndex"] is not None
    assert claim(client, claim_id)["payments"] == []


class MailboxWithABadFile(HoldingGateway):
    """Delivers a damaged copy of each 835 ahead of the real one, like a mailbox holding a
    file nobody can read."""

    def fetch_inbound(self, account: str, cursor: str | None) -> Any:
        from chalicelib.payers.gateways.base import InboundBatch, InboundFile

        batch = self._inner.fetch_inbound(account, cursor)
        files = []
        for file in batch.files:
            if b"~ST*835*" in file.content:
                files.append(InboundFile(f"bad-{file.name}", _hostile(file.content)))
            files.append(file)
        return InboundBatch(files=tuple(files), cursor=batch.cursor)


def test_an_unreadable_file_in_the_mailbox_is_quarantined_and_the_mailbox_moves_on(
    client: Client,
) -> None:
    from chalicelib import wiring

    ids = submit_claims(client, 2)
    wiring.use_gateway("sandbox", MailboxWithABadFile(wiring.gateway("sandbox"), frozenset()))
    try:
        poll(client)
        run = poll(client)
    finally:
        wiring.use_gateway("sandbox", None)
    assert run["counts"]["files_unreadable"] == 1
    assert run["counts"]["files_applied"] == 1
    assert [e["code"] for e in run["errors"]] == ["x12_unreadable"]
    for claim_id in ids:
        assert len(claim(client, claim_id)["payments"]) == 1
    listed = client.http.get("/v1/worklist?kind=inbound_file_error", headers=headers()).json_body
    assert len(listed["items"]) == 1
    again = poll(client)  # the cursor moved past it: it is not read again
    assert "files_unreadable" not in again["counts"]


class OneTenantBroken(HoldingGateway):
    """A fault (not a clean gateway error) while fetching tenant A's mailbox."""

    def __init__(self, inner: Any) -> None:
        super().__init__(inner, frozenset())
        self.fetched: list[str] = []

    def fetch_inbound(self, account: str, cursor: str | None) -> Any:
        self.fetched.append(account)
        if account == "CGTENANTA":
            raise KeyError("a bug while reading the mailbox listing")
        return self._inner.fetch_inbound(account, cursor)


def test_one_tenants_failure_never_stops_another_tenants_poll(client: Client) -> None:
    from chalicelib import wiring

    gateway = OneTenantBroken(wiring.gateway("sandbox"))
    wiring.use_gateway("sandbox", gateway)
    try:
        run = poll(client)
    finally:
        wiring.use_gateway("sandbox", None)
    assert set(gateway.fetched) == {"CGTENANTA", "CGTENANTB"}
    [error] = run["errors"]
    assert (error["tenantId"], error["code"]) == ("tenant-a", "tenant_error")
    assert "KeyError" in error["message"] and "bug" not in error["message"]

"""What the reliability tests and the chaos benchmark share: parallel calls, the API calls a
user makes, and a clearinghouse whose deliveries the caller takes over."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from chalice.test import Client

from tests.functional.conftest import contract, headers

T = TypeVar("T")
X12 = "application/edi-x12"


def in_parallel(calls: list[Callable[[], T]]) -> list[T]:
    """Start every call at once (one thread each, released together) and return their
    results in order."""
    start = threading.Barrier(len(calls))

    def released(call: Callable[[], T]) -> T:
        start.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(released, call) for call in calls]
        return [future.result() for future in futures]


def submit_claims(client: Client, count: int, *, prefix: str = "REL") -> list[str]:
    """`count` claims from the basic contract example, each with its own patient control
    number."""
    ids = []
    for i in range(count):
        body = contract("claim-basic.json")
        body["claimInformation"]["patientControlNumber"] = f"{prefix}-{i:04d}"
        response = client.http.post("/v1/claims", headers=headers(), body=json.dumps(body))
        assert response.status_code == 201, response.body
        ids.append(response.json_body["claimId"])
    return ids


def poll(client: Client) -> dict[str, Any]:
    response = client.http.post("/v1/schedules/clearinghouse-poll/runs", headers=headers())
    assert response.status_code == 201, response.body
    run: dict[str, Any] = response.json_body
    return run


def claim(client: Client, claim_id: str) -> dict[str, Any]:
    response = client.http.get(f"/v1/claims/{claim_id}", headers=headers())
    assert response.status_code == 200, response.body
    body: dict[str, Any] = response.json_body
    return body


def events_of(client: Client, claim_id: str) -> Counter[str]:
    return Counter(h["event"] for h in claim(client, claim_id)["history"])


def upload(client: Client, route: str, content: bytes) -> tuple[int, dict[str, Any]]:
    response = client.http.post(route, headers=headers(**{"Content-Type": X12}), body=content)
    body: dict[str, Any] = response.json_body
    return int(response.status_code), body


class HoldingGateway:
    """The sandbox clearinghouse, except that the files it delivers are held back instead of
    fetched (by transaction type), as with a clearinghouse that delivers them by upload: the
    test then posts them itself, as often and as concurrently as it likes."""

    name = "sandbox"
    wire = "x12"

    def __init__(self, inner: Any, hold: frozenset[str]) -> None:
        self._inner = inner
        self.hold = hold
        self.receiver_id: str = inner.receiver_id
        self.held: list[bytes] = []
        self.status_inquiries = 0
        self._lock = threading.Lock()

    def submit(self, account: str, interchange: bytes) -> Any:
        return self._inner.submit(account, interchange)

    def fetch_inbound(self, account: str, cursor: str | None) -> Any:
        from chalicelib.payers.gateways.base import InboundBatch

        batch = self._inner.fetch_inbound(account, cursor)
        kept = []
        for file in batch.files:
            if _set_kind(file.content) in self.hold:
                self.held.append(file.content)
            else:
                kept.append(file)
        return InboundBatch(files=tuple(kept), cursor=batch.cursor)

    def acknowledge(self, account: str, names: Any) -> None:
        self._inner.acknowledge(account, names)

    def claim_status(self, account: str, inquiry: bytes) -> bytes:
        with self._lock:
            self.status_inquiries += inquiry.count(b"~TRN*1*")
        answer: bytes = self._inner.claim_status(account, inquiry)
        return answer

    def eligibility(self, account: str, inquiry: bytes) -> bytes:
        answer: bytes = self._inner.eligibility(account, inquiry)
        return answer

    def appeal(self, account: str, request: Any) -> bool:
        taken: bool = self._inner.appeal(account, request)
        return taken

    def held_of(self, kind: str) -> list[bytes]:
        return [content for content in self.held if _set_kind(content) == kind]


def _set_kind(content: bytes) -> str:
    text = content.decode("latin-1")
    kind = text.split("~ST*", 1)[1][:3] if "~ST*" in text else ""
    if kind == "277" and "005010X214" in text:
        return "277CA"
    return kind

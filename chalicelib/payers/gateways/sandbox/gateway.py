"""The sandbox clearinghouse behind the Gateway port: the pure SandboxClearinghouse, its state
kept per account by a small state store (S3 in `make run` and the tests), and a switch that
makes every call fail, to see what an outage does to claims and runs."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from ..base import X12, AppealRequest, GatewayError, InboundBatch, SubmissionReceipt
from .clearinghouse import SandboxClearinghouse, SandboxState


class SandboxStateStore(Protocol):
    def load(self, account: str) -> str | None: ...

    def save(self, account: str, text: str) -> None: ...


class SandboxOutageError(GatewayError):
    """The sandbox was told to fail every call (CLAIMGATE_SANDBOX_OUTAGE)."""


class SandboxGateway:
    name = "sandbox"
    wire = X12

    def __init__(
        self,
        clearinghouse: SandboxClearinghouse,
        store: SandboxStateStore,
        *,
        clock: Callable[[], datetime],
        outage: bool = False,
    ) -> None:
        self._clearinghouse = clearinghouse
        self._store = store
        self._clock = clock
        self._outage = outage
        # One mailbox state per account is read, changed and written back: serialise that
        # within the process (the local server answers requests on several threads).
        self._lock = threading.Lock()
        self.receiver_id = clearinghouse.clearinghouse_id

    def _state(self, account: str) -> SandboxState:
        text = self._store.load(account)
        return SandboxState.from_json(text) if text else SandboxState()

    def _check(self) -> None:
        if self._outage:
            raise SandboxOutageError("sandbox clearinghouse outage (CLAIMGATE_SANDBOX_OUTAGE)")

    def submit(self, account: str, interchange: bytes) -> SubmissionReceipt:
        self._check()
        with self._lock:
            state, receipt = self._clearinghouse.submit(
                self._state(account), interchange, now=self._clock()
            )
            self._store.save(account, state.to_json())
        return receipt

    def fetch_inbound(self, account: str, cursor: str | None) -> InboundBatch:
        self._check()
        with self._lock:
            state, batch = self._clearinghouse.fetch(self._state(account), cursor)
            self._store.save(account, state.to_json())
        return batch

    def acknowledge(self, account: str, names: Sequence[str]) -> None:
        """The sandbox's mailbox is read by cursor: nothing to move."""

    def claim_status(self, account: str, inquiry: bytes) -> bytes:
        self._check()
        with self._lock:
            return self._clearinghouse.claim_status(
                self._state(account), inquiry, now=self._clock()
            )

    def eligibility(self, account: str, inquiry: bytes) -> bytes:
        self._check()
        with self._lock:
            return self._clearinghouse.eligibility(self._state(account), inquiry, now=self._clock())

    def appeal(self, account: str, request: AppealRequest) -> bool:
        self._check()
        with self._lock:
            state = self._clearinghouse.appeal(
                self._state(account), request, account=account, now=self._clock()
            )
            self._store.save(account, state.to_json())
        return True

"""The clearinghouse port: what claimgate needs from any clearinghouse connection.

One implementation per clearinghouse; each payer in the directory names its gateway and its
payer id there. `account` is the tenant's mailbox (submitter id) at that clearinghouse, so one
tenant never fetches another's files. Everything crossing the port is raw X12 bytes: the
caller archives them unchanged before it parses them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from chalicelib.claims.model import Claim

# What `Gateway.submit` takes: an 837P interchange, or one professional claims v3 request.
X12 = "x12"
CLAIMS_V3 = "claims_v3"


class GatewayError(Exception):
    """The clearinghouse refused or failed the call; the caller retries later."""


class GatewayBusyError(GatewayError):
    """The clearinghouse asks us to slow down (HTTP 429): no retry before `retry_after`
    seconds (None: it did not say)."""

    def __init__(self, message: str, retry_after: float | None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class SubmissionProblem:
    """One error the clearinghouse found in a claim: the request field it names (our
    request's own path, None when it names none), its code and words, what to do."""

    field: str | None
    code: str | None
    message: str
    followup: str | None = None


class SubmissionRejectedError(GatewayError):
    """The clearinghouse read the claim and refused it: sending it again cannot help, the
    claim must be corrected."""

    def __init__(self, problems: tuple[SubmissionProblem, ...], message: str) -> None:
        super().__init__(message)
        self.problems = problems


class GatewayTimeoutError(GatewayError):
    """No answer in time: the call may or may not have reached the clearinghouse, so a retry
    must resend the very same interchange (same ISA13), never a new one."""


class GatewayUnavailableError(GatewayError):
    """The connection cannot be built: the tenant's account is gone, or its secret cannot be
    read. Nothing was sent; the work waits for the account to be fixed."""


@dataclass(frozen=True, slots=True)
class SubmissionReceipt:
    """The clearinghouse took an interchange. `duplicate` is true when it already had this very
    interchange (a retry after a timeout): nothing new was accepted."""

    reference: str
    duplicate: bool = False


@dataclass(frozen=True, slots=True)
class InboundFile:
    """A file from the clearinghouse mailbox (999, 277CA, 277, 835); `name` is unique there."""

    name: str
    content: bytes


@dataclass(frozen=True, slots=True)
class InboundBatch:
    files: tuple[InboundFile, ...]
    cursor: str | None


@dataclass(frozen=True, slots=True)
class AppealRequest:
    """An appeal as a clearinghouse that takes them electronically needs it: the claim as
    billed, the payer's claim number it contests, and the amount in dispute."""

    claim: Claim
    payer_claim_control_number: str
    requested: Decimal


class Gateway(Protocol):
    name: str
    receiver_id: str  # ISA08 / 1000B NM109: the clearinghouse's id in interchanges we send
    wire: str  # X12: submit takes an 837P interchange; CLAIMS_V3: one claim's v3 JSON

    def submit(self, account: str, interchange: bytes) -> SubmissionReceipt:
        """Send one 837P interchange, or one claims v3 request (see `wire`)."""
        ...

    def fetch_inbound(self, account: str, cursor: str | None) -> InboundBatch:
        """Files that arrived after `cursor` (None: from the start), and the next cursor."""
        ...

    def acknowledge(self, account: str, names: Sequence[str]) -> None:
        """These files were archived and applied: a mailbox that keeps files until told
        (SFTP) moves them out of the inbound folder; one read by cursor does nothing."""
        ...

    def claim_status(self, account: str, inquiry: bytes) -> bytes | None:
        """A 276 in, the payer's 277 out; None from a mailbox, where the 277 arrives later
        as an inbound file and is applied like any other."""
        ...

    def eligibility(self, account: str, inquiry: bytes) -> bytes:
        """A 270 in, the payer's 271 out."""
        ...

    def appeal(self, account: str, request: AppealRequest) -> bool:
        """Hand the payer an appeal; False when this connection takes none (the letter goes
        by mail or the payer's portal)."""
        ...

"""Outbound webhooks: what a tenant's billing service is told when a claim changes, how each
delivery is signed, and the HTTP POST that carries it.

A delivery's body is JSON with ids, codes, statuses and amounts only, never a patient's name,
member id or dates of birth. It is signed the way the large payment APIs sign theirs: header
`Claimgate-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` with the
endpoint's secret, so a receiver checks both who sent it and that it is fresh (replay
window); `Claimgate-Delivery` is the delivery's id, the same on every retry, for the
receiver's deduplication.
"""

from __future__ import annotations

import hashlib
import hmac
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta

CLAIM_STATUS_CHANGED = "claim.status_changed"
CLAIM_PAID = "claim.paid"
REMITTANCE_UNMATCHED = "remittance.unmatched"
RUN_FAILED = "run.failed"
WORKLIST_ITEM_CREATED = "worklist.item_created"
EVENT_TYPES = (
    CLAIM_STATUS_CHANGED,
    CLAIM_PAID,
    REMITTANCE_UNMATCHED,
    RUN_FAILED,
    WORKLIST_ITEM_CREATED,
)

PENDING, DELIVERED, DEAD = "pending", "delivered", "dead"
MAX_ATTEMPTS = 6  # then the delivery is dead (listed, replayable)
SIGNATURE_HEADER = "Claimgate-Signature"
REPLAY_WINDOW = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class WebhookEndpoint:
    tenant_id: str
    webhook_id: str
    url: str
    events: tuple[str, ...]
    created_at: datetime
    secret_ref: str  # the signing secret's name in the secret store
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    """One event for one endpoint. `delivery_id` is derived from the endpoint and the event,
    so an event noticed twice makes one delivery."""

    tenant_id: str
    webhook_id: str
    delivery_id: str
    event_type: str
    body: str
    created_at: datetime
    status: str = PENDING
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_status_code: int | None = None
    last_error: str | None = None
    delivered_at: datetime | None = None


def delivery_id(webhook_id: str, event_id: str) -> str:
    return "dl_" + hashlib.sha256(f"{webhook_id}|{event_id}".encode()).hexdigest()[:24]


def backoff(attempts: int) -> timedelta:
    """After the n-th failed try: 30 s, 1, 2, 4, 8 min ... at most an hour."""
    return min(timedelta(seconds=30 * 2 ** max(0, attempts - 1)), timedelta(hours=1))


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, header: str, body: bytes, *, now: datetime) -> bool:
    """What a receiver does: the signature matches and is no older than the replay window."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    if not parts.get("t", "").isdigit() or "v1" not in parts:
        return False
    timestamp = int(parts["t"])
    if abs(now.timestamp() - timestamp) > REPLAY_WINDOW.total_seconds():
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), header)


def post(
    url: str, body: bytes, headers: dict[str, str], *, timeout: float = 10.0
) -> tuple[int | None, str | None]:
    """POST the delivery: (HTTP status, None), or (status or None, why it failed). Any 2xx
    is taken; redirects are not followed (a receiver's URL is registered, not discovered)."""
    if not url.startswith(("https://", "http://")):
        return None, "the endpoint URL is not http(s)"
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    opener = urllib.request.build_opener(_NoRedirect())
    try:
        with opener.open(request, timeout=timeout) as response:
            status = int(response.status)
    except urllib.error.HTTPError as error:
        return error.code, f"the receiver answered {error.code}"
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        return None, f"no answer: {type(reason).__name__}"
    if 200 <= status < 300:
        return status, None
    return status, f"the receiver answered {status}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None

"""Reports a JSON clearinghouse pushes to an account's inbound URL (`/v1/inbound/{id}`):
checked, then taken exactly like a report collected by the poll.

The clearinghouse signs each push with the account's webhook secret, the way claimgate
signs its own webhooks: header `Claimgate-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
"<t>.<body>">`. A push without a valid signature, older than the replay window, or for an
account that has no webhook secret is refused without saying which; a valid push replayed
later is refused by its age, and the same report delivered twice (pushed and polled) is
found by its sha256 and applied once.
"""

from __future__ import annotations

import json
from datetime import datetime

from chalicelib.payers.gateways.webhooks import verify

from .clearinghouses import account_secret, inbound_account
from .inbound import FileOutcome, receive_file


class PushRefusedError(Exception):
    """Not a push we can trust (no such address, no webhook secret, a bad signature)."""


class PushBodyError(ValueError):
    """The push is signed but holds no report."""


def receive_pushed_report(
    inbound_id: str,
    body: bytes,
    *,
    signature: str | None,
    content_type: str,
    now: datetime,
) -> tuple[str, FileOutcome]:
    """The tenant the report was for, and what applying it did."""
    account = inbound_account(inbound_id)
    secret = account_secret(account).get("webhookSecret") if account else None
    if account is None or not secret or not signature:
        raise PushRefusedError(inbound_id)
    if not verify(secret, signature, body, now=now):
        raise PushRefusedError(inbound_id)
    name, content = _report(body, content_type)
    outcome = receive_file(
        account.tenant_id,
        content,
        name=name,
        source=account.account_id,
        now=now,
        addressed_to=account.submitter_id,
    )
    return account.tenant_id, outcome


def _report(body: bytes, content_type: str) -> tuple[str, bytes]:
    """A JSON push carries `report_content` (and the report's `name`, as the reports endpoint
    lists it); any other push is the report itself."""
    if "json" not in content_type.lower():
        return "pushed", body
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise PushBodyError("the push is not JSON") from None
    content = data.get("report_content") if isinstance(data, dict) else None
    if not isinstance(content, str) or not content.strip():
        raise PushBodyError("the push has no report_content") from None
    name = data.get("name")
    return (name[:200] if isinstance(name, str) and name else "pushed"), content.encode()

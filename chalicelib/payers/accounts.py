"""A tenant's clearinghouse accounts and payer routes: which connection carries a payer's
claims, and under which payer id there.

An account holds no secret: passwords and private keys live in the secret store (AWS
Secrets Manager), one secret per account, and the account keeps only its reference. An SFTP
account pins the server's host key: a server presenting another key is never used.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from .directory import SANDBOX_GATEWAY

SFTP = "sftp"
SANDBOX = "sandbox"
HTTP_JSON = "http_json"
KINDS = (SFTP, HTTP_JSON, SANDBOX)
MAILBOXES = (SFTP, HTTP_JSON)  # kinds that keep files for us to fetch

# Account ids appear in secret names, batch records and routes: letters, digits, "-" and "_".
ACCOUNT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
# An OpenSSH public key line: key type, base64 key, optional comment.
HOST_KEY = re.compile(
    r"(ssh-ed25519|ecdsa-sha2-nistp(?:256|384|521)|ssh-rsa) [A-Za-z0-9+/]+=*( [^\r\n]*)?"
)


@dataclass(frozen=True, slots=True)
class SftpConnection:
    """Where the mailbox is and who we are there. `submitter_id` is the id the clearinghouse
    enrolled the practice under (ISA06 / GS02 / 1000A NM109); `receiver_id` its own (ISA08)."""

    host: str
    port: int
    username: str
    host_key: str
    submitter_id: str
    receiver_id: str
    outbound_dir: str = "outbound"
    inbound_dir: str = "inbound"
    processed_dir: str | None = "inbound/processed"


@dataclass(frozen=True, slots=True)
class HttpJsonConnection:
    """A clearinghouse's JSON API: `base_url` under which the professional claims v3
    submission, the reports and the raw X12 status and eligibility endpoints sit; the OAuth2
    client-credentials token endpoint (None: an API key is sent instead); our submitter id
    there (1000A NM109 / ISA06 of the reports addressed to us) and theirs (ISA08)."""

    base_url: str
    submitter_id: str
    receiver_id: str
    token_url: str | None = None


@dataclass(frozen=True, slots=True)
class ClearinghouseAccount:
    tenant_id: str
    account_id: str
    kind: str
    updated_at: datetime
    sftp: SftpConnection | None = None
    secret_ref: str | None = None  # the secret's name in the secret store
    secret_updated_at: datetime | None = None
    http_json: HttpJsonConnection | None = None

    @property
    def submitter_id(self) -> str | None:
        """Our id at the clearinghouse: files it sends us are addressed (ISA08) to it."""
        connection = self.sftp or self.http_json
        return connection.submitter_id if connection else None

    @property
    def inbound_id(self) -> str:
        """The account's part of its inbound webhook URL (`/v1/inbound/{inboundId}`): derived
        from tenant and account, so it names one account of one tenant and is the same on
        every write."""
        digest = hashlib.sha256(f"{self.tenant_id}/{self.account_id}".encode()).hexdigest()
        return f"ib_{digest[:32]}"

    @property
    def gateway(self) -> str:
        """The gateway name a payer routed to this account carries: the embedded sandbox
        for a sandbox account, else the account itself."""
        return SANDBOX_GATEWAY if self.kind == SANDBOX else self.account_id


@dataclass(frozen=True, slots=True)
class PayerRoute:
    """The tenant's claims for `payer_id` go through `account_id`, written with
    `clearinghouse_payer_id` (2010BB NM109, the clearinghouse's own id for that payer).
    `name` and `plan_type` describe a payer the shared directory does not know."""

    tenant_id: str
    payer_id: str
    account_id: str
    clearinghouse_payer_id: str
    updated_at: datetime
    name: str | None = None
    plan_type: str | None = None


def secret_name(prefix: str, tenant_id: str, account_id: str) -> str:
    """One secret per account, under the tenant's path: the functions' permission to read
    secrets is scoped to `<prefix>/tenants/*/clearinghouses/*`."""
    return f"{prefix}/tenants/{tenant_id}/clearinghouses/{account_id}"

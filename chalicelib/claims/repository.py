"""The claim repository port: what the use cases need from wherever claims are kept. Two
implementations: DynamoDB (chalicelib.store.claims.DynamoClaimRepository, the service's) and
memory (chalicelib.store.memory, for fast unit tests of the use cases). Both keep the same
promises: a save is version-checked (ConcurrentUpdateError when the claim changed since it
was read), an original claim's patient control number is taken once per payer
(DuplicateClaimError), and a claim that cannot be read never stops a page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from chalicelib.payers.accounts import ClearinghouseAccount, PayerRoute
from chalicelib.payers.directory import Payer
from chalicelib.payers.policies import PayerPolicy

from .authorizations import Authorization, AuthorizationRules
from .eligibility import EligibilityCheck
from .lifecycle import Status
from .records import ClaimEvent, ClaimRecord
from .work_items import WorklistItem


class UnreadableClaimError(ValueError):
    """A claim item that cannot be read into a record; names the claim and the place."""

    def __init__(self, tenant_id: str, claim_id: str, problem: str) -> None:
        self.tenant_id, self.claim_id = tenant_id, claim_id
        super().__init__(f"claim {claim_id} cannot be read: {problem}")


@dataclass(frozen=True, slots=True)
class ClaimPage:
    """A page of claims and where to go on from. `unreadable`: items on the page that could
    not be read (reported by the caller, never allowed to stop the others)."""

    claims: tuple[ClaimRecord, ...]
    cursor: str | None
    unreadable: tuple[UnreadableClaimError, ...] = ()


class ClaimRepository(Protocol):
    def create_claim(self, record: ClaimRecord) -> None: ...

    def save_claim_change(
        self, record: ClaimRecord, new_events: tuple[ClaimEvent, ...]
    ) -> ClaimRecord: ...

    def set_aside(self, error: UnreadableClaimError, *, now: datetime) -> None: ...

    def due_claims(
        self, action: str, until: datetime, *, limit: int, start: str | None = None
    ) -> ClaimPage: ...

    def claims_by_patient_control_number(self, tenant_id: str, pcn: str) -> ClaimPage: ...

    def load_claim(self, tenant_id: str, claim_id: str) -> ClaimRecord | None: ...

    def list_claims(
        self,
        tenant_id: str,
        *,
        status: Status | None = None,
        payer_id: str | None = None,
        updated_since: datetime | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> ClaimPage: ...

    def worklist_page(
        self,
        tenant_id: str,
        *,
        kind: str | None,
        payer_id: str | None,
        older_than: datetime | None,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[WorklistItem], str | None]: ...

    def record_to_json(self, record: ClaimRecord) -> dict[str, Any]: ...

    def record_from_json(self, data: dict[str, Any]) -> ClaimRecord: ...


class PayerDirectory(Protocol):
    """The payer directory, each tenant's policy for a payer, each tenant's clearinghouse
    accounts and payer routes, what payers answered about members' coverage, and the
    authorizations they gave and require, as the use cases read them."""

    def load_payer(self, payer_id: str) -> Payer | None: ...

    def load_policy(self, tenant_id: str, payer_id: str) -> PayerPolicy | None: ...

    def load_accounts(self, tenant_id: str) -> Sequence[ClearinghouseAccount]: ...

    def load_routes(self, tenant_id: str) -> Sequence[PayerRoute]: ...

    def load_coverage(
        self, tenant_id: str, payer_id: str, member_id: str, birth_date: date | None
    ) -> Sequence[EligibilityCheck]:
        """The payer's eligibility answers for this member, newest first."""
        ...

    def load_authorization(self, tenant_id: str, authorization_id: str) -> Authorization | None:
        """A recorded prior authorization or referral."""
        ...

    def load_authorization_rules(
        self, tenant_id: str, payer_id: str
    ) -> Sequence[AuthorizationRules]:
        """Every version of the payer's authorization rules, oldest first."""
        ...

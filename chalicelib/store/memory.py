"""The claim repository and payer directory in memory: the same promises as DynamoDB
(version-checked saves, one original claim per payer and patient control number, pages with
cursors), so the use cases can be unit-tested in milliseconds. Not for production: one
process, nothing kept."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from chalicelib.claims.authorizations import Authorization, AuthorizationRules
from chalicelib.claims.eligibility import EligibilityCheck
from chalicelib.claims.lifecycle import Status
from chalicelib.claims.records import ClaimEvent, ClaimRecord
from chalicelib.claims.repository import ClaimPage, UnreadableClaimError
from chalicelib.claims.work_items import WorklistItem
from chalicelib.codec import decode, encode
from chalicelib.payers.accounts import ClearinghouseAccount, PayerRoute
from chalicelib.payers.directory import Payer
from chalicelib.payers.policies import PayerPolicy

from .errors import ConcurrentUpdateError, DuplicateClaimError, InvalidCursorError


class MemoryClaimRepository:
    def __init__(self) -> None:
        self._claims: dict[tuple[str, str], ClaimRecord] = {}
        self._guards: dict[tuple[str, str, str], str] = {}
        self._lock = threading.Lock()

    def create_claim(self, record: ClaimRecord) -> None:
        with self._lock:
            guard = (record.tenant_id, record.payer_id, record.patient_control_number)
            if record.frequency_code == "1" and guard in self._guards:
                raise DuplicateClaimError(self._guards[guard])
            key = (record.tenant_id, record.claim_id)
            if key in self._claims:
                raise ConcurrentUpdateError(record.claim_id)
            if record.frequency_code == "1":
                self._guards[guard] = record.claim_id
            self._claims[key] = replace(record, version=1)

    def save_claim_change(
        self, record: ClaimRecord, new_events: tuple[ClaimEvent, ...]
    ) -> ClaimRecord:
        with self._lock:
            key = (record.tenant_id, record.claim_id)
            current = self._claims.get(key)
            if current is None or current.version != record.version:
                raise ConcurrentUpdateError(record.claim_id)
            events = (*current.events, *new_events)
            saved = replace(record, version=(record.version or 0) + 1, events=events)
            self._claims[key] = saved
            return replace(record, version=saved.version)

    def set_aside(self, error: UnreadableClaimError, *, now: datetime) -> None:
        """Nothing in memory is unreadable: nothing to set aside."""

    def load_claim(self, tenant_id: str, claim_id: str) -> ClaimRecord | None:
        with self._lock:
            return self._claims.get((tenant_id, claim_id))

    def due_claims(
        self, action: str, until: datetime, *, limit: int, start: str | None = None
    ) -> ClaimPage:
        with self._lock:
            due = sorted(
                (
                    r
                    for r in self._claims.values()
                    if r.next_action == action and r.due_at is not None and r.due_at <= until
                ),
                key=lambda r: (r.due_at, r.tenant_id, r.claim_id),
            )
        return _page(due, start, limit)

    def claims_by_patient_control_number(self, tenant_id: str, pcn: str) -> ClaimPage:
        with self._lock:
            found = [
                r
                for (tenant, _), r in self._claims.items()
                if tenant == tenant_id and r.patient_control_number == pcn
            ]
        return ClaimPage(tuple(found), None)

    def list_claims(
        self,
        tenant_id: str,
        *,
        status: Status | None = None,
        payer_id: str | None = None,
        updated_since: datetime | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> ClaimPage:
        with self._lock:
            found = sorted(
                (
                    r
                    for (tenant, _), r in self._claims.items()
                    if tenant == tenant_id
                    and (status is None or r.status is status)
                    and (payer_id is None or r.payer_id == payer_id)
                    and (updated_since is None or r.updated_at >= updated_since)
                ),
                key=lambda r: (r.updated_at, r.claim_id),
            )
        return _page(found, cursor, limit)

    def worklist_page(
        self,
        tenant_id: str,
        *,
        kind: str | None,
        payer_id: str | None,
        older_than: datetime | None,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[WorklistItem], str | None]:
        with self._lock:
            items = sorted(
                (
                    item
                    for (tenant, _), r in self._claims.items()
                    if tenant == tenant_id and (payer_id is None or r.payer_id == payer_id)
                    for item in r.worklist
                    if (kind is None or item.kind == kind)
                    and (older_than is None or item.since <= older_than)
                ),
                key=lambda item: (item.since, item.claim_id or ""),
            )
        offset = _offset(cursor)
        rest = items[offset : offset + limit]
        more = offset + limit < len(items)
        return rest, str(offset + limit) if more else None

    def record_to_json(self, record: ClaimRecord) -> dict[str, Any]:
        encoded: dict[str, Any] = encode(record)
        return encoded

    def record_from_json(self, data: dict[str, Any]) -> ClaimRecord:
        return decode(ClaimRecord, data)


def _offset(cursor: str | None) -> int:
    if cursor is None:
        return 0
    if not cursor.isascii() or not cursor.isdigit():
        raise InvalidCursorError("cursor is malformed")
    return int(cursor)


def _page(records: list[ClaimRecord], cursor: str | None, limit: int) -> ClaimPage:
    offset = _offset(cursor)
    chosen = records[offset : offset + limit]
    more = offset + limit < len(records)
    return ClaimPage(tuple(chosen), str(offset + limit) if more else None)


class MemoryPayerDirectory:
    """Payers and each tenant's policies, as given."""

    def __init__(
        self,
        payers: dict[str, Payer],
        policies: dict[tuple[str, str], PayerPolicy] | None = None,
        accounts: Sequence[ClearinghouseAccount] = (),
        routes: Sequence[PayerRoute] = (),
    ) -> None:
        self._payers = payers
        self._policies = policies or {}
        self._accounts = tuple(accounts)
        self._routes = tuple(routes)

    def load_payer(self, payer_id: str) -> Payer | None:
        return self._payers.get(payer_id)

    def load_policy(self, tenant_id: str, payer_id: str) -> PayerPolicy | None:
        return self._policies.get((tenant_id, payer_id))

    def load_accounts(self, tenant_id: str) -> Sequence[ClearinghouseAccount]:
        return [a for a in self._accounts if a.tenant_id == tenant_id]

    def load_routes(self, tenant_id: str) -> Sequence[PayerRoute]:
        return [r for r in self._routes if r.tenant_id == tenant_id]

    def load_coverage(
        self, tenant_id: str, payer_id: str, member_id: str, birth_date: date | None
    ) -> Sequence[EligibilityCheck]:
        return ()  # no eligibility checks are kept in memory

    def load_authorization(self, tenant_id: str, authorization_id: str) -> Authorization | None:
        return None  # nor authorizations

    def load_authorization_rules(
        self, tenant_id: str, payer_id: str
    ) -> Sequence[AuthorizationRules]:
        return ()

"""Use cases: join the pure domain (claims, payers) with the store. Handlers call these and
only translate HTTP; these never see a request object.

Ids and `now` are passed in by the caller so a use case is repeatable in tests.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from chalicelib.claims.eligibility import EligibilityCheck, coverage_edits
from chalicelib.claims.lifecycle import Event, Status, apply_event
from chalicelib.claims.model import Claim
from chalicelib.claims.records import ClaimEvent, ClaimRecord, with_event
from chalicelib.claims.repository import ClaimPage
from chalicelib.claims.scrub import ScrubFinding, scrub_claim
from chalicelib.store.errors import ConcurrentUpdateError
from chalicelib.wiring import claim_repository, payer_directory

from .authorizations import authorization_findings, count_units
from .lookups import find_payer
from .worklist import policy_in_force, with_worklist


class ClaimRejectedError(Exception):
    """The claim failed scrubbing; nothing was stored."""

    def __init__(self, findings: tuple[ScrubFinding, ...]) -> None:
        self.findings = findings
        super().__init__(f"{len(findings)} scrub finding(s)")


def new_claim_id() -> str:
    return f"clm_{uuid.uuid4().hex}"


def check_claim(tenant_id: str, claim: Claim, *, now: datetime) -> tuple[ScrubFinding, ...]:
    """Every scrub finding plus the edits that need the directory (the payer must exist), the
    payer's eligibility answers and the authorizations on file."""
    return scrub_with_coverage(tenant_id, claim, now=now)[0]


def scrub_with_coverage(
    tenant_id: str, claim: Claim, *, now: datetime
) -> tuple[tuple[ScrubFinding, ...], EligibilityCheck | None]:
    """The findings, and the eligibility answer they were held to."""
    findings = scrub_claim(claim, today=now.date())
    if find_payer(tenant_id, claim.trading_partner_service_id) is None:
        findings += (
            ScrubFinding(
                field="tradingPartnerServiceId",
                code="payer_unknown",
                message="payer id is not in the payer directory",
                severity="error",
            ),
        )
        return findings, None
    check = latest_coverage(tenant_id, claim)
    if check is not None:
        findings += coverage_edits(claim, check)
    return findings + authorization_findings(tenant_id, claim, check), check


def first_action(
    tenant_id: str, claim: Claim, check: EligibilityCheck | None, *, now: datetime
) -> str:
    """`send`, or `verify` when the payer's policy wants coverage confirmed within some days
    before a claim goes out and no answer that recent is on file."""
    policy = policy_in_force(tenant_id, claim.trading_partner_service_id)
    days = policy.verify_eligibility_days if policy is not None else None
    if days is None or (check is not None and check.checked_at >= now - timedelta(days=days)):
        return "send"
    return "verify"


def latest_coverage(tenant_id: str, claim: Claim) -> EligibilityCheck | None:
    """The payer's newest eligibility answer for the claim's patient: one checked for the
    claim's date of service if there is one, else the newest."""
    patient_birth = (
        claim.dependent.date_of_birth if claim.dependent else claim.subscriber.date_of_birth
    )
    checks = payer_directory().load_coverage(
        tenant_id, claim.trading_partner_service_id, claim.subscriber.member_id, patient_birth
    )
    lines = claim.claim_information.service_lines
    service = min((line.service_date for line in lines), default=None)
    for check in checks:
        if check.date_of_service == service:
            return check
    return checks[0] if checks else None


def blocking(findings: tuple[ScrubFinding, ...]) -> tuple[ScrubFinding, ...]:
    return tuple(f for f in findings if f.severity == "error")


def submit_claim(
    tenant_id: str,
    claim: Claim,
    *,
    claim_id: str,
    now: datetime,
    source: str = "api",
    parent_claim_id: str | None = None,
    replaces_claim_id: str | None = None,
) -> tuple[ClaimRecord, tuple[ScrubFinding, ...]]:
    """Scrub and store a new claim as `queued`. Raises ClaimRejectedError (nothing stored) when
    any blocking finding exists, DuplicateClaimError when an original claim with the same
    patient control number is already on file for this payer."""
    findings, check = scrub_with_coverage(tenant_id, claim, now=now)
    if blocking(findings):
        raise ClaimRejectedError(blocking(findings))
    status = apply_event(None, Event.CREATED)
    record = ClaimRecord(
        tenant_id=tenant_id,
        claim_id=claim_id,
        status=status,
        claim=claim,
        created_at=now,
        updated_at=now,
        event_count=1,
        parent_claim_id=parent_claim_id,
        replaces_claim_id=replaces_claim_id,
        next_action=first_action(tenant_id, claim, check, now=now),
        due_at=now,
        status_since=now,
        events=(
            ClaimEvent(
                seq=1,
                at=now,
                source=source,
                event=Event.CREATED,
                from_status=None,
                to_status=status,
                codes=tuple(f.code for f in findings),
                # The payer's eligibility answer the claim was held to, when there was one.
                detail={"eligibilityId": check.check_id} if check is not None else {},
            ),
        ),
    )
    record = with_worklist(record, now=now)
    # Before the claim exists: a retry sets the same count again, and a claim never created
    # after it shows under its patient control number on the authorization (never a count lost).
    count_units(tenant_id, claim, now=now)
    claim_repository().create_claim(record)
    return record, findings


def get_claim(tenant_id: str, claim_id: str) -> ClaimRecord | None:
    return claim_repository().load_claim(tenant_id, claim_id)


def sent_interchange(record: ClaimRecord) -> bytes:
    """The 837P interchange the claim was sent in, exactly as archived."""
    from chalicelib.store.archive import load_raw

    return load_raw(record.x12_key or "")


def list_claims(
    tenant_id: str,
    *,
    status: Status | None,
    payer_id: str | None,
    updated_since: datetime | None,
    limit: int,
    cursor: str | None,
) -> ClaimPage:
    return claim_repository().list_claims(
        tenant_id,
        status=status,
        payer_id=payer_id,
        updated_since=updated_since,
        limit=limit,
        cursor=cursor,
    )


ClaimChange = Callable[[ClaimRecord], tuple[ClaimRecord, tuple[ClaimEvent, ...]]]
_UPDATE_ATTEMPTS = 3


class ClaimNotFoundError(Exception):
    def __init__(self, claim_id: str) -> None:
        self.claim_id = claim_id
        super().__init__(f"claim {claim_id} not found")


def update_claim(
    tenant_id: str, claim_id: str, change: ClaimChange, *, read: ClaimRecord | None = None
) -> ClaimRecord:
    """Read, change, save with the version check; on a concurrent update read again and
    re-apply `change` (it must be a pure function of the record). `read`: the claim as the
    caller already read it (from an index: it may be stale, the version check says so), so the
    first try costs no read. Raises ClaimNotFoundError, LifecycleError from `change`, or
    ConcurrentUpdateError after repeated conflicts."""
    for attempt in range(_UPDATE_ATTEMPTS):
        record = read if attempt == 0 and read is not None else None
        record = record or claim_repository().load_claim(tenant_id, claim_id)
        if record is None:
            raise ClaimNotFoundError(claim_id)
        updated, events = change(record)
        updated = with_worklist(updated, now=updated.updated_at)
        try:
            return claim_repository().save_claim_change(updated, events)
        except ConcurrentUpdateError:
            if attempt == _UPDATE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def transition(
    tenant_id: str,
    claim_id: str,
    event: Event,
    *,
    at: datetime,
    source: str,
    codes: tuple[str, ...] = (),
    detail: Mapping[str, str] | None = None,
    **changes: object,
) -> ClaimRecord:
    """Move a claim through the lifecycle table and record the event on its history."""

    def change(record: ClaimRecord) -> tuple[ClaimRecord, tuple[ClaimEvent, ...]]:
        updated, entry = with_event(
            record, event, at=at, source=source, codes=codes, detail=detail, **changes
        )
        return updated, (entry,)

    return update_claim(tenant_id, claim_id, change)

"""Coverage confirmed before a claim goes out, where the payer's policy asks for it
(`verify_eligibility_days`): such a claim is queued with the action `verify` instead of
`send`. The eligibility-recheck schedule takes the due ones and fans them out over the work
queue, ten claim ids a message (no PHI on the queue); the worker asks each payer (within its
checks a minute, as eligibility batches do) and then, in one version-checked write on the
claim:

| the payer's answer | the claim |
| --- | --- |
| covered, nothing the scrub blocks | released: `send`, due now |
| inactive, member unknown or replaced | `scrub_failed`: `rejected`, on the worklist |
| none (payer unavailable, refused) | released, `eligibility:unverified` (filing limits first) |

A claim whose action is no longer `verify` (answered by an earlier delivery, corrected, sent)
is left alone, so a message delivered twice changes each claim once.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from chalicelib.claims.eligibility import EligibilityCheck, coverage_edits
from chalicelib.claims.lifecycle import Event, Status
from chalicelib.claims.model import BILLING, Claim
from chalicelib.claims.records import ClaimEvent, ClaimRecord, with_event
from chalicelib.codec import decode, encode
from chalicelib.schedules.runs import Run
from chalicelib.store.queue import send_part_messages
from chalicelib.wiring import claim_repository
from chalicelib.x12.write.inquiry import Person, Provider

from .claims import ClaimNotFoundError, blocking, update_claim
from .due import by_tenant, report_unreadable, take_due
from .eligibility import Inquiry, check_eligibility
from .eligibility_batches import take_payer_turn
from .errors import RefusedError
from .leases import tenant_lease

KIND = "claim-eligibility"
SOURCE = "eligibility-recheck"
CLAIMS_PER_MESSAGE = 10
VERIFY_LEASE = timedelta(minutes=15)  # a message lost or dead-lettered: the claim is due again
Fanout = Callable[[Sequence[str]], None]


@dataclass(frozen=True, slots=True)
class ClaimCheckMessage:
    kind: str
    tenant_id: str
    claim_ids: tuple[str, ...]


def recheck_claims(
    run: Run, *, now: datetime, fanout: Fanout = send_part_messages, limit: int = 500
) -> None:
    """Take the claims due for a coverage check and send them to the work queue."""
    page = claim_repository().due_claims("verify", now, limit=limit)
    due = list(page.claims)
    report_unreadable(run, page, now=now)
    run.examined += len(due)
    for tenant_id, records in by_tenant(due).items():
        with tenant_lease(run, tenant_id, now=now) as held:
            if not held:
                continue
            taken = take_due(run, records, now=now, lease=VERIFY_LEASE)
            ids = [record.claim_id for record in taken]
            fanout(
                [
                    json.dumps(
                        encode(
                            ClaimCheckMessage(
                                KIND, tenant_id, tuple(ids[i : i + CLAIMS_PER_MESSAGE])
                            )
                        )
                    )
                    for i in range(0, len(ids), CLAIMS_PER_MESSAGE)
                ]
            )
            run.acted += len(ids)
            run.count("claims_to_verify", len(ids))


def inquiry_for(claim: Claim) -> Inquiry:
    """The 270 question a claim asks: its payer, billing provider, subscriber (and dependent),
    health benefit plan coverage (30) on its first date of service."""
    billing = claim.provider(BILLING)
    name = (billing.organization_name or billing.last_name or "") if billing else ""
    subscriber, dependent = claim.subscriber, claim.dependent
    lines = claim.claim_information.service_lines
    return Inquiry(
        payer_id=claim.trading_partner_service_id,
        provider=Provider(
            name,
            billing.npi if billing else "",
            billing.first_name if billing and not billing.organization_name else None,
        ),
        subscriber=Person(
            subscriber.last_name,
            subscriber.first_name,
            subscriber.middle_name,
            member_id=subscriber.member_id,
            birth_date=subscriber.date_of_birth,
            gender=subscriber.gender,
        ),
        dependent=None
        if dependent is None
        else Person(
            dependent.last_name,
            dependent.first_name,
            dependent.middle_name,
            birth_date=dependent.date_of_birth,
            gender=dependent.gender,
        ),
        service_types=("30",),
        date_of_service=min((line.service_date for line in lines), default=None),
    )


class _NotWaitingError(Exception):
    """The claim is no longer waiting for its coverage check."""


def _waiting(record: ClaimRecord) -> bool:
    return record.status is Status.QUEUED and record.next_action == "verify"


def work_message(body: str, *, now: datetime) -> int:
    """Check each claim of the message that still waits; how many were decided. Raises
    PayerBusyError when a payer's minute is used up (the decided ones stay decided)."""
    message = decode(ClaimCheckMessage, json.loads(body))
    decided = 0
    for claim_id in message.claim_ids:
        record = claim_repository().load_claim(message.tenant_id, claim_id)
        if record is None or not _waiting(record):
            continue
        take_payer_turn(message.tenant_id, record.payer_id, now=now)
        try:
            check: EligibilityCheck | None = check_eligibility(
                message.tenant_id, inquiry_for(record.claim), now=now
            )
        except RefusedError:
            check = None
        try:
            update_claim(
                message.tenant_id,
                claim_id,
                partial(_decide, check=check, now=now),
                read=record,
            )
        except (_NotWaitingError, ClaimNotFoundError):
            continue
        decided += 1
    return decided


def _decide(
    current: ClaimRecord, check: EligibilityCheck | None, now: datetime
) -> tuple[ClaimRecord, tuple[ClaimEvent, ...]]:
    """The claim after the payer's answer (module docstring's table)."""
    if not _waiting(current):
        raise _NotWaitingError(current.claim_id)
    codes: tuple[str, ...]
    if check is None:
        event, codes, release = Event.NOTE, ("eligibility:unverified",), True
    else:
        refused = blocking(coverage_edits(current.claim, check))
        if refused:
            event, codes, release = Event.SCRUB_FAILED, tuple(f.code for f in refused), False
        else:
            event, codes, release = Event.NOTE, ("eligibility:verified",), True
    detail = {"eligibilityId": check.check_id} if check is not None else {}
    updated, entry = with_event(
        current,
        event,
        at=now,
        source=SOURCE,
        codes=codes,
        detail=detail,
        next_action="send" if release else None,
        due_at=now if release else None,
    )
    return updated, (entry,)


__all__ = ["KIND", "inquiry_for", "recheck_claims", "work_message"]

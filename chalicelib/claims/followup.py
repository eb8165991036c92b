"""Claim follow-up: which claims get a 276 status inquiry now, in which batches, and what the
277 answer means for each claim (DESIGN.md "Scheduled work", claim follow-ups). Decide only:
the follow-up service sends the 276s, records each decision on the claim's history under
`STATUS_CHECK_SOURCE` and sets its next status check.

Planning (`plan_followups`): one batch per tenant, gateway, payer and practice, at most
`batch_size` claims. The practice splits batches because a 276 has one information receiver
(X212 loop 2100B), and that is the practice. Claims that need no check are skipped with a
reason (`SKIP_REASONS`). Every claim, batched or skipped, carries its timely-filing risk: not
yet accepted by the payer and within 30 days of the payer's filing limit.

Answers (`decide_followup`), by the claim's 277 loop 2200D/E STC01-1 category. The lifecycle
event is `acknowledgments.decide_status`'s, with one exception: "not found"; the schedule and
the worklist item are decided here.

| 277 answer | event | next check | worklist |
| --- | --- | --- | --- |
| not found: A4, D0, or A* with 508 code 26/33/34/35 | PAYER_REJECTED | none | not_found_at_payer |
| A3, A6, A7, A8 rejected | PAYER_REJECTED (1) | none | payer_rejected (1) |
| R0-R16 information requested | INFO_REQUESTED | interval | info_requested |
| F0-F4 finalized, 835 to come | STATUS_PENDING | 2 x interval | - |
| P0-P5 pending | STATUS_PENDING | interval | - |
| A0, A1, A2, A5 acknowledged | NOTE / PAYER_ACCEPTED | interval | - |
| E0-E4 (our inquiry or their system), unknown | NOTE | interval | - |
| no 2200D/E loop for the claim | NOTE | interval | - |

(1) CLEARINGHOUSE_REJECTED and clearinghouse_rejected when a clearinghouse sent the 277
(2100A NM1*AY / 41), as decide_status has it.

Not found is PAYER_REJECTED, not a note, although decide_status notes D0: the payer holds
nothing to adjudicate, and payer_rejected is the status from which the lifecycle lets a biller
resubmit (RESUBMIT -> queued). Then, whatever the answer: when this check reaches the policy's
`max_status_checks` and another check would follow, none is scheduled and `no_response` is
raised; an event the lifecycle refuses in the claim's status is recorded as a NOTE with
`refused` in its detail, never dropped; and a claim the payer no longer holds after the
event (a late answer for a paid claim) gets no next check.

Appealed claims are checked like any claim at the payer: the 277 follows the reprocessing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from types import MappingProxyType

from chalicelib.payers.policies import (
    PayerPolicy,
    checks_exhausted,
    first_check_due,
    next_check_due,
    timely_filing_at_risk,
    timely_filing_deadline,
)
from chalicelib.x12.read.status277 import ClaimStatus
from chalicelib.x12.write.inquiry import InformationReceiver, Payer, Person, Provider
from chalicelib.x12.write.status276 import ClaimStatusInquiry, ClaimStatusRequest

from .acknowledgments import CLEARINGHOUSE_ENTITY_CODES, decide_status
from .lifecycle import Event, Status, allowed_events, apply_event
from .model import BILLING, Claim
from .records import ClaimRecord
from .work_items import WorklistItem
from .worklist import (
    KIND_ACTIONS,
    NOT_ACCEPTED_STATUSES,
    OPEN_AT_PAYER_STATUSES,
    STATUS_CHECK_SOURCE,
    TIMELY_FILING_WINDOW_DAYS,
    is_not_found,
    status_checks_done,
)

NEXT_ACTION = "status_check"  # ClaimRecord.next_action while a status check is scheduled

SKIP_REASONS: Mapping[str, str] = MappingProxyType(
    {
        "adjudicated": "The 835 answered (paid, partially paid, denied or reversed).",
        "closed": "The claim is closed.",
        "not_at_payer": "Not with the payer (queued or rejected): nothing to ask about.",
        "checks_exhausted": "The payer policy's status checks are used up; a person takes over.",
        "not_due": "The first check is not due yet (the payer cannot have adjudicated).",
        "cannot_inquire": "The claim lacks what a 276 requires (billing provider, birth date).",
    }
)

_SKIP_BY_STATUS: Mapping[Status, str] = MappingProxyType(
    {
        Status.PAID: "adjudicated",
        Status.PARTIALLY_PAID: "adjudicated",
        Status.DENIED: "adjudicated",
        Status.REVERSED: "adjudicated",
        Status.CLOSED: "closed",
        Status.QUEUED: "not_at_payer",
        Status.REJECTED: "not_at_payer",
        Status.CLEARINGHOUSE_REJECTED: "not_at_payer",
        Status.PAYER_REJECTED: "not_at_payer",
    }
)

# What a 277 answer is, for the schedule and the worklist (the event is decide_status's).
NOT_FOUND = "not_found"
REJECTED = "rejected"
INFO_REQUESTED = "info_requested"
FINALIZED = "finalized"
PENDING = "pending"
ACKNOWLEDGED = "acknowledged"
ERROR = "error"
UNKNOWN = "unknown"
NO_ANSWER = "no_answer"

# Answer -> how many status-check intervals until the next check; None stops the checks.
# Finalized waits two intervals: the 835 should come first; the check is for when it never does.
NEXT_CHECK_INTERVALS: Mapping[str, int | None] = MappingProxyType(
    {
        NOT_FOUND: None,
        REJECTED: None,
        INFO_REQUESTED: 1,
        FINALIZED: 2,
        PENDING: 1,
        ACKNOWLEDGED: 1,
        ERROR: 1,
        UNKNOWN: 1,
        NO_ANSWER: 1,
    }
)

_REJECTIONS = frozenset({Event.PAYER_REJECTED, Event.CLEARINGHOUSE_REJECTED})


# -- planning ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DueClaim:
    """A claim whose status check is due, with what the planner needs: identity and routing,
    where it stands, its dates and money, and the Claim itself for the 276 fields."""

    tenant_id: str
    claim_id: str
    payer_id: str
    gateway: str
    status: Status
    submitted_on: date | None  # first sent to the clearinghouse; None if never sent
    service_date_from: date
    service_date_to: date
    status_checks: int  # checks made so far
    charge_amount: Decimal
    patient_control_number: str
    payer_claim_control_number: str | None  # REF*1K once the payer has assigned one
    claim: Claim
    policy: PayerPolicy


@dataclass(frozen=True, slots=True)
class PlannedInquiry:
    """One claim in a 276: `inquiry` is its loop 2200D/E (and the people above it)."""

    tenant_id: str
    claim_id: str
    check_number: int  # 1 for the first status check
    inquiry: ClaimStatusInquiry
    timely_filing_risk: bool
    filing_deadline: date


@dataclass(frozen=True, slots=True)
class InquiryBatch:
    """One 276 transaction set: one tenant, gateway, payer and practice."""

    tenant_id: str
    gateway: str
    payer_id: str
    payer: Payer  # 2100A NM1*PR
    practice_name: str  # 2100B NM1*41 NM103: the billing provider's name
    practice_npi: str  # the billing provider's NPI
    reference_id: str  # BHT03, echoed in the 277: same claims and checks, same id
    inquiries: tuple[PlannedInquiry, ...]


@dataclass(frozen=True, slots=True)
class SkippedClaim:
    """A due claim that gets no 276 now. `next_check_at` reschedules it (not_due); None ends
    its status checks."""

    tenant_id: str
    claim_id: str
    payer_id: str
    reason: str  # a SKIP_REASONS key
    detail: str
    timely_filing_risk: bool
    filing_deadline: date
    next_check_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class FollowupPlan:
    batches: tuple[InquiryBatch, ...]
    skipped: tuple[SkippedClaim, ...]

    @property
    def at_risk(self) -> tuple[PlannedInquiry | SkippedClaim, ...]:
        """Every claim flagged at risk of missing the payer's filing limit."""
        items: list[PlannedInquiry | SkippedClaim] = [
            item for batch in self.batches for item in batch.inquiries
        ]
        items.extend(self.skipped)
        return tuple(item for item in items if item.timely_filing_risk)


def due_time(day: date, now: datetime) -> datetime:
    """A policy date as a due time: that day at the time of day of `now`, in its zone."""
    return datetime.combine(day, now.timetz())


def service_dates(claim: Claim) -> tuple[date, date]:
    """First and last date of service over the lines (DTP*472 RD8 of the 276)."""
    lines = claim.claim_information.service_lines
    if not lines:
        raise ValueError("a claim without service lines has no dates of service")
    first = min(line.service_date for line in lines)
    last = max(line.service_date_end or line.service_date for line in lines)
    return first, last


def submitted_at(record: ClaimRecord) -> datetime | None:
    """When the claim first went to the clearinghouse: kept on the claim (so a planner reading
    the due index needs no history), else its first SENT event."""
    if record.submitted_at is not None:
        return record.submitted_at
    return next((e.at for e in record.events if e.event is Event.SENT), None)


def known_payer_claim_control_number(record: ClaimRecord) -> str | None:
    """The payer's claim number (REF*1K) the latest 277 or 835 gave us, if any."""
    if record.payer_claim_control_number:
        return record.payer_claim_control_number
    for event in reversed(record.events):
        found = event.detail.get("payerClaimControlNumber")
        if found:
            return found
    for posting in reversed(record.remittances):
        if posting.payer_claim_control_number:
            return posting.payer_claim_control_number
    return None


def due_claim(record: ClaimRecord, claim: Claim, *, gateway: str, policy: PayerPolicy) -> DueClaim:
    """The planner's view of a stored claim (`claim` is its body)."""
    first, last = service_dates(claim)
    sent = submitted_at(record)
    return DueClaim(
        tenant_id=record.tenant_id,
        claim_id=record.claim_id,
        payer_id=record.payer_id,
        gateway=gateway,
        status=record.status,
        submitted_on=None if sent is None else sent.date(),
        service_date_from=first,
        service_date_to=last,
        status_checks=status_checks_done(record),
        charge_amount=record.charge_amount,
        patient_control_number=record.patient_control_number,
        payer_claim_control_number=known_payer_claim_control_number(record),
        claim=claim,
        policy=policy,
    )


def _service_provider(claim: Claim) -> Provider | None:
    """2100C: the billing provider (837P 2010AA), by NPI; a person when it has no org name."""
    billing = claim.provider(BILLING)
    if billing is None:
        return None
    if billing.organization_name:
        return Provider(billing.organization_name, billing.npi)
    return Provider(billing.last_name or "", billing.npi, billing.first_name)


def status_inquiry(due: DueClaim) -> ClaimStatusInquiry:
    """The claim's 276 loop 2200D/E with the provider and people above it (X212 2100C-E):
    REF*1K when the payer's number is known, REF*EJ our CLM01, AMT*T3 the claim charge,
    DTP*472 RD8 the service dates."""
    claim = due.claim
    provider = _service_provider(claim)
    if provider is None:
        raise ValueError(f"claim {due.claim_id} has no billing provider")
    subscriber = claim.subscriber
    dependent = claim.dependent
    return ClaimStatusInquiry(
        provider=provider,
        subscriber=Person(
            last_name=subscriber.last_name,
            first_name=subscriber.first_name or None,
            member_id=subscriber.member_id,
            birth_date=subscriber.date_of_birth,
            gender=subscriber.gender,
        ),
        patient_control_number=due.patient_control_number,
        total_charge=due.charge_amount,
        service_date_from=due.service_date_from,
        service_date_to=(
            None if due.service_date_to == due.service_date_from else due.service_date_to
        ),
        dependent=None
        if dependent is None
        else Person(
            last_name=dependent.last_name,
            first_name=dependent.first_name or None,
            birth_date=dependent.date_of_birth,
            gender=dependent.gender,
        ),
        payer_claim_control_number=due.payer_claim_control_number,
    )


def _cannot_inquire(claim: Claim) -> str | None:
    """What a 276 needs that the claim lacks (render_276 would refuse the whole batch)."""
    if claim.provider(BILLING) is None:
        return "no billing provider"
    patient = claim.subscriber if claim.dependent is None else claim.dependent
    if patient.date_of_birth is None:
        return "the patient's birth date is missing (2000D/E DMG)"
    return None


def _skip(due: DueClaim, today: date, now: datetime) -> tuple[str, str, datetime | None] | None:
    reason = _SKIP_BY_STATUS.get(due.status)
    if reason is not None:
        return reason, f"status {due.status.value}", None
    if checks_exhausted(due.status_checks, due.policy):
        return "checks_exhausted", f"{due.status_checks} checks made", None
    if due.status_checks == 0 and due.submitted_on is not None:
        first = first_check_due(due.submitted_on, due.policy)
        if first > today:
            return "not_due", f"first check due {first.isoformat()}", due_time(first, now)
    missing = _cannot_inquire(due.claim)
    if missing is not None:
        return "cannot_inquire", missing, None
    return None


def _reference_id(key: tuple[str, ...], inquiries: Sequence[PlannedInquiry]) -> str:
    """Deterministic, so a re-run of the same plan sends the same BHT03 (max 50)."""
    text = "|".join((*key, *(f"{i.claim_id}#{i.check_number}" for i in inquiries)))
    return "FU" + hashlib.sha256(text.encode()).hexdigest()[:20].upper()


def plan_followups(due: Sequence[DueClaim], *, now: datetime, batch_size: int) -> FollowupPlan:
    """Batch the claims that need a 276 and skip the rest with a reason, in arrival order; a
    claim listed twice is planned once."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    today = now.date()
    groups: dict[tuple[str, str, str, str], list[tuple[DueClaim, PlannedInquiry]]] = {}
    skipped: list[SkippedClaim] = []
    seen: set[tuple[str, str]] = set()
    for item in due:
        if (item.tenant_id, item.claim_id) in seen:
            continue
        seen.add((item.tenant_id, item.claim_id))
        deadline = timely_filing_deadline(item.service_date_from, item.policy)
        risk = item.status in NOT_ACCEPTED_STATUSES and timely_filing_at_risk(
            item.service_date_from, today, item.policy, within_days=TIMELY_FILING_WINDOW_DAYS
        )
        skip = _skip(item, today, now)
        if skip is not None:
            reason, detail, next_check = skip
            skipped.append(
                SkippedClaim(
                    tenant_id=item.tenant_id,
                    claim_id=item.claim_id,
                    payer_id=item.payer_id,
                    reason=reason,
                    detail=detail,
                    timely_filing_risk=risk,
                    filing_deadline=deadline,
                    next_check_at=next_check,
                )
            )
            continue
        inquiry = status_inquiry(item)
        key = (item.tenant_id, item.gateway, item.payer_id, inquiry.provider.npi)
        planned = PlannedInquiry(
            item.tenant_id, item.claim_id, item.status_checks + 1, inquiry, risk, deadline
        )
        groups.setdefault(key, []).append((item, planned))

    batches: list[InquiryBatch] = []
    for key, members in groups.items():
        tenant_id, gateway, payer_id, npi = key
        for start in range(0, len(members), batch_size):
            chunk = members[start : start + batch_size]
            claim = chunk[0][0].claim
            inquiries = tuple(planned for _, planned in chunk)
            batches.append(
                InquiryBatch(
                    tenant_id=tenant_id,
                    gateway=gateway,
                    payer_id=payer_id,
                    payer=Payer(
                        claim.trading_partner_name or claim.receiver_name,
                        claim.trading_partner_service_id,
                    ),
                    practice_name=inquiries[0].inquiry.provider.name,
                    practice_npi=npi,
                    reference_id=_reference_id(key, inquiries),
                    inquiries=inquiries,
                )
            )
    return FollowupPlan(tuple(batches), tuple(skipped))


def build_276_request(
    batch: InquiryBatch, *, receiver_etin: str | None = None
) -> ClaimStatusRequest:
    """The ClaimStatusRequest render_276 takes. The information receiver (2100B) is the
    practice: by our ETIN at the clearinghouse (NM108 46) when given, else its NPI (XX)."""
    receiver = (
        InformationReceiver(batch.practice_name, receiver_etin, "46")
        if receiver_etin
        else InformationReceiver(batch.practice_name, batch.practice_npi, "XX")
    )
    return ClaimStatusRequest(
        payer=batch.payer,
        information_receiver=receiver,
        inquiries=tuple(item.inquiry for item in batch.inquiries),
        reference_id=batch.reference_id,
    )


# -- answers -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FollowupDecision:
    """What one status check's answer means: the event to record (NOTE when it only records)
    with its codes and detail, when to check next (None: stop), and the worklist items."""

    claim_id: str
    answer: str  # NOT_FOUND, REJECTED, INFO_REQUESTED, FINALIZED, PENDING, ... NO_ANSWER
    event: Event
    codes: tuple[str, ...]
    check_number: int
    next_check_at: datetime | None
    worklist: tuple[WorklistItem, ...] = ()
    detail: Mapping[str, str] = field(default_factory=dict)
    source: str = STATUS_CHECK_SOURCE

    @property
    def next_action(self) -> str | None:
        """ClaimRecord.next_action to store with `next_check_at` as its due time."""
        return None if self.next_check_at is None else NEXT_ACTION


def _answer(claim_status: ClaimStatus | None, event: Event, codes: Sequence[str]) -> str:
    if claim_status is None or not claim_status.statuses:
        return NO_ANSWER
    if is_not_found(codes):
        return NOT_FOUND
    if event in _REJECTIONS:
        return REJECTED
    if event is Event.INFO_REQUESTED:
        return INFO_REQUESTED
    families = {status.category[:1] for status in claim_status.statuses}
    for family, answer in (("F", FINALIZED), ("P", PENDING), ("A", ACKNOWLEDGED), ("E", ERROR)):
        if family in families:
            return answer
    return UNKNOWN


def _item(
    record: ClaimRecord, kind: str, codes: tuple[str, ...], now: datetime, detail: str
) -> WorklistItem:
    return WorklistItem(
        kind=kind,
        claim_id=record.claim_id,
        payer_id=record.payer_id,
        since=now,
        codes=codes,
        suggested_action=KIND_ACTIONS[kind],
        detail=detail,
        amount=record.charge_amount,
    )


_ANSWER_ITEMS: Mapping[str, str] = MappingProxyType(
    {NOT_FOUND: "not_found_at_payer", REJECTED: "payer_rejected", INFO_REQUESTED: "info_requested"}
)


def decide_followup(
    claim_status: ClaimStatus | None,
    *,
    record: ClaimRecord,
    policy: PayerPolicy,
    now: datetime,
) -> FollowupDecision:
    """Apply a 277's answer for one claim (None: the 277 had no loop for it, or no 277 came)
    to the claim as it stands before this check (see the module table)."""
    check_number = status_checks_done(record) + 1
    detail = {"check": str(check_number)}
    event: Event = Event.NOTE
    codes: tuple[str, ...] = ()
    if claim_status is not None and claim_status.statuses:
        payer = claim_status.payer
        from_clearinghouse = payer is not None and payer.entity_code in CLEARINGHOUSE_ENTITY_CODES
        status_decision = decide_status(
            claim_status.statuses, from_clearinghouse=from_clearinghouse
        )
        event, codes = status_decision.event, status_decision.codes
        if not status_decision.known:
            detail["unknownCategory"] = "true"
        if claim_status.payer_claim_control_number:
            detail["payerClaimControlNumber"] = claim_status.payer_claim_control_number
    answer = _answer(claim_status, event, codes)
    if answer == NOT_FOUND:
        event = Event.PAYER_REJECTED
    decided = event
    detail["answer"] = answer
    if event not in allowed_events(record.status):
        detail["refused"] = event.value
        event = Event.NOTE

    items: list[WorklistItem] = []
    kind = _ANSWER_ITEMS.get(answer)
    if decided is Event.CLEARINGHOUSE_REJECTED:
        kind = "clearinghouse_rejected"
    if kind is not None:
        items.append(_item(record, kind, codes, now, f"277 answer to status check {check_number}"))

    # A late answer for a claim the payer no longer holds (paid, rejected ...) schedules nothing.
    still_open = apply_event(record.status, event) in OPEN_AT_PAYER_STATUSES
    intervals = NEXT_CHECK_INTERVALS[answer] if still_open else None
    next_check: datetime | None = None
    if intervals is not None:
        if checks_exhausted(check_number, policy):
            items.append(
                _item(
                    record,
                    "no_response",
                    codes,
                    now,
                    f"{check_number} status checks; last answer {answer}",
                )
            )
        else:
            day = now.date()
            for _ in range(intervals):
                day = next_check_due(day, policy)
            next_check = due_time(day, now)
    return FollowupDecision(
        claim_id=record.claim_id,
        answer=answer,
        event=event,
        codes=codes,
        check_number=check_number,
        next_check_at=next_check,
        worklist=tuple(items),
        detail=detail,
    )


def next_action_after(record: ClaimRecord, policy: PayerPolicy, now: datetime) -> datetime | None:
    """When to check a claim that has just become submitted or accepted (or is otherwise with
    the payer): the first check counts from submission, a later one from the last check;
    never earlier than `now`. None for a claim the payer no longer (or not yet) holds, or whose
    checks are used up."""
    if record.status not in OPEN_AT_PAYER_STATUSES:
        return None
    checks = [e.at for e in record.events if e.source == STATUS_CHECK_SOURCE]
    if checks_exhausted(len(checks), policy):
        return None
    if checks:
        day = next_check_due(checks[-1].date(), policy)
    else:
        sent = submitted_at(record)
        day = first_check_due((sent or now).date(), policy)
    return max(due_time(day, now), now)

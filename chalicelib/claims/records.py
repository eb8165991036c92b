"""A stored claim as the domain sees it: the typed claim, its status, append-only history,
postings, flags and worklist. Built by the store from its items and by the use cases before
saving; never a PynamoDB model, never the API's request shape."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal

from .lifecycle import Event, Status, apply_event
from .model import Claim
from .posting import Posting
from .variance import VarianceFlag
from .work_items import WorklistItem, WorkState


@dataclass(frozen=True, slots=True)
class ClaimEvent:
    """One entry of a claim's history: what happened, when, from which source, with which codes
    (e.g. 277CA category/status codes, CARC/RARC). `to_status` equals `from_status` for events
    that only record something."""

    seq: int
    at: datetime
    source: str
    event: Event
    from_status: Status | None
    to_status: Status
    codes: tuple[str, ...] = ()
    detail: Mapping[str, str] = field(default_factory=dict)
    # Who caused it (chalicelib.actor): a key id and the name it was issued to, a schedule.
    actor: str | None = None
    actor_name: str | None = None


@dataclass(frozen=True, slots=True)
class Appeal:
    """One appeal of a claim (or of some of its lines: 1-based `line_numbers`, empty for the
    whole claim). `paid_before` is what the payer had paid when it was made; `requested` the
    amount in dispute; `recovered` what later remittances added."""

    appeal_id: str
    created_at: datetime
    status: str
    reason_codes: tuple[str, ...]
    argument: str
    paid_before: Decimal
    requested: Decimal
    line_numbers: tuple[int, ...] = ()
    deadline: date | None = None
    attachments: tuple[str, ...] = ()  # archive keys of the documents sent with it
    recovered: Decimal | None = None
    sent_at: datetime | None = None
    closed_at: datetime | None = None
    allowed_before: Decimal | None = None  # what the payer allowed, for an underpayment


@dataclass(frozen=True, slots=True)
class ClaimRecord:
    tenant_id: str
    claim_id: str
    status: Status
    claim: Claim
    created_at: datetime
    updated_at: datetime
    version: int | None = None
    events: tuple[ClaimEvent, ...] = ()
    event_count: int = 0
    # What a schedule must do next and when (`send`, `status_check`); None when nothing is due.
    next_action: str | None = None
    due_at: datetime | None = None
    batch_id: str | None = None
    x12_key: str | None = None
    send_attempts: int = 0
    remittances: tuple[Posting, ...] = ()  # every payment posted on it, in posting order
    parent_claim_id: str | None = None  # the claim whose payer billed before this one (COB)
    status_checks: int = 0  # 276 inquiries made so far
    submitted_at: datetime | None = None  # first taken by a clearinghouse
    payer_claim_control_number: str | None = None  # the payer's claim number (REF*1K / CLP07)
    flags: tuple[VarianceFlag, ...] = ()  # payment mismatches found on its postings
    worklist: tuple[WorklistItem, ...] = ()  # what needs a person, derived on save
    # Keys of the inbound transactions applied to it (`applied_key`): a second delivery of the
    # same 999 / 277CA / 277, even re-encoded, finds its key here and changes nothing.
    applied: tuple[str, ...] = ()
    # When the claim entered its status and the codes of the event that moved it there: kept on
    # the claim so deciding (the worklist) never needs its history read.
    status_since: datetime | None = None
    status_codes: tuple[str, ...] = ()
    # Corrections: the versions a resubmission replaced (oldest first); the claim this one
    # replaces or voids (frequency 7/8) and the claims that replace or void this one.
    previous_claims: tuple[Claim, ...] = ()
    replaces_claim_id: str | None = None
    replaced_by: tuple[str, ...] = ()
    # Closed with a balance the practice will not collect: why, and how much.
    close_reason: str | None = None
    written_off: Decimal | None = None
    work_states: tuple[WorkState, ...] = ()  # what people did about its worklist items
    appeals: tuple[Appeal, ...] = ()

    @property
    def payer_id(self) -> str:
        return self.claim.trading_partner_service_id

    @property
    def patient_control_number(self) -> str:
        return self.claim.claim_information.patient_control_number

    @property
    def frequency_code(self) -> str:
        return self.claim.claim_information.claim_frequency_code

    @property
    def charge_amount(self) -> Decimal:
        return self.claim.claim_information.claim_charge_amount


MAX_APPLIED_KEYS = 200  # the newest are kept: redeliveries come within days, not years


def with_applied(record: ClaimRecord, key: str) -> ClaimRecord:
    """The claim remembering that the inbound transaction `key` was applied to it."""
    return replace(record, applied=(*record.applied, key)[-MAX_APPLIED_KEYS:])


def with_event(
    record: ClaimRecord,
    event: Event,
    *,
    at: datetime,
    source: str,
    codes: tuple[str, ...] = (),
    detail: Mapping[str, str] | None = None,
    **changes: object,
) -> tuple[ClaimRecord, ClaimEvent]:
    """The claim after `event` (through the lifecycle table) and the history entry recording
    it. `changes` sets other fields in the same step (e.g. the next action). Raises
    LifecycleError when the event is not allowed in the claim's status."""
    status = apply_event(record.status, event)
    entry = ClaimEvent(
        seq=record.event_count + 1,
        at=at,
        source=source,
        event=event,
        from_status=record.status,
        to_status=status,
        codes=codes,
        detail=dict(detail or {}),
    )
    moved = status is not record.status
    updated = replace(
        record,
        status=status,
        updated_at=at,
        event_count=record.event_count + 1,
        events=(*record.events, entry),
        status_since=at if moved else record.status_since,
        status_codes=codes if moved else record.status_codes,
        **changes,  # type: ignore[arg-type]
    )
    return updated, entry

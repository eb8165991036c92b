"""What needs a person: the worklist items a claim raises, derived from its record, its 835
postings and the payment-variance flags. Decide only; the API lists, sorts and exports them.

Each item names its kind (`WORKLIST_KINDS`), the claim, since when it has waited, the codes
behind it (277 STC `category:status:entity`, CARC as `GROUP-REASON`, RARC), what a biller
would do next, and the money at risk.

Denials: the suggested action comes from the denial's primary adjustment (the largest one
that does not merely settle the line, see `primary_adjustment`) through `DENIAL_ACTIONS`,
looked up as `GROUP-REASON` first, then `REASON`, else "review". One rule comes before the
table: a patient-responsibility (PR) denial while another payer is on file goes to that payer
before the patient ("bill the secondary"), unless the payer crossed the claim over itself
(835 CLP02 19-21, NM1*TT or MA18/N89/MA07: wait for the secondary's 835).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from types import MappingProxyType
from typing import Protocol

from chalicelib.payers.policies import (
    PayerPolicy,
    appeal_deadline,
    checks_exhausted,
    timely_filing_at_risk,
    timely_filing_deadline,
)

from .lifecycle import Status
from .model import Claim
from .posting import (
    SETTLING_ADJUSTMENTS,
    PostedAdjustment,
    PostedLine,
    Posting,
    current_postings,
)
from .records import ClaimEvent, ClaimRecord
from .work_items import WorklistItem

TIMELY_FILING_WINDOW_DAYS = 30

# Not yet accepted by the payer: the filing limit still runs against these claims.
NOT_ACCEPTED_STATUSES = frozenset(
    {
        Status.QUEUED,
        Status.SUBMITTED,
        Status.REJECTED,
        Status.CLEARINGHOUSE_REJECTED,
        Status.PAYER_REJECTED,
        Status.INFO_REQUESTED,
    }
)

# At the payer with no adjudication yet: what 276 status checks follow.
OPEN_AT_PAYER_STATUSES = frozenset(
    {Status.SUBMITTED, Status.ACCEPTED, Status.PENDING, Status.INFO_REQUESTED, Status.APPEALED}
)

# The source under which the follow-up service records each status-check answer on the
# claim's history, so the history alone says how many checks were made.
STATUS_CHECK_SOURCE = "status_check"

# "Not found" in a 277 (005010X212 2200D/E STC01): A4 the claim is not in the adjudication
# system, D0 data search unsuccessful, or an A-category rejection whose status code (code
# source 508, C043-02) says what was not found: 26 entity, 33 subscriber and subscriber id,
# 34 subscriber and policy number, 35 claim/encounter.
NOT_FOUND_CATEGORIES = frozenset({"A4", "D0"})
NOT_FOUND_STATUS_CODES = frozenset({"26", "33", "34", "35"})

CORRECT_AND_RESUBMIT = "correct and resubmit"
REVIEW = "review"
BILL_THE_PATIENT = "bill the patient"
BILL_THE_SECONDARY = "bill the secondary"
WAIT_FOR_CROSSOVER = "crossed over by the payer: wait for the secondary's 835"
BILL_THE_OTHER_PAYER = "bill the secondary / correct payer"
APPEAL_WITH_RECORDS = "appeal with records"
AUTHORIZE_AND_APPEAL = "obtain authorization and appeal"

# Denial reason -> next action. Keys are `GROUP-REASON` (checked first) or the CARC alone.
DENIAL_ACTIONS: Mapping[str, str] = MappingProxyType(
    {
        # Missing or invalid information on our claim (16 usually with M51, M76, N290 ...).
        "16": CORRECT_AND_RESUBMIT,
        "4": CORRECT_AND_RESUBMIT,  # procedure code inconsistent with the modifier
        "5": CORRECT_AND_RESUBMIT,  # procedure inconsistent with the place of service
        "6": CORRECT_AND_RESUBMIT,  # procedure inconsistent with the patient's age
        "140": CORRECT_AND_RESUBMIT,  # member id and name do not match
        "146": CORRECT_AND_RESUBMIT,  # diagnosis invalid for the date of service
        "31": "verify eligibility and the member id; correct and resubmit",
        "29": "appeal with proof of timely filing",
        # Bundled into another service: either the coding is wrong or a modifier unbundles it.
        "97": "review coding; appeal if the modifier applies",
        "234": "review coding; appeal if the modifier applies",
        "11": "review coding; correct and resubmit",  # diagnosis inconsistent with procedure
        # Not covered: the patient owes it when the payer says so (PR); under CO it is ours.
        "PR-96": BILL_THE_PATIENT,
        "PR-204": BILL_THE_PATIENT,
        "PR-49": BILL_THE_PATIENT,
        "PR-119": BILL_THE_PATIENT,  # benefit maximum reached
        "PR-1": BILL_THE_PATIENT,  # deductible
        "PR-2": BILL_THE_PATIENT,  # coinsurance
        "PR-3": BILL_THE_PATIENT,  # co-payment
        # Coordination of benefits: another payer goes first, or it is not this payer's claim.
        "22": BILL_THE_OTHER_PAYER,
        "109": BILL_THE_OTHER_PAYER,
        "26": "verify coverage dates; bill the correct payer or the patient",
        "27": "verify coverage dates; bill the correct payer or the patient",
        "50": APPEAL_WITH_RECORDS,  # medical necessity
        "151": APPEAL_WITH_RECORDS,  # frequency not supported
        "167": "review coding; appeal with records",  # diagnosis not covered
        "197": AUTHORIZE_AND_APPEAL,
        "198": AUTHORIZE_AND_APPEAL,
        "15": "correct the authorization number and resubmit",
        "39": APPEAL_WITH_RECORDS,  # denied when authorization was requested
        "18": "do not resubmit: follow the original claim",  # exact duplicate
        "226": "send the requested information",
        "227": "send the requested information",
        "251": "send the requested information",
    }
)

KIND_ACTIONS: Mapping[str, str] = MappingProxyType(
    {
        "scrub_rejected": "fix the claim and resubmit",
        "clearinghouse_rejected": CORRECT_AND_RESUBMIT,
        "payer_rejected": CORRECT_AND_RESUBMIT,
        "underpaid": "appeal the underpayment with the contracted rate",
        "overpaid": "confirm with the payer; refund the overpayment",
        "math_error": "ask the payer for a corrected remittance",
        "info_requested": "send the requested information to the payer",
        "timely_filing_risk": "send or correct the claim now: the filing limit is near",
        "not_found_at_payer": "verify the member and payer ids, then resubmit the original claim",
        "no_response": "call the payer",
        "unmatched_remittance": "match the payment line to a claim line by hand",
        "inbound_file_error": "read the located error; ask the sender for a corrected file",
        "claim_unreadable": "ask support to repair the stored claim; it is held meanwhile",
        "unmatched_status": "find the claim by its patient control number; nothing to refund",
        "possible_duplicate_payment": (
            "ask the payer to reverse the original claim's payment, or refund one of the two"
        ),
        "authorization_expiring": "ask the payer to extend it, or schedule the remaining visits",
        "authorization_running_out": "ask the payer for more units before the next visit",
    }
)

# Variance flag kind (chalicelib.claims.variance) -> worklist kind. An 835 that does not
# balance (TR3 balancing) is the payer's arithmetic, like a line that does not add up.
VARIANCE_KINDS: Mapping[str, str] = MappingProxyType(
    {
        "underpaid": "underpaid",
        "overpaid": "overpaid",
        "math_error": "math_error",
        "remittance_imbalance": "math_error",
        "possible_duplicate_payment": "possible_duplicate_payment",
    }
)
_ZERO = Decimal(0)


class VarianceFlagLike(Protocol):
    """What the worklist reads of a payment-variance flag (chalicelib.claims.variance)."""

    @property
    def kind(self) -> str: ...  # a VARIANCE_KINDS key

    @property
    def claim_line_index(self) -> int | None: ...

    @property
    def procedure_code(self) -> str | None: ...

    @property
    def expected(self) -> Decimal | None: ...

    @property
    def actual(self) -> Decimal | None: ...

    @property
    def difference(self) -> Decimal | None: ...

    @property
    def detail(self) -> str: ...


def worklist_sort_key(item: WorklistItem) -> tuple[datetime, Decimal, str, str]:
    """Oldest first; at the same time, the most money at risk first."""
    return (item.since, -(item.amount or _ZERO), item.kind, item.claim_id or "")


DEADLINE_SOON_DAYS = 30  # a filing limit or appeal deadline this close goes to the top


def deadline_first(items: Sequence[WorklistItem], today: date) -> list[WorklistItem]:
    """A page as a biller works it: what has a deadline within DEADLINE_SOON_DAYS first,
    the nearest first; then the rest, oldest first."""
    soon = today + timedelta(days=DEADLINE_SOON_DAYS)

    def key(item: WorklistItem) -> tuple[int, date, datetime]:
        urgent = item.deadline is not None and item.deadline <= soon
        return (
            0 if urgent else 1,
            item.deadline if urgent and item.deadline else today,
            item.since,
        )

    return sorted(items, key=key)


# Kinds a payer's appeal window applies to: the last day to appeal is their deadline.
_APPEALABLE_KINDS = frozenset({"denied", "underpaid", "overpaid", "math_error"})


def with_appeal_deadlines(
    items: tuple[WorklistItem, ...], record: ClaimRecord, policy: PayerPolicy | None
) -> tuple[WorklistItem, ...]:
    """Denials and variances carry the payer's appeal deadline (from the latest 835), until
    an appeal is made."""
    paid_on = [p.payment_date for p in record.remittances if p.payment_date]
    if policy is None or not paid_on or record.appeals:
        return items
    last_day = appeal_deadline(max(paid_on), policy)
    return tuple(
        replace(item, deadline=last_day) if item.kind in _APPEALABLE_KINDS else item
        for item in items
    )


# -- reading the claim's history ---------------------------------------------------------------


def status_checks_done(record: ClaimRecord) -> int:
    """How many status-check answers (or silences) there were: the count kept on the claim,
    or the history's when the history is at hand and says more."""
    from_history = sum(1 for event in record.events if event.source == STATUS_CHECK_SOURCE)
    return max(record.status_checks, from_history)


def is_not_found(codes: Sequence[str]) -> bool:
    """True when any 277 code (`category:status:entity`) says the payer could not find the
    claim, the member or the payer entity."""
    for code in codes:
        category, _, rest = code.partition(":")
        status = rest.partition(":")[0]
        if category in NOT_FOUND_CATEGORIES:
            return True
        if category.startswith("A") and status in NOT_FOUND_STATUS_CODES:
            return True
    return False


def _entry_event(record: ClaimRecord) -> ClaimEvent | None:
    """The event that moved the claim into its current status."""
    for event in reversed(record.events):
        if event.to_status is record.status and event.from_status is not record.status:
            return event
    return None


def _since(record: ClaimRecord) -> datetime:
    if record.status_since is not None:
        return record.status_since
    entry = _entry_event(record)  # a claim saved before it kept `status_since`
    return record.updated_at if entry is None else entry.at


def _last_codes(record: ClaimRecord) -> tuple[str, ...]:
    if record.status_since is not None:
        return record.status_codes
    entry = _entry_event(record)
    return () if entry is None else entry.codes


# -- denials -----------------------------------------------------------------------------------


def _settles(adjustment: PostedAdjustment) -> bool:
    return (adjustment.group, adjustment.reason) in SETTLING_ADJUSTMENTS


def primary_adjustment(adjustments: Sequence[PostedAdjustment]) -> PostedAdjustment | None:
    """The denial's reason: the largest adjustment that does not merely settle the line
    (CO-45 contractual, OA-23 prior payer ...); the first one on a tie."""
    reasons = [item for item in adjustments if not _settles(item)]
    if not reasons:
        return None
    return max(reasons, key=lambda item: abs(item.amount))


def denial_action(
    adjustment: PostedAdjustment | None, *, other_payer_on_file: bool, crossed_over: bool
) -> str:
    """The next action for a denial whose primary adjustment is `adjustment`."""
    if adjustment is None:
        return REVIEW
    if adjustment.group == "PR" and other_payer_on_file:
        return WAIT_FOR_CROSSOVER if crossed_over else BILL_THE_SECONDARY
    return DENIAL_ACTIONS.get(
        f"{adjustment.group}-{adjustment.reason}",
        DENIAL_ACTIONS.get(adjustment.reason, REVIEW),
    )


def _adjustment_codes(adjustments: Sequence[PostedAdjustment]) -> list[str]:
    return [f"{item.group}-{item.reason}" for item in adjustments if not _settles(item)]


def _unique(codes: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(codes))


def _denial_item(
    record: ClaimRecord,
    posting: Posting,
    lines: Sequence[PostedLine],
    *,
    whole_claim: bool,
    other_payer_on_file: bool,
) -> WorklistItem:
    """A denial of the whole claim (CLP02 4 or nothing paid) or of `lines` in a partial
    payment. Codes: CARCs as GROUP-REASON, then RARCs (MOA/MIA and LQ*HE)."""
    adjustments = [item for line in lines for item in line.adjustments]
    remarks = [remark.code for line in lines for remark in line.remarks]
    if whole_claim:
        adjustments = [*posting.claim_adjustments, *adjustments]
        remarks = [*(remark.code for remark in posting.remarks), *remarks]
    primary = primary_adjustment(adjustments)
    if whole_claim:
        amount = posting.charge - posting.paid
        scope = "the claim"
    else:
        amount = sum((line.charge - line.paid for line in lines), _ZERO)
        scope = "line(s) " + ", ".join(
            str(line.claim_line_index + 1) if line.claim_line_index is not None else "?"
            for line in lines
        )
    reason = "no adjustment reason" if primary is None else f"{primary.group}-{primary.reason}"
    return WorklistItem(
        kind="denied",
        claim_id=record.claim_id,
        payer_id=record.payer_id,
        since=_since(record),
        codes=_unique([*_adjustment_codes(adjustments), *remarks]),
        suggested_action=denial_action(
            primary, other_payer_on_file=other_payer_on_file, crossed_over=posting.crossover
        ),
        detail=f"{scope} denied ({reason}); payer claim {posting.payer_claim_control_number}",
        amount=amount,
    )


# -- the items ---------------------------------------------------------------------------------


def _status_item(record: ClaimRecord, kind: str, detail: str) -> WorklistItem:
    return WorklistItem(
        kind=kind,
        claim_id=record.claim_id,
        payer_id=record.payer_id,
        since=_since(record),
        codes=_last_codes(record),
        suggested_action=KIND_ACTIONS[kind],
        detail=detail,
        amount=record.charge_amount,
    )


def first_service_date(claim: Claim) -> date | None:
    """The earliest line date: the timely-filing clock starts at the date of service."""
    dates = [line.service_date for line in claim.claim_information.service_lines]
    return min(dates) if dates else None


def _days_left(deadline: date, today: date) -> str:
    days = (deadline - today).days
    return f"{days} days left" if days >= 0 else f"passed {-days} days ago"


def _timely_filing_item(
    record: ClaimRecord, claim: Claim, policy: PayerPolicy, now: datetime
) -> WorklistItem | None:
    service_date = first_service_date(claim)
    if service_date is None or record.status not in NOT_ACCEPTED_STATUSES:
        return None
    if not timely_filing_at_risk(
        service_date, now.date(), policy, within_days=TIMELY_FILING_WINDOW_DAYS
    ):
        return None
    deadline = timely_filing_deadline(service_date, policy)
    at_risk_from = deadline - timedelta(days=TIMELY_FILING_WINDOW_DAYS)
    return WorklistItem(
        kind="timely_filing_risk",
        claim_id=record.claim_id,
        payer_id=record.payer_id,
        since=datetime.combine(at_risk_from, time(), tzinfo=now.tzinfo),
        codes=(),
        suggested_action=KIND_ACTIONS["timely_filing_risk"],
        detail=f"status {record.status.value}; filing limit {deadline.isoformat()} "
        f"({_days_left(deadline, now.date())})",
        amount=record.charge_amount,
        deadline=deadline,
    )


def _no_response_item(record: ClaimRecord, policy: PayerPolicy) -> WorklistItem | None:
    """Checks exhausted and nothing scheduled: the follow-up stopped without an answer."""
    done = status_checks_done(record)
    if (
        record.status not in OPEN_AT_PAYER_STATUSES
        or record.next_action is not None
        or not checks_exhausted(done, policy)
    ):
        return None
    checks = [event for event in record.events if event.source == STATUS_CHECK_SOURCE]
    # The last check when the history is at hand; otherwise what the claim keeps of its status.
    since, codes = (checks[-1].at, checks[-1].codes) if checks else (_since(record), ())
    return WorklistItem(
        kind="no_response",
        claim_id=record.claim_id,
        payer_id=record.payer_id,
        since=since,
        codes=codes,
        suggested_action=KIND_ACTIONS["no_response"],
        detail=f"{done} status checks without a final answer; status {record.status.value}",
        amount=record.charge_amount,
    )


# What a flag's `actual` amount is: the payer's allowed amount for a contract variance (the
# paid amount is less the patient's share), the payment for a duplicate.
_ACTUAL_IS = {
    "underpaid": "allowed",
    "overpaid": "allowed",
    "possible_duplicate_payment": "paid",
}


def _variance_item(
    record: ClaimRecord, flag: VarianceFlagLike, postings: Sequence[Posting]
) -> WorklistItem:
    kind = VARIANCE_KINDS.get(flag.kind)
    if kind is None:
        raise ValueError(f"{flag.kind!r} is not a variance kind ({sorted(VARIANCE_KINDS)})")
    # The paid line's adjustments explain the amount (e.g. CO-45 against the wrong rate).
    codes: list[str] = []
    if flag.claim_line_index is not None:
        for posting in postings:
            for line in posting.lines:
                if line.claim_line_index == flag.claim_line_index:
                    codes += [f"{a.group}-{a.reason}" for a in line.adjustments]
    where = "claim" if flag.claim_line_index is None else f"line {flag.claim_line_index + 1}"
    procedure = f" {flag.procedure_code}" if flag.procedure_code else ""
    return WorklistItem(
        kind=kind,
        claim_id=record.claim_id,
        payer_id=record.payer_id,
        since=_since(record),
        codes=_unique(codes),
        suggested_action=KIND_ACTIONS[kind],
        detail=f"{where}{procedure}: expected {flag.expected}, "
        f"{_ACTUAL_IS.get(flag.kind, 'found')} {flag.actual}; {flag.detail}",
        amount=None if flag.difference is None else abs(flag.difference),
    )


def _unmatched_item(record: ClaimRecord, posting: Posting) -> WorklistItem:
    lines = posting.unmatched_lines
    return WorklistItem(
        kind="unmatched_remittance",
        claim_id=record.claim_id,
        payer_id=record.payer_id,
        since=_since(record),
        codes=_unique([f"{line.procedure_qualifier}:{line.procedure_code}" for line in lines]),
        suggested_action=KIND_ACTIONS["unmatched_remittance"],
        detail=f"{len(lines)} payment line(s) of payer claim "
        f"{posting.payer_claim_control_number} matched no claim line",
        amount=sum((line.paid for line in lines), _ZERO),
    )


def items_for_claim(
    record: ClaimRecord,
    postings: Sequence[Posting],
    *,
    now: datetime,
    policy: PayerPolicy | None,
    claim: Claim | None = None,
    flags: Sequence[VarianceFlagLike] = (),
) -> tuple[WorklistItem, ...]:
    """Every worklist item the claim raises now. `claim` (the record's body as a Claim) gives
    the service date for the timely-filing check and the other payers on file; without it,
    or without a `policy`, the checks that need them are skipped."""
    items: list[WorklistItem] = []
    status = record.status
    if status is Status.REJECTED:
        items.append(_status_item(record, "scrub_rejected", "failed our edits"))
    elif status is Status.CLEARINGHOUSE_REJECTED:
        items.append(_status_item(record, "clearinghouse_rejected", "rejected before the payer"))
    elif status is Status.PAYER_REJECTED:
        if is_not_found(_last_codes(record)):
            items.append(_status_item(record, "not_found_at_payer", "the payer has no record"))
        else:
            items.append(_status_item(record, "payer_rejected", "rejected by the payer"))
    elif status is Status.INFO_REQUESTED:
        items.append(_status_item(record, "info_requested", "the payer asked for more"))

    in_force = current_postings(postings)
    other_payer = claim is not None and bool(claim.claim_information.other_subscribers)
    latest = in_force[-1] if in_force else None
    if latest is not None and status is Status.DENIED:
        items.append(
            _denial_item(
                record,
                latest,
                (*latest.lines, *latest.unmatched_lines),
                whole_claim=True,
                other_payer_on_file=other_payer,
            )
        )
    elif status is Status.DENIED:
        items.append(
            WorklistItem(
                kind="denied",
                claim_id=record.claim_id,
                payer_id=record.payer_id,
                since=_since(record),
                codes=_last_codes(record),
                suggested_action=REVIEW,
                detail="denied; no remittance on file",
                amount=record.charge_amount,
            )
        )
    elif latest is not None and status is Status.PARTIALLY_PAID:
        denied_lines = [line for line in latest.lines if line.denied]
        if denied_lines:
            items.append(
                _denial_item(
                    record,
                    latest,
                    denied_lines,
                    whole_claim=False,
                    other_payer_on_file=other_payer,
                )
            )

    items.extend(_variance_item(record, flag, in_force) for flag in flags)
    items.extend(
        _unmatched_item(record, posting) for posting in in_force if posting.unmatched_lines
    )

    items = list(with_appeal_deadlines(tuple(items), record, policy))
    if policy is not None:
        if claim is not None:
            risk = _timely_filing_item(record, claim, policy, now)
            if risk is not None:
                items.append(risk)
        no_response = _no_response_item(record, policy)
        if no_response is not None:
            items.append(no_response)
    return tuple(items)

"""The claim lifecycle as one table: state x event -> new state.

A biller can check it line by line. Every status change in claimgate goes through
`apply_event`; an event that is not allowed in the current state raises, so an inbound file
can never move a claim somewhere that makes no sense (e.g. a 277CA rejection of a paid claim).
The caller records a refused event rather than dropping it.

Statuses are the API's stable snake_case values (DESIGN.md, "The claim's life").
"""

from __future__ import annotations

from enum import StrEnum

from .errors import LifecycleError


class Status(StrEnum):
    REJECTED = "rejected"  # failed our scrub: fix and resubmit
    QUEUED = "queued"  # passed scrub, waiting to be sent
    SUBMITTED = "submitted"  # in an interchange sent to the clearinghouse
    CLEARINGHOUSE_REJECTED = "clearinghouse_rejected"  # 999 R / clearinghouse 277CA rejection
    ACCEPTED = "accepted"  # payer acknowledged it (277CA A1/A2)
    PAYER_REJECTED = "payer_rejected"  # 277CA A3/A6/A7/A8 ...
    PENDING = "pending"  # 277 P0-P5, or finalized (F) and waiting for the 835
    INFO_REQUESTED = "info_requested"  # 277 R codes: the payer wants more
    PAID = "paid"
    PARTIALLY_PAID = "partially_paid"
    DENIED = "denied"
    REVERSED = "reversed"  # CLP02 22: the payer took back an earlier payment
    APPEALED = "appealed"
    CLOSED = "closed"


class Event(StrEnum):
    CREATED = "created"  # API or 837 upload, scrub passed
    SCRUB_FAILED = "scrub_failed"  # a stored claim failed a re-scrub
    SENT = "sent"  # included in an interchange the clearinghouse took
    SEND_FAILED = "send_failed"  # gateway error or timeout: stays queued with a retry time
    ACK_ACCEPTED = "ack_accepted"  # 999 IK5 A/E: syntax fine, no status change beyond a record
    ACK_REJECTED = "ack_rejected"  # 999 IK5 R / AK9 R
    CLEARINGHOUSE_REJECTED = "clearinghouse_rejected"  # 277CA from the clearinghouse (A3)
    PAYER_ACCEPTED = "payer_accepted"  # 277CA A1/A2 (and 277 A-codes)
    PAYER_REJECTED = "payer_rejected"  # 277CA A3/A4/A6/A7/A8 from the payer
    STATUS_PENDING = "status_pending"  # 277 P0-P5, F0-F4 without a remittance yet
    INFO_REQUESTED = "info_requested"  # 277 R0-R16
    REMIT_PAID = "remit_paid"  # 835: paid in full (CLP02 1/2/3/19/20/21...)
    REMIT_PARTIAL = "remit_partial"  # 835: paid less than the balance, remainder not patient's
    REMIT_DENIED = "remit_denied"  # 835: CLP02 4 or nothing paid
    REMIT_REVERSED = "remit_reversed"  # 835: CLP02 22
    CORRECTED = "corrected"  # frequency 7/8 replacement queued (the original moves on)
    RESUBMIT = "resubmit"  # fixed after a rejection: back to the queue
    APPEAL = "appeal"
    CLOSE = "close"
    NOTE = "note"  # recorded on the history, no status change


S, E = Status, Event
_IN_FLIGHT = (S.SUBMITTED, S.ACCEPTED, S.PENDING, S.INFO_REQUESTED)
_ADJUDICATED = (S.PAID, S.PARTIALLY_PAID, S.DENIED)
_REMITTABLE = (*_IN_FLIGHT, *_ADJUDICATED, S.REVERSED, S.APPEALED, S.PAYER_REJECTED)


def _row(*pairs: tuple[Event, Status]) -> dict[Event, Status]:
    return dict(pairs)


_REMITS = (
    (E.REMIT_PAID, S.PAID),
    (E.REMIT_PARTIAL, S.PARTIALLY_PAID),
    (E.REMIT_DENIED, S.DENIED),
    (E.REMIT_REVERSED, S.REVERSED),
)

# state -> {event -> new state}. `None` is a claim not stored yet.
TRANSITIONS: dict[Status | None, dict[Event, Status]] = {
    None: _row((E.CREATED, S.QUEUED), (E.SCRUB_FAILED, S.REJECTED)),
    S.REJECTED: _row((E.RESUBMIT, S.QUEUED), (E.CLOSE, S.CLOSED)),
    S.QUEUED: _row(
        (E.SENT, S.SUBMITTED),
        (E.SEND_FAILED, S.QUEUED),
        (E.SCRUB_FAILED, S.REJECTED),
        (E.CLOSE, S.CLOSED),
    ),
    S.SUBMITTED: _row(
        (E.ACK_ACCEPTED, S.SUBMITTED),
        (E.ACK_REJECTED, S.CLEARINGHOUSE_REJECTED),
        (E.CLEARINGHOUSE_REJECTED, S.CLEARINGHOUSE_REJECTED),
        (E.PAYER_ACCEPTED, S.ACCEPTED),
        (E.PAYER_REJECTED, S.PAYER_REJECTED),
        (E.STATUS_PENDING, S.PENDING),
        (E.INFO_REQUESTED, S.INFO_REQUESTED),
        *_REMITS,
    ),
    S.CLEARINGHOUSE_REJECTED: _row((E.RESUBMIT, S.QUEUED), (E.CLOSE, S.CLOSED)),
    S.ACCEPTED: _row(
        (E.PAYER_ACCEPTED, S.ACCEPTED),
        (E.PAYER_REJECTED, S.PAYER_REJECTED),
        (E.STATUS_PENDING, S.PENDING),
        (E.INFO_REQUESTED, S.INFO_REQUESTED),
        *_REMITS,
    ),
    S.PAYER_REJECTED: _row((E.RESUBMIT, S.QUEUED), (E.CLOSE, S.CLOSED), *_REMITS),
    S.PENDING: _row(
        (E.STATUS_PENDING, S.PENDING),
        (E.INFO_REQUESTED, S.INFO_REQUESTED),
        (E.PAYER_REJECTED, S.PAYER_REJECTED),
        *_REMITS,
    ),
    S.INFO_REQUESTED: _row(
        (E.STATUS_PENDING, S.PENDING),
        (E.INFO_REQUESTED, S.INFO_REQUESTED),
        (E.RESUBMIT, S.QUEUED),
        *_REMITS,
    ),
    S.PAID: _row(*_REMITS, (E.APPEAL, S.APPEALED), (E.CORRECTED, S.PAID), (E.CLOSE, S.CLOSED)),
    S.PARTIALLY_PAID: _row(
        *_REMITS, (E.APPEAL, S.APPEALED), (E.CORRECTED, S.PARTIALLY_PAID), (E.CLOSE, S.CLOSED)
    ),
    S.DENIED: _row(
        *_REMITS,
        (E.APPEAL, S.APPEALED),
        (E.CORRECTED, S.DENIED),
        (E.RESUBMIT, S.QUEUED),
        (E.CLOSE, S.CLOSED),
    ),
    S.REVERSED: _row(*_REMITS, (E.CLOSE, S.CLOSED)),
    S.APPEALED: _row(*_REMITS, (E.STATUS_PENDING, S.APPEALED), (E.CLOSE, S.CLOSED)),
    S.CLOSED: _row(*_REMITS),
}


def apply_event(current: Status | None, event: Event) -> Status:
    """The status after `event`; a NOTE never changes the status."""
    if event is Event.NOTE and current is not None:
        return current
    try:
        return TRANSITIONS[current][event]
    except KeyError:
        raise LifecycleError(current, event) from None


def allowed_events(current: Status | None) -> frozenset[Event]:
    events = frozenset(TRANSITIONS.get(current, {}))
    return events | {Event.NOTE} if current is not None else events

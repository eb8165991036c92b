"""What a 999 or a 277/277CA status means for a claim: a lifecycle event and the codes to
record with it. Decide only; the inbound service carries the decision out.

Claim status category codes (code source 507, STC01-1) map by their family:
A acknowledgement (005010X214 277CA), P pending, F finalized, R requests for information,
E errors, D data search unsuccessful (005010X212 277). Unknown categories keep the claim where it
is and are recorded (DESIGN.md: never dropped).
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.x12.read.ack999 import SetAcknowledgment
from chalicelib.x12.read.status277 import Status, StatusCode

from .lifecycle import Event

_REJECT = "reject"

# STC01-1 category -> event. "reject" becomes CLEARINGHOUSE_REJECTED or PAYER_REJECTED by who
# sent the 277CA (loop 2100A NM1*AY clearinghouse / NM1*PR payer).
CATEGORY_EVENTS: dict[str, Event | str] = {
    "A0": Event.NOTE,  # forwarded to another entity
    "A1": Event.NOTE,  # received: not yet accepted into adjudication
    "A2": Event.PAYER_ACCEPTED,  # accepted into the adjudication system
    "A3": _REJECT,  # returned as unprocessable
    "A4": _REJECT,  # not found
    "A5": Event.PAYER_ACCEPTED,  # split claim
    "A6": _REJECT,  # rejected for missing information
    "A7": _REJECT,  # rejected for invalid information
    "A8": _REJECT,  # rejected for relational field in error
    **{f"P{n}": Event.STATUS_PENDING for n in range(6)},  # P0-P5 pending
    # F0-F4 finalized: the money comes with the 835, so the claim waits for it.
    **{f"F{n}": Event.STATUS_PENDING for n in range(5)},
    **{f"R{n}": Event.INFO_REQUESTED for n in range(17)},  # R0-R16 requests for information
    **{f"E{n}": Event.NOTE for n in range(5)},  # E0-E4 errors in the inquiry itself
    "D0": Event.NOTE,  # data search unsuccessful
}

CLEARINGHOUSE_ENTITY_CODES = frozenset({"AY", "41"})


@dataclass(frozen=True, slots=True)
class StatusDecision:
    event: Event
    codes: tuple[str, ...]
    known: bool = True  # False when a category was not in the table: recorded as a note


def code_text(code: StatusCode) -> str:
    """`A7:562:85` — category, status and entity as a biller reads them on a 277."""
    return ":".join(part for part in (code.category, code.status, code.entity) if part)


def decide_status(statuses: tuple[Status, ...], *, from_clearinghouse: bool) -> StatusDecision:
    """One decision for all STCs of a claim: a rejection outweighs everything, then a request
    for information, then acceptance, pending, and notes."""
    codes = tuple(code_text(c) for status in statuses for c in status.codes)
    events: list[Event] = []
    known = True
    for status in statuses:
        mapped = CATEGORY_EVENTS.get(status.category)
        if mapped is None:
            known = False
            continue
        if mapped == _REJECT:
            events.append(
                Event.CLEARINGHOUSE_REJECTED if from_clearinghouse else Event.PAYER_REJECTED
            )
        elif isinstance(mapped, Event):
            events.append(mapped)
    for preferred in (
        Event.CLEARINGHOUSE_REJECTED,
        Event.PAYER_REJECTED,
        Event.INFO_REQUESTED,
        Event.PAYER_ACCEPTED,
        Event.STATUS_PENDING,
    ):
        if preferred in events:
            return StatusDecision(preferred, codes, known)
    return StatusDecision(Event.NOTE, codes, known)


def decide_999(ack: SetAcknowledgment) -> StatusDecision:
    """IK5 A or E: the interchange is syntactically fine (the 277CA decides acceptance).
    IK5 R, M, W, X: the transaction set, and so every claim in it, is rejected."""
    codes = [f"IK5:{ack.status}", *(f"IK5:{code}" for code in ack.error_codes)]
    for error in ack.segment_errors:
        codes.append(f"IK3:{error.segment_id}:{error.position or ''}:{error.error_code or ''}")
        codes.extend(
            f"IK4:{element.position.element}:{element.error_code}"
            for element in error.element_errors
        )
    event = Event.ACK_ACCEPTED if ack.status in ("A", "E") else Event.ACK_REJECTED
    return StatusDecision(event, tuple(codes))

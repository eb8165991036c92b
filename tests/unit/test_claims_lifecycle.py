"""The lifecycle table read the way a biller would check it."""

from __future__ import annotations

import pytest

from chalicelib.claims.errors import LifecycleError
from chalicelib.claims.lifecycle import TRANSITIONS, Event, Status, allowed_events, apply_event


def test_lifecycle_happy_path_reaches_paid() -> None:
    status = apply_event(None, Event.CREATED)
    for event in (Event.SENT, Event.ACK_ACCEPTED, Event.PAYER_ACCEPTED, Event.STATUS_PENDING):
        status = apply_event(status, event)
    assert status is Status.PENDING
    assert apply_event(status, Event.REMIT_PAID) is Status.PAID


@pytest.mark.parametrize(
    ("start", "event", "end"),
    [
        (Status.QUEUED, Event.SEND_FAILED, Status.QUEUED),
        (Status.SUBMITTED, Event.ACK_REJECTED, Status.CLEARINGHOUSE_REJECTED),
        (Status.SUBMITTED, Event.PAYER_REJECTED, Status.PAYER_REJECTED),
        (Status.ACCEPTED, Event.INFO_REQUESTED, Status.INFO_REQUESTED),
        (Status.PAID, Event.REMIT_REVERSED, Status.REVERSED),
        (Status.REVERSED, Event.REMIT_PAID, Status.PAID),
        (Status.DENIED, Event.APPEAL, Status.APPEALED),
        (Status.CLEARINGHOUSE_REJECTED, Event.RESUBMIT, Status.QUEUED),
    ],
)
def test_lifecycle_transition(start: Status, event: Event, end: Status) -> None:
    assert apply_event(start, event) is end


@pytest.mark.parametrize(
    ("start", "event"),
    [
        (Status.PAID, Event.PAYER_REJECTED),  # a late 277CA cannot un-pay a claim
        (Status.QUEUED, Event.REMIT_PAID),  # nothing is paid that was never sent
        (None, Event.SENT),
        (Status.CLOSED, Event.SENT),
    ],
)
def test_lifecycle_refuses_events_that_make_no_sense(start: Status | None, event: Event) -> None:
    with pytest.raises(LifecycleError):
        apply_event(start, event)


def test_lifecycle_note_never_changes_status() -> None:
    for status in Status:
        assert apply_event(status, Event.NOTE) is status
        assert Event.NOTE in allowed_events(status)


def test_lifecycle_every_status_has_a_row_and_every_target_is_a_status() -> None:
    assert set(TRANSITIONS) == {None, *Status}
    for row in TRANSITIONS.values():
        assert all(isinstance(target, Status) for target in row.values())

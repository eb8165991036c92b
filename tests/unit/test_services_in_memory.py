"""The use cases on the in-memory store (chalicelib.store.memory): the same rules as on
DynamoDB, checked in milliseconds, no AWS at all: a claim stored once per patient control
number, saves that lose to a concurrent change, corrections, worklist work, due claims taken
once."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from chalicelib import wiring
from chalicelib.api.contract import ClaimRequest
from chalicelib.claims.lifecycle import Event, Status
from chalicelib.claims.model import Claim
from chalicelib.claims.records import with_event
from chalicelib.payers.directory import SANDBOX_PAYERS
from chalicelib.schedules.runs import Run
from chalicelib.services import claims as service
from chalicelib.services.corrections import CorrectionRefusedError, resubmit_corrected
from chalicelib.services.due import take_due
from chalicelib.services.worklist_actions import WorkAction, WorkActionRefusedError, act
from chalicelib.store.errors import ConcurrentUpdateError, DuplicateClaimError
from chalicelib.store.memory import MemoryClaimRepository, MemoryPayerDirectory

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(autouse=True)
def memory() -> Iterator[MemoryClaimRepository]:
    claims = MemoryClaimRepository()
    wiring.use_store(claims, MemoryPayerDirectory({p.payer_id: p for p in SANDBOX_PAYERS}))
    yield claims
    wiring.use_store()


def basic(**changes: str) -> Claim:
    claim = ClaimRequest.model_validate_json((EXAMPLES / "claim-basic.json").read_text()).to_claim()
    info = replace(claim.claim_information, **changes)  # type: ignore[arg-type]
    return replace(claim, claim_information=info)


def submit(claim: Claim, claim_id: str = "c1") -> None:
    service.submit_claim("t1", claim, claim_id=claim_id, now=NOW)


def test_in_memory_a_claim_is_stored_once_per_patient_control_number() -> None:
    submit(basic())
    with pytest.raises(DuplicateClaimError) as duplicate:
        submit(basic(), claim_id="c2")
    assert duplicate.value.existing_claim_id == "c1"
    stored = service.get_claim("t1", "c1")
    assert stored is not None and stored.status is Status.QUEUED
    assert [e.event for e in stored.events] == [Event.CREATED]


def test_in_memory_a_save_from_a_stale_read_loses(memory: MemoryClaimRepository) -> None:
    submit(basic())
    first = service.get_claim("t1", "c1")
    assert first is not None
    moved, entry = with_event(first, Event.SENT, at=NOW, source="test")
    memory.save_claim_change(moved, (entry,))
    stale, stale_entry = with_event(first, Event.SEND_FAILED, at=NOW, source="test")
    with pytest.raises(ConcurrentUpdateError):
        memory.save_claim_change(stale, (stale_entry,))
    again = service.get_claim("t1", "c1")
    assert again is not None and again.status is Status.SUBMITTED and again.version == 2


def test_in_memory_update_claim_re_reads_and_reapplies_on_conflict(
    memory: MemoryClaimRepository,
) -> None:
    submit(basic())
    read = service.get_claim("t1", "c1")
    assert read is not None
    moved, entry = with_event(read, Event.SENT, at=NOW, source="test")
    memory.save_claim_change(moved, (entry,))  # someone else, after our read

    def note(current):  # type: ignore[no-untyped-def]
        updated, e = with_event(current, Event.NOTE, at=NOW, source="test")
        return updated, (e,)

    saved = service.update_claim("t1", "c1", note, read=read)
    assert [e.event for e in saved.events][-2:] == [Event.SENT, Event.NOTE]


def test_in_memory_correction_of_a_rejected_claim(memory: MemoryClaimRepository) -> None:
    submit(basic())
    record = service.get_claim("t1", "c1")
    assert record is not None
    rejected = replace(record, status=Status.PAYER_REJECTED)
    memory.save_claim_change(rejected, ())
    fixed_subscriber = replace(basic().subscriber, member_id="W999")
    fixed = replace(basic(), subscriber=fixed_subscriber)
    saved, _ = resubmit_corrected("t1", "c1", fixed, now=NOW + timedelta(hours=1))
    assert saved.status is Status.QUEUED and saved.claim.subscriber.member_id == "W999"
    assert saved.previous_claims == (record.claim,)
    assert saved.events[-1].detail["changed"] == "subscriber.memberId"
    with pytest.raises(CorrectionRefusedError):
        resubmit_corrected("t1", "c1", replace(fixed, trading_partner_service_id="SBXMCD"), now=NOW)


def test_in_memory_worklist_entry_resolved_once(memory: MemoryClaimRepository) -> None:
    submit(basic())
    record = service.get_claim("t1", "c1")
    assert record is not None
    memory.save_claim_change(replace(record, status=Status.PAYER_REJECTED, status_since=NOW), ())
    service.update_claim("t1", "c1", lambda r: (r, ()))  # the worklist derived on save
    [item] = memory.worklist_page(
        "t1", kind=None, payer_id=None, older_than=None, limit=10, cursor=None
    )[0]
    resolve = WorkAction(action="resolve", outcome="fixed")
    act("t1", item.item_id, resolve, now=NOW + timedelta(hours=1))
    with pytest.raises(WorkActionRefusedError) as again:
        act("t1", item.item_id, resolve, now=NOW + timedelta(hours=2))
    assert again.value.code == "already_resolved"


def test_in_memory_due_claims_are_taken_once(memory: MemoryClaimRepository) -> None:
    for n in range(3):
        submit(basic(patient_control_number=f"PCN-{n}"), claim_id=f"c{n}")
    due = memory.due_claims("send", NOW, limit=10)
    first, second = (Run(f"run{n}", "clearinghouse-poll", "manual", NOW) for n in (1, 2))
    taken = take_due(first, list(due.claims), now=NOW, lease=timedelta(minutes=15))
    again = take_due(second, list(due.claims), now=NOW, lease=timedelta(minutes=15))
    assert len(taken) == 3 and again == []
    assert second.detail == {"claims_taken_by_another_run": 3}

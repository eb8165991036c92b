"""Payment mismatches re-checked daily: rates change (a new fee schedule version effective
back to a date of service), so every recently paid claim's postings are compared again with
the contract in force on each date of service. Flags that changed are saved with a note on the
claim's history; the worklist follows from them."""

from __future__ import annotations

from datetime import datetime, timedelta

from chalicelib.claims.lifecycle import Event, Status
from chalicelib.claims.posting import current_postings
from chalicelib.claims.records import ClaimEvent, ClaimRecord, with_event
from chalicelib.claims.variance import VarianceFlag, check_payment, contract_rate_for
from chalicelib.payers.fee_schedules import FeeScheduleVersion
from chalicelib.schedules.runs import Run
from chalicelib.store import contracts
from chalicelib.store.errors import ConcurrentUpdateError
from chalicelib.store.tenants import list_tenant_ids
from chalicelib.wiring import claim_repository

from .claims import ClaimNotFoundError, update_claim
from .leases import tenant_lease

SOURCE = "payment-mismatches"


class AlreadyRecheckedError(Exception):
    """The claim already carries the flags this run found: nothing to record."""


WINDOW = timedelta(days=120)


def flags_for(
    record: ClaimRecord, schedules: dict[str, list[FeeScheduleVersion]]
) -> tuple[VarianceFlag, ...]:
    """Every mismatch on the claim's postings in force, against today's contract versions."""
    claim = record.claim
    found: list[VarianceFlag] = []
    for posting in current_postings(record.remittances):
        if posting.payer_id not in schedules:
            schedules[posting.payer_id] = contracts.load_fee_schedules(
                record.tenant_id, posting.payer_id
            )
        rate_for = contract_rate_for(schedules[posting.payer_id], claim)
        found.extend(check_payment(posting, claim, rate_for=rate_for))
    return tuple(found)


def recheck_payments(run: Run, *, now: datetime) -> None:
    for tenant_id in list_tenant_ids():
        with tenant_lease(run, tenant_id, now=now) as held:
            if held:
                _recheck_tenant(run, tenant_id, now=now)


def _recheck_tenant(run: Run, tenant_id: str, *, now: datetime) -> None:
    schedules: dict[str, list[FeeScheduleVersion]] = {}
    for status in (Status.PAID, Status.PARTIALLY_PAID):
        cursor: str | None = None
        while True:
            page = claim_repository().list_claims(
                tenant_id, status=status, updated_since=now - WINDOW, limit=100, cursor=cursor
            )
            for record in page.claims:
                run.examined += 1
                _recheck(run, record, schedules, now=now)
            cursor = page.cursor
            if cursor is None:
                break


def _recheck(
    run: Run,
    record: ClaimRecord,
    schedules: dict[str, list[FeeScheduleVersion]],
    *,
    now: datetime,
) -> None:
    flags = flags_for(record, schedules)
    if flags == record.flags:
        return
    codes = tuple(sorted({f"{f.kind}:{f.procedure_code or ''}" for f in flags}))

    def change(current: ClaimRecord) -> tuple[ClaimRecord, tuple[ClaimEvent, ...]]:
        if current.flags == flags:
            raise AlreadyRecheckedError(current.claim_id)  # another run saved these flags
        updated, entry = with_event(
            current,
            Event.NOTE,
            at=now,
            source=SOURCE,
            codes=codes,
            detail={"flags": str(len(flags)), "before": str(len(current.flags))},
            flags=flags,
        )
        return updated, (entry,)

    try:
        update_claim(record.tenant_id, record.claim_id, change)
        run.acted += 1
    except AlreadyRecheckedError:
        return
    except (ClaimNotFoundError, ConcurrentUpdateError) as error:
        run.fail(error.__class__.__name__, claim_id=record.claim_id, tenant_id=record.tenant_id)

"""Taking due claims before acting on them, so each due action happens once.

A schedule reads its due claims from the sparse due index (eventually consistent, and read by
every run that overlaps). Before it acts, it takes each claim with a version-checked write that
moves the claim's due time past a lease: the run that wins acts, any other run or redelivery
finds the claim changed and leaves it. A run that dies loses its claims when the lease ends."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from chalicelib.claims.records import ClaimRecord
from chalicelib.claims.repository import ClaimPage
from chalicelib.schedules.runs import Run
from chalicelib.store.errors import ConcurrentUpdateError
from chalicelib.wiring import claim_repository


class _OfTenant(Protocol):
    @property
    def tenant_id(self) -> str: ...


R = TypeVar("R", bound=_OfTenant)


def take_due(
    run: Run, records: Sequence[ClaimRecord], *, now: datetime, lease: timedelta
) -> list[ClaimRecord]:
    """The claims this run took, at their new versions; the others are counted and left."""
    taken: list[ClaimRecord] = []
    for record in records:
        try:
            taken.append(
                claim_repository().save_claim_change(replace(record, due_at=now + lease), ())
            )
        except ConcurrentUpdateError:
            run.count("claims_taken_by_another_run")
    return taken


def report_unreadable(run: Run, page: ClaimPage, *, now: datetime) -> None:
    """Claims the store could not read fail in the run, by id, and are set aside on the
    worklist; the others go on."""
    for error in page.unreadable:
        claim_repository().set_aside(error, now=now)
        run.fail(
            "UnreadableClaimError",
            claim_id=error.claim_id,
            tenant_id=error.tenant_id,
            code="claim_unreadable",
        )


def by_tenant(records: Sequence[R]) -> dict[str, list[R]]:
    """Records grouped by tenant, in the order they came: each tenant is run under its lease."""
    grouped: dict[str, list[R]] = defaultdict(list)
    for record in records:
        grouped[record.tenant_id].append(record)
    return grouped

"""One run of a schedule per tenant at a time: a run takes the tenant's lease for its schedule
before it works on the tenant, and skips (and counts) a tenant another run holds. The lease
expires after a Lambda function's longest run, so a run that crashed never holds a tenant."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from chalicelib.schedules.runs import Run
from chalicelib.store.leases import acquire_lease, release_lease

TENANT_LEASE = timedelta(minutes=15)


@contextmanager
def tenant_lease(run: Run, tenant_id: str, *, now: datetime) -> Iterator[bool]:
    """True inside when this run holds the tenant for its schedule, False when another does."""
    name = f"{run.schedule}#{tenant_id}"
    if not acquire_lease(name, run.run_id, now=now, ttl=TENANT_LEASE):
        run.count("tenants_held_by_another_run")
        yield False
        return
    try:
        yield True
    finally:
        release_lease(name, run.run_id)

"""Taking a tenant off the stage: export all of its data to its own prefix of the archive
bucket (its items as JSON lines, the X12 files they name), then delete it, and keep a record
that it was done (who, when, where, how many). The tenant must be suspended first, so
nothing of it changes meanwhile (its keys are refused, the schedules pass it by).

A call works until its time budget is spent and says where it stands; the next call goes on
from there (the admin route has a request's time, the command line all it needs). What the
stage must keep is not deleted: the access audit (its own retention) and the raw X12 archive
(object lock, the stage's retention), which the export copies from."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from chalicelib.clock import utcnow
from chalicelib.store import offboarding as store
from chalicelib.store import tenants as tenant_store
from chalicelib.store.errors import ConcurrentUpdateError
from chalicelib.store.offboarding import Offboarding

from .errors import RefusedError

__all__ = ["Offboarding", "get_offboarding", "offboard"]

LEASE = timedelta(minutes=2)  # past a step's time: a caller that died is taken over


def get_offboarding(tenant_id: str) -> Offboarding:
    found = store.load(tenant_id)
    if found is None:
        raise RefusedError("not_found", "the tenant has not been offboarded")
    return found


def offboard(
    tenant_id: str,
    *,
    principal: str,
    now: datetime,
    budget_seconds: float | None,
    clock: Callable[[], float] = time.monotonic,
) -> Offboarding:
    """Start or go on with the tenant's offboarding for at most `budget_seconds` (None: to
    the end); the record as it stands."""
    record = store.load(tenant_id)
    if record is None:
        tenant = tenant_store.load_tenant(tenant_id)
        if tenant is None:
            raise RefusedError("not_found", "no such tenant")
        if tenant.suspended_at is None:
            raise RefusedError(
                "tenant_active", "suspend the tenant first: nothing of it may change meanwhile"
            )
        record = store.save(
            Offboarding(
                tenant_id=tenant_id,
                export_id=now.strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:8],
                status="exporting",
                started_at=now,
                started_by=principal,
            )
        )
    if record.status == "done":
        return record
    record = _take(record)
    deadline = None if budget_seconds is None else clock() + budget_seconds
    while record.status != "done":  # a page at least, however short the budget
        record = _step(replace(record, lease_until=utcnow() + LEASE), now)
        if deadline is not None and clock() >= deadline:
            break
    return store.save(replace(record, lease_until=None))


def _take(record: Offboarding) -> Offboarding:
    """The lease on the record, or RefusedError when another caller holds it."""
    held = record.lease_until is not None and record.lease_until > utcnow()
    try:
        if held:
            raise ConcurrentUpdateError(record.tenant_id)
        return store.save(replace(record, lease_until=utcnow() + LEASE))
    except ConcurrentUpdateError:
        raise RefusedError(
            "offboarding_in_progress", "another call is offboarding this tenant: ask again later"
        ) from None


def _step(record: Offboarding, now: datetime) -> Offboarding:
    """One page: exported, or deleted once the export is whole."""
    items, after = store.tenant_page(record.tenant_id, record.cursor)
    if record.status == "exporting":
        files = store.write_page(record, record.pages + 1, items)
        return store.save(
            replace(
                record,
                pages=record.pages + 1,
                items_exported=record.items_exported + len(items),
                files_exported=record.files_exported + files,
                cursor=after,
                status="exporting" if after else "deleting",
            )
        )
    deleted = store.delete_items(items)
    return store.save(
        replace(
            record,
            items_deleted=record.items_deleted + deleted,
            cursor=after,
            status="deleting" if after else "done",
            finished_at=None if after else now,
        )
    )

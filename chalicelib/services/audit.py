"""The access audit (HIPAA's audit controls): every read of patient data through the API is
recorded before the answer leaves (chalicelib.api.auth), and administrators read or export
the records by tenant and day range, narrowed to a principal or a resource."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from chalicelib.config import settings
from chalicelib.store import audit as store
from chalicelib.store.audit import AccessRecord

from .errors import RefusedError

__all__ = ["AccessRecord", "AuditPage", "access_records", "record_access"]

MAX_DAYS = 31
MAX_RECORDS = 5000


@dataclass(frozen=True, slots=True)
class AuditPage:
    records: list[AccessRecord]
    truncated: bool  # more records matched than one answer holds: ask for fewer days


def record_access(record: AccessRecord) -> None:
    store.append(record, retention=timedelta(days=settings().audit_retention_days))


def access_records(
    tenant_id: str,
    *,
    first: date,
    last: date,
    principal: str | None = None,
    resource: str | None = None,
) -> AuditPage:
    """The tenant's records of the days `first` to `last`, oldest first; a resource matches
    itself and what lies under it (`/v1/claims/clm_1` finds its x12 and appeals too)."""
    if last < first:
        raise RefusedError("invalid_range", "`to` is before `from`")
    if (last - first).days >= MAX_DAYS:
        raise RefusedError("invalid_range", f"at most {MAX_DAYS} days at a time")
    found: list[AccessRecord] = []
    for record in store.records(tenant_id, first, last):
        if principal is not None and record.principal != principal:
            continue
        if resource is not None and not (
            record.resource == resource or record.resource.startswith(resource.rstrip("/") + "/")
        ):
            continue
        if len(found) == MAX_RECORDS:
            return AuditPage(found, truncated=True)
        found.append(record)
    return AuditPage(found, truncated=False)

"""Named leases with expiry: one holder at a time, taken and given back with conditional
writes. A schedule's run takes one per tenant so two runs of it never overlap on a tenant's
mailbox; a run that crashed loses its lease when it expires."""

from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.exceptions import DeleteError, PutError

from .errors import conditional_failed
from .models import LeaseItem

LEASE_SK = "#LEASE"


def _pk(name: str) -> str:
    return f"LEASE#{name}"


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds")


def acquire_lease(name: str, holder: str, *, now: datetime, ttl: timedelta) -> bool:
    """Take lease `name` for `holder` until `now + ttl`: True when taken (it was free, expired,
    or already this holder's), False when someone else holds it."""
    item = LeaseItem(pk=_pk(name), sk=LEASE_SK, holder=holder, expires_at=_iso(now + ttl))
    free = (
        LeaseItem.pk.does_not_exist()
        | (LeaseItem.expires_at < _iso(now))
        | (LeaseItem.holder == holder)
    )
    try:
        item.save(condition=free)
    except PutError as error:
        if conditional_failed(error):
            return False
        raise
    return True


def release_lease(name: str, holder: str) -> None:
    """Give the lease back, only if `holder` still holds it (it may have expired and been
    taken over by another run meanwhile)."""
    try:
        LeaseItem(pk=_pk(name), sk=LEASE_SK).delete(condition=LeaseItem.holder == holder)
    except DeleteError as error:
        if not conditional_failed(error):
            raise

"""Running a stage: tenants and their API keys. Used by the admin routes (an `admin` key) and
by `python -m chalicelib.admin` (the deployer's AWS credentials, against a deployed stage).

A key is shown once, when it is issued or rotated, and kept only as its hash. Rotating gives
a new key with the same roles and name and lets the old one work through a grace period;
revoking, or suspending the tenant, refuses the key on this container at once and on every
warm container within the key cache's minute."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from chalicelib.roles import ROLES
from chalicelib.store import tenants as store
from chalicelib.store.tenants import ApiKey, Tenant

from .errors import RefusedError
from .lookups import forget_key

__all__ = [
    "ApiKey",
    "Tenant",
    "create_tenant",
    "get_tenant",
    "issue_key",
    "list_keys",
    "revoke_key",
    "rotate_key",
    "set_suspended",
]

TENANT_ID = re.compile(r"[a-z0-9][a-z0-9-]{1,39}")
DEFAULT_GRACE = timedelta(hours=24)
MAX_GRACE = timedelta(days=30)


def create_tenant(tenant_id: str, name: str, *, now: datetime) -> Tenant:
    if not TENANT_ID.fullmatch(tenant_id):
        raise RefusedError(
            "invalid_tenant_id", "2-40 lowercase letters, digits or '-', starting with one"
        )
    if not name.strip() or len(name) > 200:
        raise RefusedError("invalid_name", "a name of 1-200 characters")
    try:
        return store.create_tenant(tenant_id, name.strip(), now=now)
    except store.TenantExistsError:
        raise RefusedError("tenant_exists", f"tenant {tenant_id} exists") from None


def get_tenant(tenant_id: str) -> Tenant:
    found = store.load_tenant(tenant_id)
    if found is None:
        raise RefusedError("not_found", "no such tenant")
    return found


def set_suspended(tenant_id: str, *, suspended: bool, now: datetime) -> Tenant:
    """Suspend (every key of the tenant refused) or resume the tenant."""
    try:
        tenant = store.set_suspended(tenant_id, now if suspended else None)
    except store.NotFoundError:
        raise RefusedError("not_found", "no such tenant") from None
    for key in store.list_keys(tenant_id):
        forget_key(store.key_hash(tenant_id, key.key_id))
    return tenant


def issue_key(
    tenant_id: str,
    *,
    roles: tuple[str, ...],
    name: str | None,
    expires_at: datetime | None,
    now: datetime,
    requests_per_minute: int | None = None,
) -> tuple[str, ApiKey]:
    """A new key for the tenant: (the key, shown once; what is kept of it)."""
    get_tenant(tenant_id)
    unknown = sorted(set(roles) - set(ROLES))
    if not roles or unknown:
        raise RefusedError(
            "invalid_roles", f"one or more of {', '.join(ROLES)}; unknown: {', '.join(unknown)}"
        )
    if expires_at is not None and expires_at <= now:
        raise RefusedError("invalid_expires_at", "the expiry must be in the future")
    if requests_per_minute is not None and not 1 <= requests_per_minute <= 100_000:
        raise RefusedError("invalid_requests_per_minute", "1 to 100,000 requests a minute")
    return store.issue_key(
        tenant_id,
        roles=tuple(sorted(set(roles))),
        name=name,
        expires_at=expires_at,
        now=now,
        requests_per_minute=requests_per_minute,
    )


def list_keys(tenant_id: str) -> list[ApiKey]:
    get_tenant(tenant_id)
    return store.list_keys(tenant_id)


def rotate_key(
    tenant_id: str, key_id: str, *, grace: timedelta, now: datetime
) -> tuple[str, ApiKey, ApiKey]:
    """A new key like the old one; the old one works for `grace` more. Returns (the new key,
    shown once; the new key as kept; the old key as it is now)."""
    if not timedelta(0) <= grace <= MAX_GRACE:
        raise RefusedError("invalid_grace", "a grace period of 0 to 30 days")
    old = _key(tenant_id, key_id)
    if old.revoked_at is not None or (old.expires_at is not None and old.expires_at <= now):
        raise RefusedError("key_not_active", "the key is revoked or expired: issue a new one")
    api_key, new = store.issue_key(
        tenant_id,
        roles=old.roles,
        name=old.name,
        expires_at=old.expires_at,
        now=now,
        requests_per_minute=old.requests_per_minute,
    )
    before = store.expire_key(tenant_id, key_id, at=now + grace, rotated_to=new.key_id)
    forget_key(store.key_hash(tenant_id, key_id))
    return api_key, new, before


def revoke_key(tenant_id: str, key_id: str, *, now: datetime) -> ApiKey:
    _key(tenant_id, key_id)
    revoked = store.revoke_key(tenant_id, key_id, now=now)
    forget_key(store.key_hash(tenant_id, key_id))
    return revoked


def _key(tenant_id: str, key_id: str) -> ApiKey:
    try:
        return store.key_details(tenant_id, key_id)
    except store.NotFoundError:
        raise RefusedError("not_found", "no such key") from None

"""Tenants and their API keys. A key is stored only as its SHA-256: keys are long random
strings, so a plain hash is enough to make a stolen table useless for calling the API.

A key issued by an administrator reads `cg_<key id>_<secret>`: the key id is its public
prefix (listed, logged, named on events), the secret is shown once. A key carries roles
(chalicelib.roles), may name the person or system it belongs to, may expire, and is refused
once revoked or once its tenant is suspended."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from pynamodb.exceptions import DoesNotExist, PutError, UpdateError

from .errors import StoreError, conditional_failed
from .models import ApiKeyItem, Item, TenantItem

KEY_SK = "#KEY"
TENANT_SK = "#TENANT"
TENANTS = "TENANTS"


class TenantExistsError(StoreError):
    """A tenant with this id exists."""


class NotFoundError(StoreError):
    """No such tenant or key."""


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a request comes from: the key's tenant, roles, id and name (None: a seeded key)."""

    tenant_id: str
    roles: frozenset[str]
    key_id: str | None = None
    name: str | None = None
    expires_at: datetime | None = None
    requests_per_minute: int | None = None


@dataclass(frozen=True, slots=True)
class Tenant:
    tenant_id: str
    name: str
    created_at: datetime
    suspended_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ApiKey:
    """What may be shown of a key: never its secret."""

    key_id: str
    tenant_id: str
    name: str | None
    roles: tuple[str, ...]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    rotated_to: str | None
    requests_per_minute: int | None = None


def hash_api_key(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


def _tenant_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}"


def _keys_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#KEYS"


def principal_for_api_key(api_key: str, *, now: datetime) -> Principal | None:
    """The key's principal; None when the key is unknown, revoked, or its tenant suspended
    (expiry is the caller's to check on every request: a cached principal may expire). The
    key's last use is written, to the minute the caller caches it for."""
    try:
        item = ApiKeyItem.get(f"KEY#{hash_api_key(api_key)}", KEY_SK)
    except DoesNotExist:
        return None
    if item.revoked_at is not None:
        return None
    tenant = load_tenant(item.tenant_id)
    if tenant is None or tenant.suspended_at is not None:
        return None
    if item.key_id is not None:
        item.update(actions=[ApiKeyItem.last_used_at.set(now)])
    return Principal(
        item.tenant_id,
        frozenset(item.roles or ("tenant",)),
        key_id=item.key_id,
        name=item.label,
        expires_at=item.expires_at,
        requests_per_minute=int(item.requests_per_minute) if item.requests_per_minute else None,
    )


def save_tenant(
    tenant_id: str,
    name: str,
    api_key: str,
    *,
    now: datetime,
    roles: tuple[str, ...] = ("tenant",),
) -> None:
    """Seed a tenant and one of its keys (`make run`, tests; idempotent)."""
    _tenant_item(tenant_id, name, now).save()
    ApiKeyItem(
        pk=f"KEY#{hash_api_key(api_key)}",
        sk=KEY_SK,
        tenant_id=tenant_id,
        label=name,
        roles=list(roles),
        created_at=now,
    ).save()


def _tenant_item(tenant_id: str, name: str, now: datetime) -> TenantItem:
    """A tenant, listed on the by-payer index under TENANTS (schedules visit every tenant)."""
    return TenantItem(
        pk=_tenant_pk(tenant_id),
        sk=TENANT_SK,
        tenant_id=tenant_id,
        name=name,
        created_at=now,
        gsi2pk=TENANTS,
        gsi_sk=tenant_id,
    )


def create_tenant(tenant_id: str, name: str, *, now: datetime) -> Tenant:
    """A new tenant; TenantExistsError when the id is taken (conditional put)."""
    try:
        _tenant_item(tenant_id, name, now).save(condition=TenantItem.pk.does_not_exist())
    except PutError as error:
        if conditional_failed(error):
            raise TenantExistsError(tenant_id) from error
        raise
    return Tenant(tenant_id, name, now)


def load_tenant(tenant_id: str) -> Tenant | None:
    try:
        item = TenantItem.get(_tenant_pk(tenant_id), TENANT_SK)
    except DoesNotExist:
        return None
    return Tenant(item.tenant_id, item.name, item.created_at, item.suspended_at)


def set_suspended(tenant_id: str, at: datetime | None) -> Tenant:
    """Suspend the tenant (`at`) or resume it (None)."""
    action = TenantItem.suspended_at.set(at) if at else TenantItem.suspended_at.remove()
    try:
        TenantItem(pk=_tenant_pk(tenant_id), sk=TENANT_SK).update(
            actions=[action], condition=TenantItem.pk.exists()
        )
    except UpdateError as error:
        if conditional_failed(error):
            raise NotFoundError(tenant_id) from error
        raise
    found = load_tenant(tenant_id)
    if found is None:
        raise NotFoundError(tenant_id)
    return found


def issue_key(
    tenant_id: str,
    *,
    roles: tuple[str, ...],
    name: str | None,
    expires_at: datetime | None,
    now: datetime,
    requests_per_minute: int | None = None,
) -> tuple[str, ApiKey]:
    """A new key: (the key itself, to show once; what is kept of it)."""
    key_id = secrets.token_hex(6)
    api_key = f"cg_{key_id}_{secrets.token_urlsafe(24)}"
    item = ApiKeyItem(
        pk=f"KEY#{hash_api_key(api_key)}",
        sk=KEY_SK,
        tenant_id=tenant_id,
        label=name,
        roles=list(roles),
        created_at=now,
        key_id=key_id,
        expires_at=expires_at,
        requests_per_minute=requests_per_minute,
        gsi3pk=_keys_pk(tenant_id),
        gsi_sk=key_id,
    )
    item.save(condition=ApiKeyItem.pk.does_not_exist())
    return api_key, _key(item)


def list_keys(tenant_id: str) -> list[ApiKey]:
    """The tenant's issued keys (by key id), from the by-tenant index."""
    return [
        _key(item)
        for item in Item.by_tenant.query(_keys_pk(tenant_id))
        if isinstance(item, ApiKeyItem)
    ]


def _find(tenant_id: str, key_id: str) -> ApiKeyItem:
    for item in Item.by_tenant.query(_keys_pk(tenant_id), Item.gsi_sk == key_id):
        if isinstance(item, ApiKeyItem):
            return ApiKeyItem.get(item.pk, KEY_SK, consistent_read=True)
    raise NotFoundError(key_id)


def key_hash(tenant_id: str, key_id: str) -> str:
    """The stored hash of a key (what caches are keyed by)."""
    return _find(tenant_id, key_id).pk.removeprefix("KEY#")


def revoke_key(tenant_id: str, key_id: str, *, now: datetime) -> ApiKey:
    """Revoked from now on (a revoked key stays revoked; revoking again changes nothing)."""
    item = _find(tenant_id, key_id)
    if item.revoked_at is None:
        item.update(actions=[ApiKeyItem.revoked_at.set(now)])
    return _key(item)


def expire_key(tenant_id: str, key_id: str, *, at: datetime, rotated_to: str) -> ApiKey:
    """The old key of a rotation: valid until `at` (or its own earlier expiry)."""
    item = _find(tenant_id, key_id)
    until = min(at, item.expires_at) if item.expires_at else at
    item.update(actions=[ApiKeyItem.expires_at.set(until), ApiKeyItem.rotated_to.set(rotated_to)])
    return _key(item)


def key_details(tenant_id: str, key_id: str) -> ApiKey:
    return _key(_find(tenant_id, key_id))


def _key(item: ApiKeyItem) -> ApiKey:
    return ApiKey(
        key_id=item.key_id or "",
        tenant_id=item.tenant_id,
        name=item.label,
        roles=tuple(item.roles or ()),
        created_at=item.created_at,
        expires_at=item.expires_at,
        revoked_at=item.revoked_at,
        last_used_at=item.last_used_at,
        rotated_to=item.rotated_to,
        requests_per_minute=int(item.requests_per_minute) if item.requests_per_minute else None,
    )


def list_tenant_ids() -> list[str]:
    """Every tenant not suspended, from an index query (schedules visit each tenant's
    mailboxes; a suspended one is left as it is, e.g. while it is offboarded)."""
    tenants = [item for item in Item.by_payer.query(TENANTS) if isinstance(item, TenantItem)]
    return [tenant.tenant_id for tenant in tenants if tenant.suspended_at is None]

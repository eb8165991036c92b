"""Tenants and their API keys. A key is stored only as its SHA-256: keys are long random
strings, so a plain hash is enough to make a stolen table useless for calling the API.

A key carries roles: `tenant` (the practice's own claims) and `operator` (schedules and runs,
which span tenants and name claims by id only)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from pynamodb.exceptions import DoesNotExist

from .models import ApiKeyItem, Item, TenantItem

KEY_SK = "#KEY"
TENANT_SK = "#TENANT"
TENANTS = "TENANTS"


@dataclass(frozen=True, slots=True)
class Principal:
    tenant_id: str
    roles: frozenset[str]


def hash_api_key(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


def principal_for_api_key(api_key: str) -> Principal | None:
    try:
        item = ApiKeyItem.get(f"KEY#{hash_api_key(api_key)}", KEY_SK)
    except DoesNotExist:
        return None
    return Principal(item.tenant_id, frozenset(item.roles or ("tenant",)))


def save_tenant(
    tenant_id: str,
    name: str,
    api_key: str,
    *,
    now: datetime,
    roles: tuple[str, ...] = ("tenant",),
) -> None:
    """Create or refresh a tenant and one of its keys (idempotent: the same call twice is one)."""
    TenantItem(
        pk=f"T#{tenant_id}",
        sk=TENANT_SK,
        tenant_id=tenant_id,
        name=name,
        created_at=now,
        gsi2pk=TENANTS,
        gsi_sk=tenant_id,
    ).save()
    ApiKeyItem(
        pk=f"KEY#{hash_api_key(api_key)}",
        sk=KEY_SK,
        tenant_id=tenant_id,
        label=name,
        roles=list(roles),
        created_at=now,
    ).save()


def list_tenant_ids() -> list[str]:
    """Every tenant, from an index query (schedules visit each tenant's mailboxes)."""
    return [item.tenant_id for item in Item.by_payer.query(TENANTS) if isinstance(item, TenantItem)]

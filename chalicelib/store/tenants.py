"""Tenants and their API keys. A key is stored only as its SHA-256: keys are long random
strings, so a plain hash is enough to make a stolen table useless for calling the API."""

from __future__ import annotations

import hashlib
from datetime import datetime

from pynamodb.exceptions import DoesNotExist

from .models import ApiKeyItem, TenantItem

KEY_SK = "#KEY"
TENANT_SK = "#TENANT"


def hash_api_key(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


def tenant_for_api_key(api_key: str) -> str | None:
    try:
        item = ApiKeyItem.get(f"KEY#{hash_api_key(api_key)}", KEY_SK)
    except DoesNotExist:
        return None
    return item.tenant_id


def save_tenant(tenant_id: str, name: str, api_key: str, *, now: datetime) -> None:
    """Create or refresh a tenant and one of its keys (idempotent: the same call twice is one)."""
    TenantItem(
        pk=f"T#{tenant_id}", sk=TENANT_SK, tenant_id=tenant_id, name=name, created_at=now
    ).save()
    ApiKeyItem(
        pk=f"KEY#{hash_api_key(api_key)}",
        sk=KEY_SK,
        tenant_id=tenant_id,
        label=name,
        created_at=now,
    ).save()

"""Lookups that change rarely, cached per container: who an API key belongs to, the payer
directory, and each tenant's clearinghouse accounts and payer routes. Kept apart so every use
case can use them without importing another use case."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from chalicelib.config import settings
from chalicelib.payers.accounts import ClearinghouseAccount, PayerRoute
from chalicelib.payers.directory import Payer
from chalicelib.store import rate_limits
from chalicelib.store import tenants as tenant_store
from chalicelib.wiring import on_reset, payer_directory

T = TypeVar("T")
_CACHE_SECONDS = 60.0


class TtlCache:
    """Per-container cache for lookups that change rarely (API keys, payers): one DynamoDB
    read per `ttl_seconds` per key instead of one per request. At most `max_entries` are
    kept, the least recently used going first, and a lookup that found nothing (None) is
    not kept: otherwise anyone could fill the container's memory with made-up keys, and a
    key or payer added a moment later would stay unknown for a minute."""

    def __init__(
        self,
        *,
        max_entries: int = 1000,
        ttl_seconds: float = _CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._entries: OrderedDict[str, tuple[float, object]] = OrderedDict()
        self._max_entries = max_entries
        self._ttl = ttl_seconds
        self._clock = clock
        self._lock = threading.Lock()  # `chalice local` serves each request in a thread

    def get(self, key: str, load: Callable[[], T | None]) -> T | None:
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None and self._clock() - hit[0] < self._ttl:
                self._entries.move_to_end(key)
                return hit[1]  # type: ignore[return-value]
        value = load()  # outside the lock: a slow read must not hold up other keys
        with self._lock:
            if value is None:
                self._entries.pop(key, None)
                return None
            self._entries[key] = (self._clock(), value)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def forget(self, key: str) -> None:
        with self._lock:
            self._entries.pop(key, None)


_tenants = TtlCache()
_payers = TtlCache()
_routes = TtlCache()  # by tenant: all its routes (an empty tuple is kept, unlike None)
_accounts = TtlCache()  # by tenant: all its clearinghouse accounts


def clear_caches() -> None:
    _tenants.clear()
    _payers.clear()
    _routes.clear()
    _accounts.clear()


on_reset(clear_caches)


def authenticate(api_key: str, *, now: datetime) -> tenant_store.Principal | None:
    """Who an API key belongs to, or None when the key is unknown, revoked, expired or its
    tenant suspended. Cached a minute per container (unknown keys are not: see TtlCache):
    a revocation or a suspension reaches every warm container within that minute; an
    expiry is checked on every request."""
    if len(api_key) > 256:  # ours are a few dozen characters: no lookup for a longer one
        return None
    found = _tenants.get(
        tenant_store.hash_api_key(api_key),
        lambda: tenant_store.principal_for_api_key(api_key, now=now),
    )
    if found is not None and found.expires_at is not None and found.expires_at <= now:
        return None
    return found


def over_limit(principal: tenant_store.Principal, *, now: datetime) -> int | None:
    """Count the request against the key's limit a minute: None within it, else the seconds
    until the next minute (answer 429 with Retry-After)."""
    limit = principal.requests_per_minute or settings().key_requests_per_minute
    who = principal.key_id or f"seed:{principal.tenant_id}"
    return rate_limits.take(who, limit=limit, now=now)


def forget_key(key_hash: str) -> None:
    """After a key is revoked or its tenant suspended: this container refuses it at once."""
    _tenants.forget(key_hash)


def find_payer(tenant_id: str, payer_id: str) -> Payer | None:
    """The payer as the tenant's claims see it: through the tenant's own route when it has
    one (its clearinghouse account, and that clearinghouse's id for the payer), else as the
    shared directory has it. None: the tenant cannot bill this payer."""
    directory = payer_directory()
    shared = _payers.get(payer_id, lambda: directory.load_payer(payer_id))
    route = next((r for r in tenant_routes(tenant_id) if r.payer_id == payer_id), None)
    if route is None:
        return shared
    account = tenant_account(tenant_id, route.account_id)
    if account is None:
        return None  # a route to an account deleted since: refused, never sent elsewhere
    return Payer(
        payer_id=payer_id,
        name=route.name or (shared.name if shared else payer_id),
        plan_type=route.plan_type or (shared.plan_type if shared else "CI"),
        gateway=account.gateway,
        gateway_payer_id=route.clearinghouse_payer_id,
    )


def tenant_routes(tenant_id: str) -> tuple[PayerRoute, ...]:
    directory = payer_directory()
    return _routes.get(tenant_id, lambda: tuple(directory.load_routes(tenant_id))) or ()


def tenant_accounts(tenant_id: str) -> tuple[ClearinghouseAccount, ...]:
    directory = payer_directory()
    return _accounts.get(tenant_id, lambda: tuple(directory.load_accounts(tenant_id))) or ()


def tenant_account(tenant_id: str, account_id: str) -> ClearinghouseAccount | None:
    return next((a for a in tenant_accounts(tenant_id) if a.account_id == account_id), None)


def forget_tenant_connections(tenant_id: str) -> None:
    """After a tenant changes an account or a route: this container sees it at once, the
    others within the cache's minute."""
    _routes.forget(tenant_id)
    _accounts.forget(tenant_id)

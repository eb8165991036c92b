"""The per-container cache behind API-key (and payer) lookups: bounded, least recently used
first out, known keys kept for the TTL, unknown keys never kept."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial

import pytest

from chalicelib.services import lookups as service
from chalicelib.services.lookups import TtlCache
from chalicelib.store import tenants as tenant_store


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Loads:
    """A lookup that counts its calls and finds what `known` holds."""

    def __init__(self, known: dict[str, str]) -> None:
        self.known = known
        self.calls: list[str] = []

    def of(self, key: str) -> str | None:
        self.calls.append(key)
        return self.known.get(key)


def test_api_key_cache_known_key_is_read_once_per_ttl() -> None:
    clock = Clock()
    cache = TtlCache(ttl_seconds=60, clock=clock)
    loads = Loads({"k": "tenant-a"})
    assert cache.get("k", lambda: loads.of("k")) == "tenant-a"
    clock.now += 59.9
    assert cache.get("k", lambda: loads.of("k")) == "tenant-a"
    assert loads.calls == ["k"]
    clock.now += 0.1
    assert cache.get("k", lambda: loads.of("k")) == "tenant-a"
    assert loads.calls == ["k", "k"]


def test_api_key_cache_unknown_key_is_never_kept() -> None:
    cache = TtlCache()
    loads = Loads({})
    for _ in range(3):
        assert cache.get("nope", lambda: loads.of("nope")) is None
    assert loads.calls == ["nope"] * 3
    assert len(cache) == 0


def test_api_key_cache_key_added_later_is_found_at_once() -> None:
    cache = TtlCache()
    loads = Loads({})
    assert cache.get("k", lambda: loads.of("k")) is None
    loads.known["k"] = "tenant-a"
    assert cache.get("k", lambda: loads.of("k")) == "tenant-a"


def test_api_key_cache_is_bounded_least_recently_used_first_out() -> None:
    cache = TtlCache(max_entries=3)
    loads = Loads({k: k.upper() for k in "abcd"})
    for key in "abc":
        cache.get(key, partial(loads.of, key))
    cache.get("a", lambda: loads.of("a"))  # a is now the most recently used
    cache.get("d", lambda: loads.of("d"))  # b goes
    assert len(cache) == 3
    loads.calls.clear()
    for key in "acd":
        cache.get(key, partial(loads.of, key))
    assert loads.calls == []
    cache.get("b", lambda: loads.of("b"))
    assert loads.calls == ["b"]


def test_api_key_cache_default_bound_holds_under_many_keys() -> None:
    cache = TtlCache()
    for n in range(5000):
        cache.get(f"key-{n}", partial(int, n))
    assert len(cache) == 1000


def test_api_key_cache_a_key_that_disappears_is_dropped() -> None:
    clock = Clock()
    cache = TtlCache(ttl_seconds=60, clock=clock)
    loads = Loads({"k": "tenant-a"})
    cache.get("k", lambda: loads.of("k"))
    del loads.known["k"]
    clock.now += 61
    assert cache.get("k", lambda: loads.of("k")) is None
    assert len(cache) == 0


def test_api_key_cache_forget_and_clear() -> None:
    cache = TtlCache()
    cache.get("a", lambda: 1)
    cache.get("b", lambda: 2)
    cache.forget("a")
    assert len(cache) == 1
    cache.clear()
    assert len(cache) == 0


NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)


def test_api_key_cache_authenticate_keeps_no_unknown_keys(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    looked_up: list[str] = []

    def lookup(api_key: str, *, now: datetime) -> tenant_store.Principal | None:
        looked_up.append(api_key)
        return None

    monkeypatch.setattr(tenant_store, "principal_for_api_key", lookup)
    monkeypatch.setattr(service, "_tenants", TtlCache())
    for n in range(2000):
        assert service.authenticate(f"cg_made_up_{n}", now=NOW) is None
    assert len(service._tenants) == 0
    assert len(looked_up) == 2000
    assert service.authenticate("x" * 10_000, now=NOW) is None  # no key of ours: not looked up
    assert len(looked_up) == 2000

"""The service's clock: what "now" is for every handler, schedule and gateway.

Real time by default. `CLAIMGATE_CLOCK_START` (ISO 8601) starts the clock at that instant
when the process starts and lets it run on from there: tests and demos built on fixed dates
of service (the contract examples) then behave the same on any day, while time still moves
forward (ordering, backoff and due times keep working)."""

from __future__ import annotations

from datetime import UTC, datetime

from chalicelib.config import settings

_offset: tuple[datetime, datetime] | None = None


def utcnow() -> datetime:
    global _offset  # noqa: PLW0603 - the clock's origin, fixed on first use
    start = settings().clock_start
    if start is None:
        return datetime.now(UTC)
    if _offset is None or _offset[0] != start:
        _offset = (start, datetime.now(UTC))
    return start + (datetime.now(UTC) - _offset[1])

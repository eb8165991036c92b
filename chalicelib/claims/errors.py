"""Errors of the claim domain."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .lifecycle import Event, Status


class ClaimError(Exception):
    """Base of the claim domain's errors."""


class LifecycleError(ClaimError):
    """An event that the lifecycle table does not allow in the claim's current status."""

    def __init__(self, current: Status | None, event: Event) -> None:
        self.current = current
        self.event = event
        super().__init__(f"event {event.value!r} is not allowed in status {current!r}")

"""What a use case can fail with, as the routes see it: the routes call use cases and never the
store, so the store's errors reach them from here."""

from __future__ import annotations

from chalicelib.store.errors import (
    ConcurrentUpdateError,
    DuplicateClaimError,
    InvalidCursorError,
)

__all__ = ["ConcurrentUpdateError", "DuplicateClaimError", "InvalidCursorError"]

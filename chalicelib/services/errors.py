"""What a use case can fail with, as the routes see it: the routes call use cases and never the
store, so the store's errors reach them from here."""

from __future__ import annotations

from chalicelib.store.errors import (
    ConcurrentUpdateError,
    DuplicateClaimError,
    InvalidCursorError,
)


class RefusedError(Exception):
    """A use case refused what was asked, in the biller's words: `code` for programs,
    `reason` for people (a correction after the payer accepted, an appeal of a paid claim,
    a second resolution ...). Codes `not_found`, `not_supported` and `invalid_*` say the
    request is wrong; every other code that the claim is not in a state to take it."""

    def __init__(self, code: str, reason: str) -> None:
        self.code = code
        self.reason = reason
        super().__init__(reason)


__all__ = ["ConcurrentUpdateError", "DuplicateClaimError", "InvalidCursorError", "RefusedError"]

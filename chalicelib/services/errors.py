"""What a use case can fail with, as the routes see it: the routes call use cases and never the
store, so the store's errors reach them from here."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

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


T = TypeVar("T")


def replaced(write: Callable[[], T], *, attempts: int = 8) -> T:
    """`write()`, a full replace that reads the version it writes over, tried again while
    it loses to another write (ConcurrentUpdateError): each loss means another write
    succeeded, so a few tries, with a little jitter, outlast a burst of simultaneous ones."""
    for attempt in range(attempts):
        try:
            return write()
        except ConcurrentUpdateError:
            if attempt == attempts - 1:
                raise
            time.sleep(random.uniform(0, 0.01 * (attempt + 1)))  # noqa: S311 - jitter only
    raise AssertionError("unreachable")  # pragma: no cover


__all__ = [
    "ConcurrentUpdateError",
    "DuplicateClaimError",
    "InvalidCursorError",
    "RefusedError",
    "replaced",
]

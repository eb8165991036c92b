"""The embedded AWS (moto), made to keep DynamoDB's promise for `make run` and the tests.

DynamoDB applies each request to an item atomically: a conditional write checks and writes
as one step. moto checks, then writes, in plain Python: two threads can both pass the check.
One lock around each DynamoDB request gives moto the same guarantee, so parallel requests
against `make run` or the test client see real DynamoDB semantics, not moto's gaps."""

from __future__ import annotations

import functools
import threading
from typing import Any

_LOCK = threading.RLock()
_done = False


def serialize_dynamodb() -> None:
    """Make every moto DynamoDB request atomic (idempotent: safe to call twice)."""
    global _done  # noqa: PLW0603 - a process-wide patch, applied once
    if _done:
        return
    from moto.dynamodb.responses import DynamoHandler

    original = DynamoHandler.call_action

    @functools.wraps(original)
    def call_action(self: Any) -> Any:
        with _LOCK:
            return original(self)

    DynamoHandler.call_action = call_action  # type: ignore[method-assign]
    _done = True

"""The embedded AWS (moto), made to keep AWS's promises for `make run`, the tests and the
benchmarks.

DynamoDB applies each request to an item atomically: a conditional write checks and writes
as one step. moto checks, then writes, in plain Python: two threads can both pass the check.
moto's S3 is not safe either when two threads put the same key (one closes the buffer the other
reads). One lock around each request moto serves, in process (the tests' mock) and as a server
(`make run`), gives parallel requests real AWS semantics, so a race found is ours, not moto's."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

_LOCK = threading.RLock()
_done = False


def _serialized(call: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(call)
    def one_at_a_time(*args: Any, **kwargs: Any) -> Any:
        with _LOCK:
            return call(*args, **kwargs)

    return one_at_a_time


def serialize_requests() -> None:
    """Make every request moto serves atomic (idempotent: safe to call twice)."""
    global _done  # noqa: PLW0603 - a process-wide patch, applied once
    if _done:
        return
    from moto.core.botocore_stubber import BotocoreStubber
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    BotocoreStubber.__call__ = _serialized(BotocoreStubber.__call__)  # type: ignore[method-assign]
    DomainDispatcherApplication.__call__ = _serialized(  # type: ignore[method-assign]
        DomainDispatcherApplication.__call__
    )
    _done = True

"""Who is acting in this thread: the API key of the request being served (its id, and the
person or system it was issued to), or the schedule or worker running. Set where a request
or a run starts and reset where it ends; the store writes it on every claim event, so a
claim's history says who corrected, appealed, wrote off or resolved."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Actor:
    principal: str  # a key id, `seed:<tenant>`, or `schedule:<name>`
    name: str | None = None


_current: ContextVar[Actor | None] = ContextVar("actor", default=None)


@contextmanager
def acting_as(actor: Actor) -> Iterator[None]:
    token = _current.set(actor)
    try:
        yield
    finally:
        _current.reset(token)


def current_actor() -> Actor | None:
    return _current.get()

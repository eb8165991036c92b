"""The Chalice application class, with the request kept per thread.

Chalice keeps the request being served on the app object (`app.current_request`). On Lambda a
container serves one request at a time, but `chalice local` serves each request in a thread of
its own, and so do parallel calls through the test client: one request's body and tenant
would be read by another. Here the request and the Lambda context live in a thread-local."""

from __future__ import annotations

import threading
from typing import Any

from chalice.app import Chalice, Request


class ThreadSafeChalice(Chalice):
    """A Chalice app whose `current_request` and `lambda_context` belong to the calling thread."""

    _local = threading.local()

    @property
    def current_request(self) -> Request | None:
        request: Request | None = getattr(self._local, "request", None)
        return request

    @current_request.setter
    def current_request(self, value: Request | None) -> None:
        self._local.request = value

    @property
    def lambda_context(self) -> Any:
        return getattr(self._local, "context", None)

    @lambda_context.setter
    def lambda_context(self, value: Any) -> None:
        self._local.context = value

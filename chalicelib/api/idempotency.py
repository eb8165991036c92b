"""Idempotency-Key for every route that changes something: the same key with the same body
within 24 h answers what the first request answered (header Idempotent-Replayed: true), the
same key with another body is refused (422), a request still in progress under the key
answers 409. Keys are scoped by tenant and route, so one key on two routes is two keys.
Only successful answers are kept: a refused request can be retried with the same key."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from chalice.app import Request, Response

from .auth import tenant_of
from .http import error_response


class _NotKept(Exception):  # noqa: N818 - a control-flow signal, not an error
    def __init__(self, response: Response) -> None:
        self.response = response


def _run(request: dict[str, Any], action: Callable[[], Response]) -> dict[str, Any]:
    """What the idempotency layer stores: a successful answer as JSON-able data."""
    response = action()
    if response.status_code >= 300:
        raise _NotKept(response)
    body = response.body
    if isinstance(body, bytes):
        body = body.decode()
    return {"status": response.status_code, "body": body, "headers": dict(response.headers)}


def idempotent_response(
    request: Request,
    route: str,
    body: object,
    action: Callable[[], Response],
    *,
    context: Any = None,
) -> Response:
    """`action()`'s answer, once per Idempotency-Key (when the request carries one);
    `context`, the Lambda context, bounds how long an in-progress key blocks a retry."""
    key = request.headers.get("idempotency-key")
    if not key:
        return action()
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyValidationError,
    )

    from chalicelib.wiring import idempotent

    payload = {"tenant": tenant_of(request), "key": f"{route}|{key}", "body": body}
    try:
        result = idempotent(_run)(payload, context, action=action)
    except _NotKept as not_kept:
        return not_kept.response
    except IdempotencyValidationError:
        return error_response(
            422,
            "idempotency_key_reused",
            "this Idempotency-Key was used with a different body",
            "Idempotency-Key",
        )
    except IdempotencyAlreadyInProgressError:
        return error_response(
            409,
            "idempotency_in_progress",
            "a request with this Idempotency-Key is still being processed",
            "Idempotency-Key",
        )
    headers: dict[str, str | list[str]] = {
        str(k): str(v) for k, v in dict(result.get("headers") or {}).items()
    }
    if result.get("replayed"):
        headers["Idempotent-Replayed"] = "true"
    stored = result["body"]
    return Response(
        body=stored if isinstance(stored, str) else json.dumps(stored),
        status_code=int(result["status"]),
        headers=headers,
    )

"""API-key authentication: `x-api-key` -> tenant, for every route but the OpenAPI document;
and the one place every request passes, so also its correlation id and the last word on
what an error answer looks like.

Done as Chalice HTTP middleware rather than an API Gateway authorizer: `chalice local` only
emulates authorizers on the Authorization header and answers 403 where the contract says
401, so the middleware is the one mechanism that behaves the same in Lambda, `make run` and
the test client. Keys are looked up by hash (chalicelib.store.tenants).

Chalice catches what a view raises itself: it logs it with its traceback on the app's logger
and answers a 500 in its own shape. The app is named like the service logger ("claimgate"),
so the filter installed below rewrites that log line into the exception's type and where it
was raised (never its message), and the middleware turns the answer into ours, with the
correlation id to find the log line by."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable

from chalice.app import Request, Response

from chalicelib.observability import logger, where_raised

from .http import SAFE_EXCEPTION_LOGS, error_response, internal_error_response, our_error_shape

# Public: the API's description, and the inbound webhook (signed by the clearinghouse with
# the account's own secret instead of an API key).
PUBLIC_PATHS = frozenset({"/v1/openapi.json", "/v1/inbound/{inbound_id}"})
TENANT = "tenant_id"
ROLES = "roles"
# A client's own correlation id is kept when it looks like one (it is logged and echoed).
_CORRELATION_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# Longer than any id we issue or know (claim, run, payer, schedule): looking it up would only
# fail, and DynamoDB refuses keys over 2,048 bytes.
MAX_PATH_PARAMETER = 128

logging.getLogger(logger.name).addFilter(SAFE_EXCEPTION_LOGS)


def authenticate(event: Request, get_response: Callable[[Request], Response]) -> Response:
    correlation_id = _correlation_id(event)
    # Keys per thread: `chalice local` serves each request in a thread of its own.
    logger.thread_safe_remove_keys([TENANT, "claim_id"])
    logger.thread_safe_append_keys(correlation_id=correlation_id)
    try:
        response = _authenticated(event, get_response)
    except Exception as error:
        # Raised here rather than in a view (Chalice catches those): the same safe record.
        logger.error(
            "unhandled exception in the middleware",
            extra={"error": error.__class__.__name__, "at": where_raised(error)},
        )
        response = internal_error_response(correlation_id)
    response = our_error_shape(response, correlation_id)
    response.headers["x-correlation-id"] = correlation_id
    return response


def _authenticated(event: Request, get_response: Callable[[Request], Response]) -> Response:
    if event.path in PUBLIC_PATHS:
        return get_response(event)
    api_key = event.headers.get("x-api-key")
    if not api_key:
        return error_response(401, "unauthorized", "the x-api-key header is required", "x-api-key")
    from chalicelib.services import lookups  # the store: built on the first request

    principal = lookups.authenticate(api_key)
    if principal is None:
        logger.info("api key refused")
        return error_response(401, "unauthorized", "the API key is not valid", "x-api-key")
    authorizer = event.context.setdefault("authorizer", {})
    authorizer[TENANT] = principal.tenant_id
    authorizer[ROLES] = ",".join(sorted(principal.roles))
    logger.thread_safe_append_keys(tenant_id=principal.tenant_id)
    for name, value in (event.uri_params or {}).items():
        if len(value) > MAX_PATH_PARAMETER:
            return error_response(404, "not_found", "no such resource: the id is too long", name)
    return get_response(event)


def _correlation_id(event: Request) -> str:
    given = event.headers.get("x-correlation-id") or (event.context or {}).get("requestId")
    if isinstance(given, str) and _CORRELATION_ID.fullmatch(given):
        return given
    return uuid.uuid4().hex


def tenant_of(request: Request) -> str:
    return str(request.context["authorizer"][TENANT])


def has_role(request: Request, role: str) -> bool:
    return role in str(request.context["authorizer"].get(ROLES, "")).split(",")


def refused_without(request: Request, role: str) -> Response | None:
    """403 when the request's API key lacks `role`; None when it has it."""
    if has_role(request, role):
        return None
    return error_response(403, "forbidden", f"this API key has no {role} role", "x-api-key")

"""API-key authentication: `x-api-key` -> tenant and roles, for every route but the public
ones; and the one place every request passes, so also: the key's limit a minute (429), the
route x role table (403, chalicelib.api.access), who is acting (chalicelib.actor), the access
audit of every answer holding patient data, the correlation id, and the last word on what an
error answer looks like.

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

from chalicelib.actor import Actor, acting_as
from chalicelib.clock import utcnow
from chalicelib.observability import logger, where_raised
from chalicelib.roles import effective_roles

from .access import PHI_READS, allowed
from .http import SAFE_EXCEPTION_LOGS, error_response, internal_error_response, our_error_shape

# Public: the API's description, and the inbound webhook (signed by the clearinghouse with
# the account's own secret instead of an API key).
# The console's page and files hold no data (chalicelib.api.console): public like the spec.
PUBLIC_PATHS = frozenset(
    {"/v1/openapi.json", "/v1/inbound/{inbound_id}", "/", "/console", "/console/{asset}"}
)
TENANT = "tenant_id"
ROLES = "roles"
PRINCIPAL = "principal"  # the key's id: who did what a request changes
PRINCIPAL_NAME = "principal_name"  # the person or system the key was issued to
# A client's own correlation id is kept when it looks like one (it is logged and echoed).
_CORRELATION_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# Longer than any id we issue or know (claim, run, payer, schedule): looking it up would only
# fail, and DynamoDB refuses keys over 2,048 bytes.
MAX_PATH_PARAMETER = 128

logging.getLogger(logger.name).addFilter(SAFE_EXCEPTION_LOGS)


def authenticate(event: Request, get_response: Callable[[Request], Response]) -> Response:
    correlation_id = _correlation_id(event)
    # Keys per thread: `chalice local` serves each request in a thread of its own.
    logger.thread_safe_remove_keys([TENANT, "claim_id", "key_id"])
    logger.thread_safe_append_keys(correlation_id=correlation_id)
    try:
        response = _authenticated(event, get_response, correlation_id)
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


def _authenticated(
    event: Request, get_response: Callable[[Request], Response], correlation_id: str
) -> Response:
    if event.path in PUBLIC_PATHS:
        return get_response(event)
    api_key = event.headers.get("x-api-key")
    if not api_key:
        return error_response(401, "unauthorized", "the x-api-key header is required", "x-api-key")
    from chalicelib.services import lookups  # the store: built on the first request

    principal = lookups.authenticate(api_key, now=utcnow())
    if principal is None:
        logger.info("api key refused")
        return error_response(401, "unauthorized", "the API key is not valid", "x-api-key")
    wait = lookups.over_limit(principal, now=utcnow())
    if wait is not None:  # counted for every key alike: API Gateway's own limits are wider
        limited = error_response(
            429, "rate_limited", f"this API key has made this minute's requests: retry in {wait} s"
        )
        limited.headers["Retry-After"] = str(wait)
        return limited
    roles = effective_roles(principal.roles)
    authorizer = event.context.setdefault("authorizer", {})
    authorizer[TENANT] = principal.tenant_id
    authorizer[ROLES] = ",".join(sorted(roles))
    authorizer[PRINCIPAL] = principal.key_id or f"seed:{principal.tenant_id}"
    authorizer[PRINCIPAL_NAME] = principal.name or ""
    logger.thread_safe_append_keys(tenant_id=principal.tenant_id, key_id=authorizer[PRINCIPAL])
    actor = Actor(str(authorizer[PRINCIPAL]), principal.name)
    with acting_as(actor):
        return _allowed(event, get_response, roles, correlation_id)


def _allowed(
    event: Request,
    get_response: Callable[[Request], Response],
    roles: frozenset[str],
    correlation_id: str,
) -> Response:
    may = allowed(event.method, event.path)
    if may is not None and not roles & may:
        logger.info("route refused to the key's roles")
        needed = ", ".join(sorted(may)) or "none: the route is not open to any key"
        return error_response(
            403,
            "forbidden",
            f"this API key ({', '.join(sorted(roles)) or 'no role'}) may not call "
            f"{event.method} {event.path}; it takes: {needed}",
            "x-api-key",
        )
    for name, value in (event.uri_params or {}).items():
        if len(value) > MAX_PATH_PARAMETER:
            return error_response(404, "not_found", "no such resource: the id is too long", name)
    response = get_response(event)
    if (event.method, event.path) in PHI_READS and 200 <= response.status_code < 300:
        return _recorded(event, response, correlation_id)
    return response


def _recorded(event: Request, response: Response, correlation_id: str) -> Response:
    """The answer, once its read is in the access audit; a 503 (and nothing read) if the
    record cannot be written."""
    from chalicelib.services.audit import AccessRecord, record_access

    authorizer = event.context["authorizer"]
    try:
        record_access(
            AccessRecord(
                tenant_id=str(authorizer[TENANT]),
                at=utcnow(),
                principal=str(authorizer[PRINCIPAL]),
                principal_name=str(authorizer.get(PRINCIPAL_NAME) or "") or None,
                method=event.method,
                route=event.path,
                resource=event.path.format(**(event.uri_params or {})),
                status=response.status_code,
                correlation_id=correlation_id,
            )
        )
    except Exception as error:
        logger.error("read not recorded", extra={"error": error.__class__.__name__})
        return error_response(
            503, "audit_unavailable", "the read could not be recorded, so nothing is shown: retry"
        )
    return response


def _correlation_id(event: Request) -> str:
    given = event.headers.get("x-correlation-id") or (event.context or {}).get("requestId")
    if isinstance(given, str) and _CORRELATION_ID.fullmatch(given):
        return given
    return uuid.uuid4().hex


def tenant_of(request: Request) -> str:
    return str(request.context["authorizer"][TENANT])


def principal_of(request: Request) -> str:
    """The calling key's id (`seed:<tenant>` for a seeded key): recorded on what it changes."""
    return str(request.context["authorizer"].get(PRINCIPAL, ""))

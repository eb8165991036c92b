"""API-key authentication: `x-api-key` -> tenant, for every route but the OpenAPI document.

Done as Chalice HTTP middleware rather than an API Gateway authorizer: `chalice local` only
emulates authorizers on the Authorization header and answers 403 where the contract says
401, so the middleware is the one mechanism that behaves the same in Lambda, `make run` and
the test client. Keys are looked up by hash (chalicelib.store.tenants)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from chalice.app import Request, Response

from chalicelib.observability import logger
from chalicelib.services import claims as service

from .http import error_response

PUBLIC_PATHS = frozenset({"/v1/openapi.json"})
TENANT = "tenant_id"
ROLES = "roles"


def authenticate(event: Request, get_response: Callable[[Request], Response]) -> Response:
    correlation_id = (
        event.headers.get("x-correlation-id")
        or (event.context or {}).get("requestId")
        or uuid.uuid4().hex
    )
    logger.set_correlation_id(correlation_id)
    logger.remove_keys([TENANT, "claim_id"])
    if event.path in PUBLIC_PATHS:
        return _with_correlation(get_response(event), correlation_id)
    api_key = event.headers.get("x-api-key")
    if not api_key:
        return _with_correlation(
            error_response(401, "unauthorized", "the x-api-key header is required", "x-api-key"),
            correlation_id,
        )
    principal = service.authenticate(api_key)
    if principal is None:
        logger.info("api key refused")
        return _with_correlation(
            error_response(401, "unauthorized", "the API key is not valid", "x-api-key"),
            correlation_id,
        )
    authorizer = event.context.setdefault("authorizer", {})
    authorizer[TENANT] = principal.tenant_id
    authorizer[ROLES] = ",".join(sorted(principal.roles))
    logger.append_keys(tenant_id=principal.tenant_id)
    return _with_correlation(get_response(event), correlation_id)


def _with_correlation(response: Response, correlation_id: str) -> Response:
    response.headers["x-correlation-id"] = correlation_id
    return response


def tenant_of(request: Request) -> str:
    return str(request.context["authorizer"][TENANT])


def has_role(request: Request, role: str) -> bool:
    return role in str(request.context["authorizer"].get(ROLES, "")).split(",")

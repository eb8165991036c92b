"""API Gateway's own answers in the API's error shape.

Some requests never reach the app: a path no route matches (API Gateway answers 403
"Missing Authentication Token", also for a method the path does not take), a body over its
10 MB limit, throttling, a timeout. A deployed stage answers them in the shape every route
answers in (chalicelib.api.http.error_response), with the request id as the correlation id;
`make run` answers an unknown path with the same body (scripts/serve_api.py).

The stage template (infra/template.py) carries them as GatewayResponse resources of the
stage's REST API, so they are deployed with it.
"""

from __future__ import annotations

import json
from typing import Any

NOT_FOUND_MESSAGE = "no such route: see GET /v1/openapi.json"
# The gateway's request id: what the app logs and answers as the correlation id.
REQUEST_ID = "$context.requestId"

# response type -> (status, or None to keep the gateway's own; code; message)
RESPONSES: dict[str, tuple[int | None, str, str]] = {
    "MISSING_AUTHENTICATION_TOKEN": (404, "not_found", NOT_FOUND_MESSAGE),
    "REQUEST_TOO_LARGE": (413, "too_large", "the request body is larger than 10 MB"),
    "UNSUPPORTED_MEDIA_TYPE": (
        415,
        "unsupported_media_type",
        "this route does not take a body of this Content-Type",
    ),
    "THROTTLED": (429, "too_many_requests", "too many requests: wait and send it again"),
    "QUOTA_EXCEEDED": (429, "too_many_requests", "too many requests: wait and send it again"),
    "INTEGRATION_TIMEOUT": (504, "timeout", "the request took too long: send it again"),
    "DEFAULT_4XX": (None, "refused", "the request was refused before it reached the API"),
    "DEFAULT_5XX": (None, "internal_error", "internal error: quote the correlation id to support"),
}


def error_body(code: str, message: str, correlation_id: str | None = None) -> str:
    """The body of chalicelib.api.http.error_response (and of a 500, with its correlation id)."""
    error = {"field": None, "code": code, "message": message, "severity": "error"}
    body: dict[str, Any] = {"message": message, "errors": [error]}
    if correlation_id is not None:
        body["correlationId"] = correlation_id
    return json.dumps(body)


def not_found_body() -> str:
    return error_body("not_found", NOT_FOUND_MESSAGE)


def gateway_responses() -> dict[str, Any]:
    """The stage template's AWS::ApiGateway::GatewayResponse resources: each answer in our
    shape; a 5xx with the request id as its correlation id, as the app's own 500 has."""
    found: dict[str, Any] = {}
    for response_type, (status, code, message) in RESPONSES.items():
        server_error = response_type == "DEFAULT_5XX" or (status or 0) >= 500
        body = error_body(code, message, REQUEST_ID if server_error else None)
        properties: dict[str, Any] = {
            "RestApiId": {"Ref": "RestAPI"},
            "ResponseType": response_type,
            "ResponseTemplates": {"application/json": body},
        }
        if status is not None:
            properties["StatusCode"] = str(status)
        logical_id = "GatewayResponse" + "".join(
            part.capitalize() for part in response_type.split("_")
        )
        found[logical_id] = {"Type": "AWS::ApiGateway::GatewayResponse", "Properties": properties}
    return found

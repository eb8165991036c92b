"""API Gateway's own answers in the API's error shape.

Some requests never reach the app: a path no route matches (API Gateway answers 403
"Missing Authentication Token", also for a method the path does not take), a body over its
10 MB limit, throttling, a timeout. A deployed stage answers them in the shape every route
answers in (chalicelib.api.http.error_response), with the request id as the correlation id;
`make run` answers an unknown path with the same body (scripts/serve_api.py).

    python -m infra.gateway_responses STAGE    (infra/deploy.sh runs it after `chalice deploy`)

reads the stage's REST API id from .chalice/deployed/STAGE.json, puts the responses and
deploys the API stage again so they take effect.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
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


def gateway_responses(rest_api_id: str) -> list[dict[str, Any]]:
    """The put_gateway_response calls: each answer in our shape; a 5xx with the request id
    as its correlation id, as the app's own 500 has."""
    calls = []
    for response_type, (status, code, message) in RESPONSES.items():
        server_error = response_type == "DEFAULT_5XX" or (status or 0) >= 500
        body = error_body(code, message, REQUEST_ID if server_error else None)
        call: dict[str, Any] = {
            "restApiId": rest_api_id,
            "responseType": response_type,
            "responseTemplates": {"application/json": body},
        }
        if status is not None:
            call["statusCode"] = str(status)
        calls.append(call)
    return calls


def deployed_api(stage: str) -> tuple[str, str]:
    """The stage's REST API id (what `chalice deploy` recorded) and its API Gateway stage."""
    deployed = json.loads((ROOT / ".chalice" / "deployed" / f"{stage}.json").read_text())
    api = next(r for r in deployed["resources"] if r.get("resource_type") == "rest_api")
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    gateway_stage = (
        config.get("stages", {})
        .get(stage, {})
        .get("api_gateway_stage", config.get("api_gateway_stage", "api"))
    )
    return str(api["rest_api_id"]), str(gateway_stage)


def apply(client: Any, rest_api_id: str, gateway_stage: str) -> None:
    for call in gateway_responses(rest_api_id):
        client.put_gateway_response(**call)
    client.create_deployment(restApiId=rest_api_id, stageName=gateway_stage)


def main(argv: list[str]) -> int:
    import boto3

    stage = argv[0] if argv else "dev"
    rest_api_id, gateway_stage = deployed_api(stage)
    apply(boto3.client("apigateway"), rest_api_id, gateway_stage)
    print(f"gateway responses set on {rest_api_id} ({gateway_stage})")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

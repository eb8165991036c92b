"""HTTP helpers shared by the blueprints: JSON responses, error bodies, request parsing."""

from __future__ import annotations

import json
from collections.abc import Iterable

from chalice.app import Request, Response
from pydantic import BaseModel, ValidationError

from .views import ErrorOut, ProblemOut

JSON: dict[str, str | list[str]] = {"Content-Type": "application/json"}

# pydantic error types -> our stable codes (the rest pass through as schema_<type>).
_SCHEMA_CODES = {
    "missing": "required",
    "extra_forbidden": "unknown_field",
    "literal_error": "invalid_code",
    "string_too_short": "too_short",
    "string_too_long": "too_long",
    "too_short": "too_few_items",
    "too_long": "too_many_items",
    "decimal_parsing": "invalid_amount",
    "decimal_max_places": "too_many_decimal_places",
    "decimal_max_digits": "too_many_digits",
    "date_from_datetime_parsing": "invalid_date",
    "date_parsing": "invalid_date",
    "date_type": "invalid_date",
    "value_error": "invalid_value",
    "json_invalid": "invalid_json",
}


def json_response(
    model: BaseModel, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        body=model.model_dump_json(),
        status_code=status,
        headers={**JSON, **(headers or {})},
    )


def error_response(status: int, code: str, message: str, field: str | None = None) -> Response:
    body = ErrorOut(message=message, errors=[ProblemOut(field=field, code=code, message=message)])
    return json_response(body, status)


def problems_response(status: int, message: str, problems: Iterable[ProblemOut]) -> Response:
    return json_response(ErrorOut(message=message, errors=list(problems)), status)


def field_path(loc: Iterable[int | str]) -> str:
    """('claimInformation', 'serviceLines', 1, 'serviceDate') becomes
    claimInformation.serviceLines[1].serviceDate."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def schema_problems(error: ValidationError) -> list[ProblemOut]:
    """Every structural problem at once; messages never echo the submitted value (it may be PHI)."""
    return [
        ProblemOut(
            field=field_path(e["loc"]) or None,
            code=_SCHEMA_CODES.get(e["type"], f"schema_{e['type']}"),
            message=e["msg"],
        )
        for e in error.errors(include_input=False, include_url=False)
    ]


def json_body(request: Request) -> object:
    """The parsed JSON body; raises ValueError with a client-facing message when it is not JSON."""
    raw = request.raw_body
    if not raw:
        raise ValueError("request body is empty; a JSON object is required")
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ValueError("request body is not valid JSON") from None

"""HTTP helpers shared by the blueprints: JSON responses, error bodies, request parsing."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from chalice.app import Request, Response
from pydantic import BaseModel, ValidationError

from chalicelib.observability import where_raised

from .views import ErrorOut, ProblemOut, ServerErrorOut

JSON: dict[str, str | list[str]] = {"Content-Type": "application/json"}

# A JSON body is refused before it is parsed into anything the handlers see: bigger than the
# route allows (413), nested deeper than any request of ours (422), or not JSON (400). The
# claim contract nests 7 levels; 32 leaves room and stays far from Python's recursion limit.
MAX_JSON_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 32
# Python refuses int() of more than 4,300 digits; a longer JSON integer is kept as a Decimal
# so the schema can name the field it was sent in (every number we accept is far shorter).
_MAX_INT_DIGITS = 40

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
    "decimal_type": "invalid_amount",
    "finite_number": "invalid_amount",
    "decimal_max_places": "too_many_decimal_places",
    "decimal_max_digits": "too_many_digits",
    "decimal_whole_digits": "too_many_digits",
    "date_from_datetime_parsing": "invalid_date",
    "date_from_datetime_inexact": "invalid_date",
    "date_parsing": "invalid_date",
    "date_type": "invalid_date",
    "value_error": "invalid_value",
    "json_invalid": "invalid_json",
    # Our own rules (chalicelib.api.contract) keep their names.
    "invalid_amount": "invalid_amount",
    "invalid_date": "invalid_date",
    "date_too_early": "date_too_early",
}


def json_response(
    model: BaseModel, status: int = 200, headers: Mapping[str, str] | None = None
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


def internal_error_response(correlation_id: str) -> Response:
    message = "internal error: quote the correlation id to support"
    body = ServerErrorOut(
        message=message,
        errors=[ProblemOut(field=None, code="internal_error", message=message)],
        correlationId=correlation_id,
    )
    return json_response(body, 500)


# Chalice answers some requests itself, in its own shape ({"Code", "Message"}): a view that
# raised (500, or a ChaliceViewError's own status), a method or content type the route does
# not take. Ours instead, by status, with our own words (Chalice's echo the request's headers).
_CHALICE_ERRORS = {
    400: ("bad_request", "the request was refused"),
    401: ("unauthorized", "the request needs a valid x-api-key"),
    403: ("forbidden", "this API key may not do this"),
    404: ("not_found", "no such resource"),
    405: ("method_not_allowed", "this route does not take this method"),
    408: ("timeout", "the request took too long: send it again"),
    409: ("conflict", "the request conflicts with the resource as it is now"),
    413: ("too_large", "the request body is too large"),
    415: ("unsupported_media_type", "this route does not take a body of this Content-Type"),
    422: ("invalid_request", "the request is not valid"),
    429: ("too_many_requests", "too many requests: wait and send it again"),
}


def our_error_shape(response: Response, correlation_id: str) -> Response:
    """`response` itself, or ours in its place when Chalice made it."""
    body = response.body
    chalice_made = isinstance(body, dict) and "Code" in body
    debug_trace = response.status_code >= 500 and response.headers.get("Content-Type") == (
        "text/plain"
    )
    if not (chalice_made or debug_trace):
        return response
    if response.status_code >= 500:
        return internal_error_response(correlation_id)
    code, message = _CHALICE_ERRORS.get(response.status_code, _CHALICE_ERRORS[400])
    ours = error_response(response.status_code, code, message)
    ours.headers = {**response.headers, **ours.headers}
    return ours


class SafeExceptionLogs(logging.Filter):
    """Rewrites a log record that carries an exception into the exception's type and the
    file:line where it was raised, dropping the message and the traceback: exception
    messages can hold whatever data was being handled (PHI). Chalice logs every exception a
    view raises this way (with the request path as argument), and so would any
    `logger.exception`."""

    _CHALICE_MESSAGE = "Caught exception for path %s"

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.exc_info:
            return True
        error = record.exc_info[1]
        if record.msg == self._CHALICE_MESSAGE:
            record.msg, record.args = "unhandled exception in a route", ()
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        if error is not None:
            record.error = error.__class__.__name__
            record.at = where_raised(error)
        return True


SAFE_EXCEPTION_LOGS = SafeExceptionLogs()


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


class BodyError(ValueError):
    """A request body refused before validation. The message says which rule it broke and
    never quotes the body."""

    def __init__(self, status: int, code: str, message: str) -> None:
        self.status = status
        self.code = code
        super().__init__(message)

    def response(self) -> Response:
        return error_response(self.status, self.code, str(self))


def body_bytes(request: Request, *, max_bytes: int = MAX_JSON_BYTES) -> bytes:
    """The raw body, refused (413) when longer than the route allows."""
    raw = request.raw_body or b""
    data = raw if isinstance(raw, bytes) else raw.encode("utf-8", errors="surrogatepass")
    if len(data) > max_bytes:
        raise BodyError(413, "too_large", f"the request body is larger than {max_bytes} bytes")
    return data


def json_body(
    request: Request, *, max_bytes: int = MAX_JSON_BYTES, max_depth: int = MAX_JSON_DEPTH
) -> object:
    """The parsed JSON body; raises BodyError (400, 413 or 422) when it cannot be used."""
    return parse_json(body_bytes(request, max_bytes=max_bytes), max_depth=max_depth)


def parse_json(raw: bytes, *, max_depth: int = MAX_JSON_DEPTH) -> object:
    """Strict JSON (no NaN or Infinity, no unpaired surrogates) no deeper than `max_depth`."""
    if not raw.strip():
        raise BodyError(400, "invalid_json", "request body is empty; a JSON document is required")
    try:
        value = json.loads(
            raw.decode("utf-8"), parse_int=_parse_int, parse_constant=_refuse_constant
        )
    except RecursionError:
        raise _too_deep(max_depth) from None
    except ValueError:  # JSONDecodeError, UnicodeDecodeError, NaN / Infinity
        raise BodyError(400, "invalid_json", "request body is not valid JSON") from None
    _check_tree(value, max_depth)
    return value


def _parse_int(text: str) -> int | Decimal:
    return int(text) if len(text) <= _MAX_INT_DIGITS else Decimal(text)


def _refuse_constant(name: str) -> object:
    raise ValueError("NaN and Infinity are not JSON")


def _too_deep(max_depth: int) -> BodyError:
    return BodyError(422, "too_deep", f"the JSON body is nested deeper than {max_depth} levels")


_SURROGATE = re.compile("[\ud800-\udfff]")


def _check_tree(value: object, max_depth: int) -> None:
    """Depth and text, walked without recursion: a string with an unpaired surrogate (which
    JSON escapes allow) could be stored but never encoded again, in an answer or in X12."""
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            if depth >= max_depth:
                raise _too_deep(max_depth)
            for key, item in node.items():
                _check_text(key)
                stack.append((item, depth + 1))
        elif isinstance(node, list):
            if depth >= max_depth:
                raise _too_deep(max_depth)
            stack.extend((item, depth + 1) for item in node)
        elif isinstance(node, str):
            _check_text(node)


def _check_text(text: str) -> None:
    if not text.isascii() and _SURROGATE.search(text):
        raise BodyError(400, "invalid_json", "request body holds an unpaired UTF-16 surrogate")


ASCII_DIGITS = re.compile(r"[0-9]+")
MAX_QUERY_TEXT = 128  # longer than any id we issue or accept
MAX_CURSOR = 4096  # our cursors are a few hundred characters


def query_int(
    query: Mapping[str, str],
    name: str,
    problems: list[ProblemOut],
    *,
    default: int,
    lowest: int,
    highest: int,
) -> int:
    """A whole-number query parameter in ASCII digits within [lowest, highest]; otherwise
    the problem is added and `default` returned (`str.isdigit` accepts "²" and "٣", which
    int() refuses or reads as another number)."""
    raw = query.get(name)
    if not raw:
        return default
    if len(raw) <= len(str(highest)) and ASCII_DIGITS.fullmatch(raw) and lowest <= int(raw):
        value = int(raw)
        if value <= highest:
            return value
    problems.append(
        ProblemOut(
            field=name,
            code="invalid_value",
            message=f"{name} must be a whole number from {lowest} to {highest} in digits 0-9",
        )
    )
    return default


def query_text(
    query: Mapping[str, str],
    name: str,
    problems: list[ProblemOut],
    *,
    longest: int = MAX_QUERY_TEXT,
    code: str = "too_long",
) -> str | None:
    """A text query parameter (an id, a cursor): None when absent or empty; when longer than
    `longest` the problem is added (an id that long is none of ours, and DynamoDB would
    refuse it as a key)."""
    raw = query.get(name)
    if not raw:
        return None
    if len(raw) > longest:
        problems.append(
            ProblemOut(field=name, code=code, message=f"{name} is longer than {longest} characters")
        )
        return None
    return raw


def query_instant(
    query: Mapping[str, str], name: str, problems: list[ProblemOut]
) -> datetime | None:
    """An ISO 8601 date-time query parameter as an aware UTC instant (no offset: UTC); a
    value that is not one, or that falls off the calendar once moved to UTC, is a problem."""
    raw = query.get(name)
    if not raw:
        return None
    try:
        if len(raw) > 40 or not raw.isascii():
            raise ValueError(name)
        moment = datetime.fromisoformat(raw)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):
        problems.append(
            ProblemOut(
                field=name, code="invalid_date", message=f"{name} must be an ISO 8601 date-time"
            )
        )
        return None


def amount_text(value: object) -> Decimal | None:
    """An amount sent as text in a small JSON body (never a float): 0 or more, at most 2
    decimals; None when it is not one."""
    if not isinstance(value, str) or len(value) > 16:
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation:
        return None
    exponent = amount.as_tuple().exponent
    if not amount.is_finite() or amount < 0 or not isinstance(exponent, int) or exponent < -2:
        return None
    return amount

"""Every key of every JSON answer is camelCase, and every answer is what the OpenAPI document
says it is, for every route: claims (create, validate, get, list, correct, replace, void,
close), the X12 uploads (remittances, acknowledgments, claim files), the worklist, payers and
fee schedules, schedules and runs, and the error answers.

Keys that are data, not names, are skipped (`DATA_KEYS`): a run's `counts` is keyed by
counter codes (`interchanges_sent`, `files_unreadable`, ...), snake_case like every `code`.
Nothing else is: ids and codes are values in this API, never keys."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from chalice.test import Client

from tests.conftest import ROOT, X12_SAMPLES
from tests.functional.conftest import TENANT_B_KEY, contract, headers

CAMEL_CASE = re.compile(r"[a-z][a-zA-Z0-9]*")
# Objects whose keys are data: a run's counters, keyed by counter code.
DATA_KEYS = frozenset({"counts"})
X12 = {"Content-Type": "application/edi-x12"}
ERROR_OUT = {"$ref": "#/components/schemas/ErrorOut"}


def key_problems(value: Any, path: str = "$") -> Iterator[str]:
    """Every key under `value` that is not camelCase, as a path to it."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not CAMEL_CASE.fullmatch(key):
                yield f"{path}.{key}"
            if key not in DATA_KEYS:
                yield from key_problems(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from key_problems(item, f"{path}[{i}]")


def test_the_key_walk_finds_snake_case_at_any_depth() -> None:
    answer = {"ok": [{"segment_index": 1}], "counts": {"files_applied": 1}, "Bad": {"x_y": 2}}
    assert list(key_problems(answer)) == ["$.ok[0].segment_index", "$.Bad", "$.Bad.x_y"]


class Recorder:
    """Calls the API and keeps every answer with the route template it came from."""

    def __init__(self, client: Client, document: dict[str, Any]) -> None:
        self.client = client
        self.templates = [
            (re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", t) + "$"), t) for t in document["paths"]
        ]
        self.answers: list[tuple[str, str, int, Any]] = []

    def __call__(
        self, method: str, path: str, body: Any = None, *, key: str | None = None, **extra: str
    ) -> Any:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode() if body else b""
        request_headers = headers(key, **extra) if key else headers(**extra)
        response = self.client.http.request(method, path, headers=request_headers, body=raw)
        assert response.status_code < 500, (method, path, response.body)
        content_type = {k.lower(): v for k, v in response.headers.items()}.get("content-type")
        if (content_type or "").startswith("application/json"):
            template = next(
                (
                    t
                    for pattern, t in self.templates
                    if pattern.match(path.split("?", maxsplit=1)[0])
                ),
                path,
            )
            self.answers.append(
                (method.lower(), template, response.status_code, response.json_body)
            )
        return response.json_body if response.body else None


_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
}


def schema_problems(
    value: Any, schema: dict[str, Any], defs: dict[str, Any], at: str
) -> Iterator[str]:
    """Where `value` differs from `schema`, for the JSON Schema pydantic writes ($ref, anyOf,
    type, properties, required, additionalProperties, items); an object whose schema names
    its properties may hold no other key (nothing undocumented)."""
    if "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[-1]]
    if "anyOf" in schema:
        if all(any(schema_problems(value, s, defs, at)) for s in schema["anyOf"]):
            yield f"{at}: matches none of {schema['anyOf']}"
        return
    expected = schema.get("type")
    if expected is not None:
        kinds = _TYPES[expected]
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            yield f"{at}: {type(value).__name__}, not {expected}"
            return
    if isinstance(value, dict):
        properties = schema.get("properties")
        extra = schema.get("additionalProperties", properties is None)
        for name in schema.get("required", []):
            if name not in value:
                yield f"{at}.{name}: missing"
        for key, item in value.items():
            if properties is not None and key in properties:
                yield from schema_problems(item, properties[key], defs, f"{at}.{key}")
            elif isinstance(extra, dict):
                yield from schema_problems(item, extra, defs, f"{at}.{key}")
            elif not extra:
                yield f"{at}.{key}: not documented"
    elif isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            yield from schema_problems(item, schema["items"], defs, f"{at}[{i}]")


def documentation_problems(document: dict[str, Any], answers: list[Any]) -> Iterator[str]:
    """Each answer checked against the schema the document gives its route and status."""
    defs = document["components"]["schemas"]
    for method, template, status, body in answers:
        where = f"{method.upper()} {template} {status}"
        operation = document["paths"].get(template, {}).get(method)
        if operation is None:  # a path or a method no route takes: answered in the shape
            answer = {"content": {"application/json": {"schema": ERROR_OUT}}}
        else:
            responses = operation["responses"]
            answer = responses.get(str(status)) or responses.get("default")
        schema = (answer or {}).get("content", {}).get("application/json", {}).get("schema")
        if schema is None:
            yield f"{where}: not documented"
            continue
        yield from schema_problems(body, schema, defs, where)


@pytest.fixture
def document(client: Client) -> dict[str, Any]:
    response = client.http.get("/v1/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json_body
    return body


def test_every_key_the_api_returns_is_camel_case_and_documented(
    client: Client, document: dict[str, Any]
) -> None:
    call = Recorder(client, document)
    poll = "/v1/schedules/clearinghouse-poll/runs"

    # Claims: created, refused, duplicated, validated; then sent, accepted and paid.
    basic = call("POST", "/v1/claims", contract("claim-basic.json"))["claimId"]
    medicare = call("POST", "/v1/claims", contract("claim-medicare-with-secondary.json"))["claimId"]
    documented = call("POST", "/v1/claims", contract("claim-documented-shape.json"))["claimId"]
    call("POST", "/v1/claims", contract("claim-basic.json"))  # 409 duplicate
    call("POST", "/v1/claims", contract("claim-invalid.json"))  # 422
    call("POST", "/v1/claims/validate", contract("claim-dependent.json"))
    call("POST", "/v1/claims/validate", contract("claim-invalid.json"))
    unknown_member = contract("claim-dependent.json")
    unknown_member["subscriber"]["memberId"] = "UNK0001"
    rejected = call("POST", "/v1/claims", unknown_member)["claimId"]
    run_id = call("POST", poll)["runId"]
    call("POST", poll)
    for schedule in ("secondary-routing", "claim-followups", "payment-mismatches"):
        call("POST", f"/v1/schedules/{schedule}/runs")

    # Corrections: a rejected claim fixed; a paid one replaced, another voided, one closed.
    unknown_member["subscriber"]["memberId"] = "W123456789"
    call("PUT", f"/v1/claims/{rejected}", unknown_member)
    call("POST", f"/v1/claims/{basic}/replacement", contract("claim-basic.json"))
    call("POST", f"/v1/claims/{documented}/void")
    call("POST", f"/v1/claims/{medicare}/close", {"reason": "other", "note": "a test"})
    call("POST", f"/v1/claims/{medicare}/close", {"reason": "boredom"})  # 422
    call("POST", poll)
    call("POST", poll)

    for claim_id in (basic, medicare, documented, rejected):
        call("GET", f"/v1/claims/{claim_id}")
    call("GET", "/v1/claims?limit=2")
    call("GET", "/v1/claims?limit=zero")  # 400
    call("GET", "/v1/worklist")
    call("GET", "/v1/worklist?kind=nothing")  # 400
    call("GET", "/v1/schedules")
    call("GET", "/v1/runs")
    call("GET", f"/v1/runs/{run_id}")
    call("GET", "/v1/runs", key=TENANT_B_KEY)  # 403: no operator role

    # Payers: policy and fee schedules, good and bad, JSON and CSV.
    call("GET", "/v1/payers/SBX01")
    call("GET", "/v1/payers/NOSUCH")  # 404
    policy = {
        "firstStatusCheckDays": 21,
        "statusCheckIntervalDays": 14,
        "timelyFilingDays": 90,
        "appealWindowDays": 180,
        "crossesOverToSecondary": False,
    }
    call("PUT", "/v1/payers/SBX01", {"policy": policy})
    call("PUT", "/v1/payers/SBX01", {"policy": {**policy, "timelyFilingDays": 0}})  # 422
    fees = "/v1/payers/SBX01/fee-schedules"
    row = {"procedureCode": "99214", "amount": "180.00", "effectiveFrom": "2027-01-01"}
    call("PUT", fees, [row])
    call("PUT", fees, [row, {**row, "amount": "x"}])  # 422
    header = "procedureCode,modifier,placeOfService,amount,effectiveFrom,effectiveTo\n"
    csv = {"Content-Type": "text/csv"}
    call("PUT", fees, (header + "99213,,,120.00,2027-01-01,\n").encode(), **csv)
    call("PUT", fees, (header + "9921,,,1,2027-01-01,\n").encode(), **csv)  # 422

    # Files: remittances, acknowledgments and claim files, readable or not, twice.
    uploads = [
        ("remittances", X12_SAMPLES / "835/managed-care.835"),
        ("remittances", X12_SAMPLES / "835/medicare-part-a.835"),
        ("remittances", X12_SAMPLES / "835/managed-care.835"),  # again: duplicate
        ("remittances", X12_SAMPLES / "999/x12_999_accepted.txt"),  # 422 refused
        ("acknowledgments", X12_SAMPLES / "999/x12_999_accepted.txt"),
        ("acknowledgments", X12_SAMPLES / "277CA/277CA Sample (Rejected).txt"),
        ("acknowledgments", X12_SAMPLES / "277/claim-level-status.277"),
        ("claim-files", ROOT / "tests/golden/837p-claim-dependent.x12"),
        ("claim-files", X12_SAMPLES / "837P/demo.example1.837"),
    ]
    for route, sample in uploads:
        call("POST", f"/v1/{route}", sample.read_bytes(), **X12)
    call("POST", "/v1/remittances", b"ISA*broken~", **X12)  # 422 unreadable
    call("POST", "/v1/claim-files", b"ISA*broken~", **X12)
    call("POST", "/v1/claim-files", b"", **X12)  # 400

    # Errors made by Chalice or the gateway rather than a route.
    call("DELETE", "/v1/claims")  # 405
    call("POST", "/v1/claims", b"{}", **{"Content-Type": "text/plain"})  # 415
    call("GET", "/v1/no-such-route")  # 404

    answers = [body for *_, body in call.answers]
    assert len(answers) > 50
    assert [p for answer in answers for p in key_problems(answer)] == []
    problems = list(documentation_problems(document, call.answers))
    assert not problems, "\n".join(problems)


def test_the_openapi_document_names_only_camel_case_properties(document: dict[str, Any]) -> None:
    names = [
        f"{schema_name}.{name}"
        for schema_name, schema in document["components"]["schemas"].items()
        for name in schema.get("properties", {})
        if not CAMEL_CASE.fullmatch(name) and name not in DATA_KEYS
    ]
    assert names == []

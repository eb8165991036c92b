"""One error shape for every 4xx/5xx the API answers, whoever makes it (our routes, Chalice,
the gateway), and camelCase for every key of every JSON answer."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from chalice.test import Client

from tests.conftest import X12_SAMPLES
from tests.functional.conftest import contract, headers

KEY = headers()["x-api-key"]


def assert_error_shape(body: Any) -> None:
    assert isinstance(body, dict) and isinstance(body["message"], str) and body["message"]
    assert body["errors"], body
    for error in body["errors"]:
        assert {"field", "code", "message"} <= error.keys(), error
        assert isinstance(error["code"], str) and re.fullmatch(r"[a-z0-9_]+", error["code"])


@pytest.mark.parametrize(
    ("method", "path", "request_headers", "body", "status", "code"),
    [
        ("GET", "/v1/no-such-thing", {"x-api-key": KEY}, None, 404, "not_found"),
        ("GET", "/v1/claims/x/y/z", {}, None, 404, "not_found"),
        ("GET", "/v1/claims", {}, None, 401, None),
        ("DELETE", "/v1/claims", {"x-api-key": KEY}, None, 405, "method_not_allowed"),
        (
            "POST",
            "/v1/claims",
            {"x-api-key": KEY, "Content-Type": "text/plain"},
            "{}",
            415,
            "unsupported_media_type",
        ),
        ("POST", "/v1/claims", headers(), "{not json", 400, None),
        ("POST", "/v1/claims", headers(), "x" * (300 * 1024), 413, "too_large"),
        ("GET", "/v1/claims/clm_missing", {"x-api-key": KEY}, None, 404, "not_found"),
        ("GET", "/v1/claims?limit=zero", {"x-api-key": KEY}, None, 400, None),
    ],
)
def test_every_error_has_the_one_shape(
    client: Client,
    method: str,
    path: str,
    request_headers: dict[str, str],
    body: str | None,
    status: int,
    code: str | None,
) -> None:
    raw = body.encode() if body is not None else b""
    response = client.http.request(method, path, headers=request_headers, body=raw)
    assert response.status_code == status, response.body
    assert_error_shape(response.json_body)
    if code is not None:
        assert response.json_body["errors"][0]["code"] == code


def test_an_unreadable_file_answers_in_the_error_shape_too(client: Client) -> None:
    response = client.http.post(
        "/v1/remittances",
        headers={"x-api-key": KEY, "Content-Type": "application/edi-x12"},
        body=b"ISA*this is not an interchange~",
    )
    assert response.status_code == 422
    assert_error_shape(response.json_body)
    assert response.json_body["status"] == "unreadable"


_CAMEL = re.compile(r"[a-z][a-zA-Z0-9]*")
# Objects whose keys are data, not names: codes, ids, dates.
_DATA_KEYS = {"counts", "detail", "claimDateInformation"}


def camel_case_problems(value: Any, path: str = "") -> list[str]:
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if not _CAMEL.fullmatch(key):
                found.append(f"{path}.{key}")
            if key not in _DATA_KEYS:
                found += camel_case_problems(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += camel_case_problems(item, f"{path}[{i}]")
    return found


def test_every_key_the_api_returns_is_camel_case(client: Client) -> None:
    answers: list[Any] = []

    def call(method: str, path: str, body: Any = None, **extra: str) -> Any:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode() if body else b""
        response = client.http.request(method, path, headers=headers(**extra), body=raw)
        answers.append(response.json_body)
        return response.json_body

    claim_id = call("POST", "/v1/claims", contract("claim-basic.json"))["claimId"]
    call("POST", "/v1/claims", contract("claim-invalid.json"))
    call("POST", "/v1/claims/validate", contract("claim-documented-shape.json"))
    call("POST", "/v1/schedules/clearinghouse-poll/runs")
    call("POST", "/v1/schedules/clearinghouse-poll/runs")
    call("GET", f"/v1/claims/{claim_id}")
    call("GET", "/v1/claims")
    call("GET", "/v1/worklist")
    call("GET", "/v1/runs")
    call("GET", "/v1/schedules")
    call("GET", "/v1/payers/SBX01")
    x12 = {"Content-Type": "application/edi-x12"}
    for sample in ("835/managed-care.835", "999/x12_999_accepted.txt", "837P/demo.example1.837"):
        route = {"835": "remittances", "999": "acknowledgments", "837P": "claim-files"}
        kind = sample.split("/", 1)[0]
        call("POST", f"/v1/{route[kind]}", (X12_SAMPLES / sample).read_bytes(), **x12)
    call("POST", "/v1/remittances", b"ISA*broken~", **x12)
    problems = [p for answer in answers for p in camel_case_problems(answer)]
    assert problems == []

"""One error shape for every 4xx/5xx the API answers, whoever makes it: our routes, Chalice,
the gateway (the test client, `make run`'s server, a deployed stage's gateway responses).
camelCase keys and the OpenAPI document: tests/functional/test_json_keys.py."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from chalice.test import Client

from tests.functional.conftest import headers, local_api

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
        ("TRACE", "/v1/claims", {"x-api-key": KEY}, None, 405, "method_not_allowed"),
        (
            "PUT",
            "/v1/payers/SBX01",
            {"x-api-key": KEY, "Content-Type": "text/csv"},
            "a,b",
            415,
            "unsupported_media_type",
        ),
        (
            "POST",
            "/v1/remittances",
            {"x-api-key": KEY, "Content-Type": "application/json"},
            "{}",
            415,
            "unsupported_media_type",
        ),
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


@pytest.mark.parametrize("route", ["/v1/remittances", "/v1/claim-files"])
def test_an_unreadable_file_answers_in_the_error_shape_naming_segments_from_1(
    client: Client, route: str
) -> None:
    response = client.http.post(
        route,
        headers={"x-api-key": KEY, "Content-Type": "application/edi-x12"},
        body=b"ISA*this is not an interchange~",
    )
    assert response.status_code == 422
    assert_error_shape(response.json_body)
    error = response.json_body["errors"][0]
    assert (error["segmentIndex"], error["segmentId"]) == (1, "ISA")  # the ISA is segment 1


def test_a_chalice_view_error_answers_in_our_shape_with_a_code_for_its_status() -> None:
    from chalice.app import Response

    from chalicelib.api.http import our_error_shape

    for status, code in ((400, "bad_request"), (404, "not_found"), (409, "conflict")):
        made = Response(body={"Code": "SomeChaliceError", "Message": "x"}, status_code=status)
        ours = our_error_shape(made, "corr-1")
        body = json.loads(ours.body) if isinstance(ours.body, str) else ours.body
        assert ours.status_code == status
        assert_error_shape(body)
        assert body["errors"][0]["code"] == code
    crashed = our_error_shape(
        Response(body={"Code": "InternalServerError", "Message": "x"}, status_code=500), "c-2"
    )
    assert json.loads(crashed.body)["correlationId"] == "c-2"


def test_a_file_problem_from_a_use_case_is_put_in_our_shape() -> None:
    from chalicelib.api.inbound import file_problem

    raced = file_problem({"code": "ConcurrentUpdateError", "claimId": "clm_1"})
    assert (raced.code, raced.claimId, raced.field) == ("concurrent_update", "clm_1", None)
    assert raced.message
    whole_file = file_problem({"code": "x12_unreadable", "message": "m", "segmentIndex": 0})
    assert whole_file.segmentIndex is None  # no segment: the file as a whole
    located = file_problem(
        {"code": "x12_unreadable", "message": "m", "segmentIndex": 3, "segmentId": "GS"}
    )
    assert (located.segmentIndex, located.segmentId) == (3, "GS")


# -- counting: positions in a file from 1, indexes in a path from 0 -------------------------


def test_fee_schedule_errors_count_rows_from_1_and_json_indexes_from_0(client: Client) -> None:
    good = {"procedureCode": "99214", "amount": "180.00", "effectiveFrom": "2027-01-01"}
    bad = {**good, "procedureCode": "99213", "amount": "x"}
    response = client.http.put(
        "/v1/payers/SBX01/fee-schedules", headers=headers(), body=json.dumps([good, bad]).encode()
    )
    assert response.status_code == 422, response.body
    assert_error_shape(response.json_body)
    [error] = response.json_body["errors"]
    assert (error["field"], error["row"], error["code"]) == ("rows[1].amount", 2, "invalid_amount")

    csv = (
        "procedureCode,amount,effectiveFrom,color\n99214,180.00,2027-01-01,\n99213,x,2027-01-01,\n"
    )
    response = client.http.put(
        "/v1/payers/SBX01/fee-schedules",
        headers={"x-api-key": KEY, "Content-Type": "text/csv"},
        body=csv.encode(),
    )
    assert response.status_code == 422, response.body
    assert [(e["field"], e["row"], e["code"]) for e in response.json_body["errors"]] == [
        ("color", 1, "unknown_field")  # the header is row 1, as an editor shows it
    ]
    response = client.http.put(
        "/v1/payers/SBX01/fee-schedules",
        headers={"x-api-key": KEY, "Content-Type": "text/csv"},
        body=csv.replace(",color", "").replace("01,\n", "01\n").encode(),
    )
    assert [(e["field"], e["row"]) for e in response.json_body["errors"]] == [("amount", 3)]


# -- make run's server and a deployed stage's gateway -----------------------------------------


@pytest.fixture(scope="module")
def local_server() -> Iterator[int]:
    """make run's server on a free port: requests that never need the store."""
    with local_api() as port:
        yield port


def _raw(port: int, request: bytes) -> tuple[int, dict[str, str], Any]:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode().split("\r\n")
    fields = dict(line.split(": ", 1) for line in header_lines)
    return int(status_line.split()[1]), fields, json.loads(body)


@pytest.mark.parametrize(
    ("request_bytes", "status", "code"),
    [
        (b"GET /v1/no-such-thing HTTP/1.1\r\nx-api-key: k\r\n", 404, "not_found"),
        (b"GET /v1/claims/x/y/z HTTP/1.1\r\nAuthorization: AWS4 x\r\n", 404, "not_found"),
        (b"TRACE /v1/claims HTTP/1.1\r\n", 405, "method_not_allowed"),
        (b"PROPFIND /v1/claims HTTP/1.1\r\n", 405, "method_not_allowed"),
        (b"POST /v1/claims HTTP/1.1\r\nContent-Length: abc\r\n", 400, "bad_request"),
        (b"POST /v1/claims HTTP/1.1\r\nContent-Length: 99999999\r\n", 413, "too_large"),
        (b"DELETE /v1/claims HTTP/1.1\r\n", 401, "unauthorized"),
        (b"GET /v1/a b HTTP/1.1\r\n", 400, "bad_request"),  # a space in the path
    ],
)
def test_make_run_server_answers_in_our_shape(
    local_server: int, request_bytes: bytes, status: int, code: str
) -> None:
    request = request_bytes + b"Host: localhost\r\nConnection: close\r\n\r\n"
    got, fields, body = _raw(local_server, request)
    assert (got, fields["Content-Type"]) == (status, "application/json")
    assert_error_shape(body)
    assert body["errors"][0]["code"] == code


def test_the_deployed_gateway_answers_in_our_shape() -> None:
    from infra.gateway_responses import REQUEST_ID
    from infra.template import build_template

    resources = build_template("dev")["Resources"]
    calls = {
        r["Properties"]["ResponseType"]: r["Properties"]
        for r in resources.values()
        if r.get("Type") == "AWS::ApiGateway::GatewayResponse"
    }
    assert calls["MISSING_AUTHENTICATION_TOKEN"]["StatusCode"] == "404"
    assert "StatusCode" not in calls["DEFAULT_4XX"]  # keeps the gateway's own status
    for response_type, call in calls.items():
        assert call["RestApiId"] == {"Ref": "RestAPI"}  # the stage's own API
        body = json.loads(call["ResponseTemplates"]["application/json"])
        assert_error_shape(body)
        if response_type in ("DEFAULT_5XX", "INTEGRATION_TIMEOUT"):
            assert body["correlationId"] == REQUEST_ID

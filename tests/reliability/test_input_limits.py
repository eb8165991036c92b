"""Hostile and odd input on every route: a clean 4xx naming the field and the rule, or a 500
in our shape with a correlation id and a log line without the data; never Chalice's own 500."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import logging
from collections.abc import Callable
from typing import Any

import pytest
from chalice.test import Client

from tests.functional.conftest import TENANT_B_KEY, contract, headers

CLAIM_ROUTES = ("/v1/claims", "/v1/claims/validate")
FEES = "/v1/payers/SBX01/fee-schedules"
CSV = {"Content-Type": "text/csv"}
HEADER = "procedureCode,modifier,placeOfService,amount,effectiveFrom,effectiveTo\n"


def _errors(response: Any) -> dict[str | None, str]:
    body: dict[str, Any] = response.json_body
    return {e["field"]: e["code"] for e in body["errors"]}


def _post(client: Client, route: str, body: object) -> Any:
    return client.http.post(route, headers=headers(), body=json.dumps(body))


def _claim(**changes: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    body = contract("claim-basic.json")
    for change in changes.values():
        change(body)
    return body


def _nested(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


# -- JSON bodies: depth, size, numbers ------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "route"),
    [("post", r) for r in CLAIM_ROUTES] + [("put", FEES), ("put", "/v1/payers/SBX01")],
)
@pytest.mark.parametrize("body", ["[" * 1500 + "]" * 1500, _nested(2000), _nested(33)])
def test_input_limits_deep_json_is_422_too_deep(
    client: Client, method: str, route: str, body: str
) -> None:
    response = getattr(client.http, method)(route, headers=headers(), body=body)
    assert response.status_code == 422, response.body
    assert _errors(response) == {None: "too_deep"}


def test_input_limits_depth_at_the_limit_is_parsed(client: Client) -> None:
    response = client.http.put("/v1/payers/SBX01", headers=headers(), body=_nested(32))
    assert response.status_code == 422
    assert _errors(response) == {"policy": "required", "a": "unknown_field"}


@pytest.mark.parametrize(
    ("method", "route", "extra"),
    [
        ("post", "/v1/claims", {}),
        ("post", "/v1/claims/validate", {}),
        ("put", "/v1/payers/SBX01", {}),
        ("put", FEES, {}),
        ("put", FEES, CSV),
    ],
)
def test_input_limits_oversized_body_is_413(
    client: Client, method: str, route: str, extra: dict[str, str]
) -> None:
    body = json.dumps({"padding": "x" * (1024 * 1024 + 1)})
    response = getattr(client.http, method)(route, headers=headers(**extra), body=body)
    assert response.status_code == 413, response.body
    assert _errors(response) == {None: "too_large"}


@pytest.mark.parametrize("body", ['{"a": NaN}', '{"a": Infinity}', '"\\ud800"', "{not json"])
def test_input_limits_not_json_is_400(client: Client, body: str) -> None:
    response = client.http.post("/v1/claims", headers=headers(), body=body)
    assert response.status_code == 400
    assert _errors(response) == {None: "invalid_json"}


def _set_charge(value: object) -> Callable[[dict[str, Any]], None]:
    def change(body: dict[str, Any]) -> None:
        body["claimInformation"]["claimChargeAmount"] = value

    return change


@pytest.mark.parametrize("route", CLAIM_ROUTES)
def test_input_limits_5000_digit_number_is_a_field_error(client: Client, route: str) -> None:
    digits = "9" * 5000
    raw = json.dumps(_claim()).replace('"245.00"', digits)
    response = client.http.post(route, headers=headers(), body=raw)
    assert response.status_code == 422, response.body
    assert _errors(response) == {"claimInformation.claimChargeAmount": "too_many_digits"}
    assert digits not in response.body.decode()
    as_text = _post(client, route, _claim(charge=_set_charge(digits)))
    assert as_text.status_code == 422
    assert _errors(as_text) == {"claimInformation.claimChargeAmount": "too_many_digits"}


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("２４５", "invalid_amount"),
        ("２４５.00", "invalid_amount"),
        ("1e3", "invalid_amount"),
        ("1_000", "invalid_amount"),
        ("245.001", "too_many_decimal_places"),
        ("1234567890123.00", "too_many_digits"),
        (1e400, "invalid_amount"),
    ],
)
def test_input_limits_amounts_are_ascii_r_with_two_decimals(
    client: Client, amount: object, code: str
) -> None:
    raw = json.dumps(_claim(charge=_set_charge(amount)))  # 1e400 is written as Infinity
    raw = raw.replace("Infinity", "1e400")
    response = client.http.post("/v1/claims/validate", headers=headers(), body=raw)
    assert response.status_code == 422, response.body
    assert _errors(response) == {"claimInformation.claimChargeAmount": code}


def test_input_limits_unicode_digit_pointer_is_a_field_error(client: Client) -> None:
    def pointer(body: dict[str, Any]) -> None:
        service = body["claimInformation"]["serviceLines"][0]["professionalService"]
        service["compositeDiagnosisCodePointers"]["diagnosisCodePointers"] = ["²"]

    response = _post(client, "/v1/claims", _claim(pointer=pointer))
    assert response.status_code == 422, response.body
    field = (
        "claimInformation.serviceLines[0].professionalService"
        ".compositeDiagnosisCodePointers.diagnosisCodePointers[0]"
    )
    assert _errors(response) == {field: "diagnosis_pointer_invalid"}


# -- dates -----------------------------------------------------------------------------------


def _subscriber_birth(value: str) -> Callable[[dict[str, Any]], None]:
    def change(body: dict[str, Any]) -> None:
        body["subscriber"]["dateOfBirth"] = value

    return change


@pytest.mark.parametrize(
    ("value", "code", "rule"),
    [
        ("00010101", "date_too_early", "1900-01-01"),
        ("09991231", "date_too_early", "1900-01-01"),
        ("0999-12-31", "date_too_early", "1900-01-01"),
        ("18991231", "date_too_early", "1900-01-01"),
        ("9991231", "invalid_date", "four-digit year"),
        ("１９６２０３１４", "invalid_date", "four-digit year"),
        ("19620230", "invalid_date", "calendar"),
    ],
)
def test_input_limits_birth_dates_from_1900(
    client: Client, value: str, code: str, rule: str
) -> None:
    response = _post(client, "/v1/claims", _claim(birth=_subscriber_birth(value)))
    assert response.status_code == 422, response.body
    errors = response.json_body["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [("subscriber.dateOfBirth", code)]
    assert rule in errors[0]["message"]
    assert value not in errors[0]["message"]


def test_input_limits_birth_date_not_in_the_future(client: Client) -> None:
    response = _post(client, "/v1/claims", _claim(birth=_subscriber_birth("20300101")))
    assert response.status_code == 422, response.body
    assert ("subscriber.dateOfBirth", "birth_date_in_future") in {
        (e["field"], e["code"]) for e in response.json_body["errors"]
    }


def test_input_limits_early_birth_date_is_stored_never(client: Client) -> None:
    ok = _post(client, "/v1/claims", _claim(birth=_subscriber_birth("19000101")))
    assert ok.status_code == 201, ok.body
    stored = client.http.get(f"/v1/claims/{ok.json_body['claimId']}", headers=headers())
    assert stored.json_body["claim"]["subscriber"]["dateOfBirth"] == "19000101"


@pytest.mark.parametrize(
    ("value", "code"),
    [("00010101", "date_too_early"), ("20991231", "service_date_in_future")],
)
def test_input_limits_service_dates_in_range(client: Client, value: str, code: str) -> None:
    def service_date(body: dict[str, Any]) -> None:
        body["claimInformation"]["serviceLines"][0]["serviceDate"] = value

    response = _post(client, "/v1/claims/validate", _claim(day=service_date))
    field = "claimInformation.serviceLines[0].serviceDate"
    if code == "date_too_early":
        assert response.status_code == 422, response.body
        assert _errors(response) == {field: code}
    else:
        assert response.status_code == 200, response.body
        assert {(e["field"], e["code"]) for e in response.json_body["errors"]} == {(field, code)}


# -- query parameters -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=%C2%B2", "limit"),
        ("limit=%D9%A3", "limit"),
        ("limit=" + "9" * 5000, "limit"),
        ("limit=-1", "limit"),
        ("updatedSince=0001-01-01T00:00:00%2B01:00", "updatedSince"),
        ("updatedSince=9999-12-31T23:59:59-01:00", "updatedSince"),
        ("updatedSince=%EF%BC%92026-01-01", "updatedSince"),
        ("payerId=" + "P" * 3000, "payerId"),
        ("cursor=" + "c" * 5000, "cursor"),
    ],
)
def test_input_limits_list_claims_query_is_400(client: Client, query: str, field: str) -> None:
    response = client.http.get(f"/v1/claims?{query}", headers=headers())
    assert response.status_code == 400, response.body
    assert set(_errors(response)) == {field}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("olderThan=0001-01-01T00:00:00%2B01:00", "olderThan"),
        ("olderThan=%EF%BC%92026", "olderThan"),
        ("payerId=" + "P" * 3000, "payerId"),
        ("cursor=" + "c" * 5000, "cursor"),
    ],
)
def test_input_limits_worklist_query_is_400(client: Client, query: str, field: str) -> None:
    response = client.http.get(f"/v1/worklist?{query}", headers=headers())
    assert response.status_code == 400, response.body
    assert set(_errors(response)) == {field}


def test_input_limits_long_path_ids_are_404(client: Client) -> None:
    for path in ("/v1/claims/" + "x" * 3000, "/v1/payers/" + "P" * 3000, "/v1/runs/" + "r" * 3000):
        response = client.http.get(path, headers=headers())
        assert response.status_code == 404, (path[:20], response.body)
        assert response.json_body["errors"][0]["code"] == "not_found"


# -- cursors ------------------------------------------------------------------------------------


def _forge(payload: object, raw_json: str | None = None) -> str:
    """A cursor signed with the default (public) secret, as anyone could on a local run."""
    from chalicelib.config import settings

    raw = (raw_json if raw_json is not None else json.dumps(payload)).encode()
    signature = hmac.new(settings().cursor_secret.encode(), raw, hashlib.sha256).hexdigest()[:32]
    return base64.urlsafe_b64encode(raw).decode().rstrip("=") + "." + signature


def _forged_cursors(scope: str) -> list[str]:
    good_key = {"pk": {"S": "T#tenant-a#CLAIM#x"}, "sk": {"S": "#CLAIM"}}
    return [
        _forge([1]),
        _forge("str"),
        _forge(None),
        _forge({"s": scope, "k": [1]}),
        _forge({"s": scope, "k": None}),
        _forge({"s": scope, "k": {"pk": 1, "sk": 2}}),
        _forge({"s": scope, "k": {"pk": {"N": "1"}, "sk": {"S": "#CLAIM"}}}),
        _forge({"s": scope, "k": {"pk": {"S": 5}, "sk": {"S": "#CLAIM"}}}),
        _forge({"s": scope, "k": {"pk": {"S": ""}, "sk": {"S": "#CLAIM"}}}),
        _forge({"s": scope, "k": {**good_key, "evil": {"S": "x"}}}),
        _forge({"s": scope, "k": good_key}),  # not the partition the query reads
        _forge({"s": scope, "k": {"pk": {"S": "\ud800"}, "sk": {"S": "#CLAIM"}}}),
        _forge(None, f'{{"s": {json.dumps(scope)}, "k": {"[" * 1500 + "]" * 1500}}}'),
        _forge(None, "[" * 1500 + "]" * 1500),
        base64.urlsafe_b64encode(b"[" * 2000).decode() + ".sig",
        "é.é",
        "no-dot",
        "%%%.x",
    ]


@pytest.mark.parametrize(
    ("route", "scope"),
    [
        ("/v1/claims", "T#tenant-a|"),
        ("/v1/worklist", "T#tenant-a#WORK|||"),
        ("/v1/runs", "RUNS"),
        ("/v1/runs?schedule=clearinghouse-poll", "RUNS#clearinghouse-poll"),
    ],
)
def test_input_limits_forged_cursor_is_400_invalid_cursor(
    client: Client, route: str, scope: str
) -> None:
    joiner = "&" if "?" in route else "?"
    for cursor in _forged_cursors(scope):
        query = f"{route}{joiner}cursor={base64_safe(cursor)}"
        response = client.http.get(query, headers=headers())
        assert response.status_code == 400, (cursor[:40], response.body)
        assert _errors(response) == {"cursor": "invalid_cursor"}


def base64_safe(cursor: str) -> str:
    from urllib.parse import quote

    return quote(cursor, safe="")


def test_input_limits_real_cursor_still_pages(client: Client) -> None:
    for n in range(3):
        body = contract("claim-basic.json")
        body["claimInformation"]["patientControlNumber"] = f"PCN-{n}"
        assert _post(client, "/v1/claims", body).status_code == 201
    first = client.http.get("/v1/claims?limit=2", headers=headers()).json_body
    assert len(first["claims"]) == 2 and first["cursor"]
    rest = client.http.get(f"/v1/claims?limit=2&cursor={first['cursor']}", headers=headers())
    assert rest.status_code == 200, rest.body
    assert len(rest.json_body["claims"]) == 1


# -- fee schedules ----------------------------------------------------------------------------


def _upload(client: Client, body: str, *, csv: bool = True) -> Any:
    return client.http.put(
        FEES, headers=headers(TENANT_B_KEY, **(CSV if csv else {})), body=body.encode()
    )


def test_input_limits_csv_field_over_the_csv_limit_is_422(client: Client) -> None:
    body = HEADER + "99214,,,180.00,2027-01-01,\n" + '"' + "x" * 140_000 + '",,,1.00,2027-01-01,\n'
    response = _upload(client, body)
    assert response.status_code == 422, response.body
    assert _errors(response) == {None: "invalid_csv"}


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("9" * 5000, "amount_too_large"),
        ("２４５", "invalid_amount"),
        ("1e3", "invalid_amount"),
        ("NaN", "invalid_amount"),
        ("12.345", "too_many_decimals"),
    ],
)
def test_input_limits_fee_schedule_amounts(client: Client, amount: str, code: str) -> None:
    csv_answer = _upload(client, HEADER + f"99214,,,{amount},2027-01-01,\n")
    assert csv_answer.status_code == 422, csv_answer.body
    assert _errors(csv_answer) == {"amount": code}
    assert amount not in csv_answer.body.decode()
    row = {"procedureCode": "99214", "amount": amount, "effectiveFrom": "2027-01-01"}
    json_answer = _upload(client, json.dumps([row]), csv=False)
    assert json_answer.status_code == 422, json_answer.body
    assert _errors(json_answer) == {"rows[0].amount": code}


def test_input_limits_fee_schedule_5000_digit_json_number(client: Client) -> None:
    row = '{"procedureCode": "99214", "amount": ' + "9" * 5000 + ', "effectiveFrom": "2027-01-01"}'
    raw = f"[{row}]"
    response = _upload(client, raw, csv=False)
    assert response.status_code == 422, response.body
    assert _errors(response) == {"rows[0].amount": "amount_too_large"}


@pytest.mark.parametrize(
    ("start", "end", "field", "code"),
    [
        ("0001-01-01", "", "effectiveFrom", "date_too_early"),
        ("19891231", "", "effectiveFrom", "date_too_early"),
        ("2027-01-01", "0001-01-01", "effectiveTo", "date_too_early"),
        ("２０２７-01-01", "", "effectiveFrom", "invalid_date"),
        ("202-01-01", "", "effectiveFrom", "invalid_date"),
    ],
)
def test_input_limits_fee_schedule_dates_from_1990(
    client: Client, start: str, end: str, field: str, code: str
) -> None:
    response = _upload(client, HEADER + f"99214,,,180.00,{start},{end}\n")
    assert response.status_code == 422, response.body
    assert _errors(response) == {field: code}
    assert "1990-01-01" in response.body.decode() or code == "invalid_date"


def test_input_limits_fee_schedule_row_limit(client: Client) -> None:
    from chalicelib.payers.fee_schedules import MAX_ROWS

    rows = "".join(f"{10000 + n},,,1.00,2027-01-01,\n" for n in range(MAX_ROWS + 1))
    response = _upload(client, HEADER + rows)
    assert response.status_code == 422, response.body
    assert _errors(response) == {None: "too_many_rows"}
    at_limit = "".join(f"{10000 + n},,,1.00,2027-01-01,\n" for n in range(MAX_ROWS))
    assert _upload(client, HEADER + at_limit).status_code == 201


def test_input_limits_fee_schedule_unknown_content_type_in_our_shape(client: Client) -> None:
    response = client.http.put(
        FEES, headers=headers(**{"Content-Type": "text/xml"}), body="<rows/>"
    )
    assert response.status_code == 415
    assert _errors(response) == {None: "unsupported_media_type"}
    assert response.headers["x-correlation-id"]


def test_input_limits_policy_values_in_ascii_digits(client: Client) -> None:
    policy = {
        "firstStatusCheckDays": "２１",
        "statusCheckIntervalDays": 10**50,
        "timelyFilingDays": int("9" * 40),
        "appealWindowDays": 60,
        "crossesOverToSecondary": False,
    }
    raw = json.dumps({"policy": policy}).replace(str(int("9" * 40)), "9" * 5000)
    response = client.http.put("/v1/payers/SBX01", headers=headers(), body=raw)
    assert response.status_code == 422, response.body
    assert set(_errors(response)) == {
        "policy.firstStatusCheckDays",
        "policy.statusCheckIntervalDays",
        "policy.timelyFilingDays",
    }


# -- every exception: a 500 in our shape, logged without its message ---------------------------


PHI = "Nuñez 1980-01-01"


def test_input_limits_exception_in_a_view_is_our_500_without_phi_in_logs(
    client: Client,
    monkeypatch: pytest.MonkeyPatch,
    service_log: io.StringIO,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from chalicelib.services import claims as service

    def explode(tenant_id: str, claim_id: str) -> None:
        raise ValueError(PHI)

    monkeypatch.setattr(service, "get_claim", explode)
    caplog.set_level(logging.INFO)
    response = client.http.get(
        "/v1/claims/clm_1", headers=headers(**{"x-correlation-id": "req-123"})
    )
    assert response.status_code == 500
    body = response.json_body
    assert body["correlationId"] == "req-123" == response.headers["x-correlation-id"]
    assert [e["code"] for e in body["errors"]] == ["internal_error"]
    assert set(body) == {"message", "errors", "correlationId"}
    assert "Nuñez" not in response.body.decode("utf-8")
    logged = service_log.getvalue() + caplog.text
    assert "Nuñez" not in logged and "1980-01-01" not in logged
    assert "ValueError" in logged and "test_input_limits.py:" in logged
    assert "req-123" in service_log.getvalue()


def test_input_limits_exception_in_the_middleware_is_our_500(
    client: Client, monkeypatch: pytest.MonkeyPatch, service_log: io.StringIO
) -> None:
    from chalicelib.services import lookups

    def explode(api_key: str, *, now: object) -> None:
        raise RuntimeError(PHI)

    monkeypatch.setattr(lookups, "authenticate", explode)
    response = client.http.get("/v1/claims", headers=headers())
    assert response.status_code == 500
    assert response.json_body["correlationId"] == response.headers["x-correlation-id"]
    assert "Nuñez" not in service_log.getvalue()
    assert "RuntimeError" in service_log.getvalue()


def test_input_limits_exception_logged_by_our_code_is_rewritten(
    service_log: io.StringIO,
) -> None:
    import chalicelib.api.auth  # noqa: F401 - installs the filter
    from chalicelib.observability import logger

    try:
        raise KeyError(PHI)
    except KeyError:
        logger.exception("lookup failed")
    logged = service_log.getvalue()
    assert "lookup failed" in logged and "KeyError" in logged
    assert "Nuñez" not in logged and "Traceback" not in logged


def test_input_limits_client_correlation_id_is_kept_only_when_it_looks_like_one(
    client: Client,
) -> None:
    kept = client.http.get("/v1/claims", headers=headers(**{"x-correlation-id": "abc-1"}))
    assert kept.headers["x-correlation-id"] == "abc-1"
    odd = client.http.get("/v1/claims", headers=headers(**{"x-correlation-id": "Nuñez " * 50}))
    assert odd.status_code == 200
    assert "Nu" not in odd.headers["x-correlation-id"]

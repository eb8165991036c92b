"""A real HTTP server on 127.0.0.1 that plays a JSON clearinghouse API for the tests: the
endpoints chalicelib.payers.gateways.claims_api documents (OAuth2 token, professional claims
v3 submission, reports, raw X12 claim status and eligibility), with their error answers.

It keeps what it was sent, answers a repeated Idempotency-Key with its first answer (one
claim taken once), refuses claims by the edits it is given (field, code, description), and
plays faults on demand: a status with Retry-After, a body that is no JSON, no answer in
time, a connection dropped before the answer.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Edit = Callable[[dict[str, Any]], list[dict[str, str]]]


@dataclass
class Fault:
    """What the next matching request gets instead of its answer."""

    kind: str  # "status", "garbage", "slow", "drop"
    status: int = 500
    retry_after: str | None = None
    seconds: float = 0.0


@dataclass
class ClaimsApiServer:
    client_id: str = "claimgate-client"
    client_secret: str = "s3cret-client-secret"
    api_key: str | None = None
    token_lifetime: int = 3600
    submissions: list[dict[str, Any]] = field(default_factory=list)
    answers: dict[str, tuple[int, bytes]] = field(default_factory=dict)  # by Idempotency-Key
    reports: dict[str, bytes] = field(default_factory=dict)
    deleted: list[str] = field(default_factory=list)
    edits: list[Edit] = field(default_factory=list)
    faults: dict[str, list[Fault]] = field(default_factory=dict)  # path prefix -> faults
    tokens_issued: int = 0
    raw_x12: dict[str, str] = field(default_factory=dict)  # path -> the X12 to answer
    requests: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._valid_tokens: set[str] = set()
        self._httpd: ThreadingHTTPServer | None = None

    # -- control, from the test ---------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._httpd is not None
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    @property
    def token_url(self) -> str:
        return f"{self.url}/oauth2/token"

    def fail_next(self, path: str, *faults: Fault) -> None:
        with self._lock:
            self.faults.setdefault(path, []).extend(faults)

    def revoke_tokens(self) -> None:
        with self._lock:
            self._valid_tokens.clear()

    def add_report(self, name: str, content: bytes) -> None:
        with self._lock:
            self.reports[name] = content

    def __enter__(self) -> ClaimsApiServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                server._handle(self, "GET")

            def do_POST(self) -> None:
                server._handle(self, "POST")

            def do_DELETE(self) -> None:
                server._handle(self, "DELETE")

            def log_message(self, format: str, *args: object) -> None:
                return

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._httpd is not None
        self._httpd.shutdown()
        self._httpd.server_close()

    # -- serving --------------------------------------------------------------------------

    def _handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        length = int(h.headers.get("Content-Length", "0"))
        body = h.rfile.read(length) if length else b""
        path = urllib.parse.urlsplit(h.path).path
        with self._lock:
            self.requests.append((method, path))
            fault = self._take_fault(path)
        if fault is not None and self._play(h, fault):
            return
        if path == "/oauth2/token" and method == "POST":
            return self._token(h, body)
        if not self._authorized(h.headers.get("Authorization", "")):
            return _send(h, 401, {"errors": [{"code": "401", "description": "Unauthorized"}]})
        if path == "/professionalclaims/v3/submission" and method == "POST":
            return self._submission(h, body)
        if path == "/reports/v2" and method == "GET":
            with self._lock:
                names = sorted(self.reports)
            return _send(h, 200, {"reports": names})
        if path.startswith("/reports/v2/"):
            return self._report(h, method, urllib.parse.unquote(path.removeprefix("/reports/v2/")))
        if path in ("/claimstatus/v2/raw-x12", "/eligibility/v3/raw-x12") and method == "POST":
            answer = self.raw_x12.get(path)
            if answer is None:
                return _send(h, 404, {"errors": [{"description": "no payer answer"}]})
            return _send(h, 200, {"x12": answer})
        return _send(h, 404, {"errors": [{"description": f"no route {method} {path}"}]})

    def _take_fault(self, path: str) -> Fault | None:
        for prefix, queued in self.faults.items():
            if path.startswith(prefix) and queued:
                return queued.pop(0)
        return None

    def _play(self, h: BaseHTTPRequestHandler, fault: Fault) -> bool:
        """True when the fault replaced the answer ("slow" answers late, but answers)."""
        if fault.kind == "status":
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            _send(h, fault.status, {"errors": [{"description": "try later"}]}, headers)
            return True
        if fault.kind == "garbage":
            _send_raw(h, 200, b"<html>Bad gateway</html>", "application/json")
            return True
        if fault.kind == "drop":
            h.close_connection = True
            h.connection.close()
            return True
        time.sleep(fault.seconds)  # "slow": the client has given up by now
        return False

    def _token(self, h: BaseHTTPRequestHandler, body: bytes) -> None:
        form = dict(urllib.parse.parse_qsl(body.decode()))
        if (
            form.get("grant_type") != "client_credentials"
            or form.get("client_id") != self.client_id
            or form.get("client_secret") != self.client_secret
        ):
            return _send(h, 401, {"error": "invalid_client"})
        with self._lock:
            self.tokens_issued += 1
            token = f"token-{self.tokens_issued}"
            self._valid_tokens.add(token)
        _send(h, 200, {"access_token": token, "token_type": "bearer", "expires_in": 3600})

    def _authorized(self, header: str) -> bool:
        if self.api_key is not None:
            return header == f"Key {self.api_key}"
        with self._lock:
            return header.removeprefix("Bearer ") in self._valid_tokens

    def _submission(self, h: BaseHTTPRequestHandler, body: bytes) -> None:
        key = h.headers.get("Idempotency-Key", "")
        with self._lock:
            if key and key in self.answers:
                status, answer = self.answers[key]
                return _send_raw(h, status, answer, "application/json")
        try:
            claim = json.loads(body)
        except ValueError:
            return _send(h, 400, {"status": "ERROR", "errors": [{"description": "not JSON"}]})
        errors = [e for edit in self.edits for e in edit(claim)]
        payload: dict[str, Any]
        if errors:
            status, payload = 400, {"status": "ERROR", "errors": errors}
        else:
            with self._lock:
                number = len(self.submissions) + 1
                self.submissions.append(claim)
            info = claim.get("claimInformation", {})
            status, payload = (
                200,
                {
                    "status": "SUCCESS",
                    "controlNumber": claim.get("controlNumber"),
                    "tradingPartnerServiceId": claim.get("tradingPartnerServiceId"),
                    "claimReference": {
                        "correlationId": f"CORR{number:06d}",
                        "submitterId": claim.get("submitter", {}).get("submitterIdentification"),
                        "patientControlNumber": info.get("patientControlNumber"),
                        "rhClaimNumber": f"RH{number:010d}",
                    },
                    "errors": [],
                },
            )
        encoded = json.dumps(payload).encode()
        with self._lock:
            if key:
                self.answers[key] = (status, encoded)
        _send_raw(h, status, encoded, "application/json")

    def _report(self, h: BaseHTTPRequestHandler, method: str, name: str) -> None:
        with self._lock:
            content = self.reports.get(name)
            if method == "DELETE" and content is not None:
                del self.reports[name]
                self.deleted.append(name)
        if content is None:
            return _send(h, 404, {"errors": [{"description": "no such report"}]})
        if method == "DELETE":
            return _send(h, 200, {"deleted": name})
        _send(h, 200, {"report_content": content.decode()})


def _send(
    h: BaseHTTPRequestHandler,
    status: int,
    payload: object,
    headers: dict[str, str] | None = None,
) -> None:
    _send_raw(h, status, json.dumps(payload).encode(), "application/json", headers)


def _send_raw(
    h: BaseHTTPRequestHandler,
    status: int,
    body: bytes,
    content_type: str,
    headers: dict[str, str] | None = None,
) -> None:
    h.send_response(status)
    h.send_header("Content-Type", content_type)
    h.send_header("Content-Length", str(len(body)))
    for name, value in (headers or {}).items():
        h.send_header(name, value)
    h.end_headers()
    h.wfile.write(body)

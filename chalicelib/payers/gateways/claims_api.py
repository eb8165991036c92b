"""The Gateway port over a clearinghouse's JSON API: claims go out one by one as professional
claims v3 requests and the synchronous answer says accepted or rejected (with the
clearinghouse's errors, by field); 277CA and 835 reports are collected from the reports
endpoint and deleted once applied; 276 and 270 go as raw X12 wrapped in JSON.

The endpoints, under the account's base URL (the layout of the large API clearinghouses):

    POST   {base}/professionalclaims/v3/submission   a claims v3 request -> claimReference
    GET    {base}/reports/v2                         {"reports": [name, ...]}
    GET    {base}/reports/v2/{name}                  {"report_content": "ISA*..."} (or the raw text)
    DELETE {base}/reports/v2/{name}                  the report was applied
    POST   {base}/claimstatus/v2/raw-x12             {"x12": "<276>"} -> {"x12": "<277>"}
    POST   {base}/eligibility/v3/raw-x12             {"x12": "<270>"} -> {"x12": "<271>"}

Authentication: an OAuth2 client-credentials token from the account's token URL (kept until
a minute before it expires, fetched again once on a 401), or an API key. A submission carries
an `Idempotency-Key` (the request's sha256), so a retry after a timeout is the same request.
No answer, a 429 (its Retry-After kept), a 5xx or a body that cannot be read raise a
GatewayError and the caller retries later; a refusal of the claim itself raises
SubmissionRejectedError, which no retry can fix.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

from .base import (
    CLAIMS_V3,
    AppealRequest,
    GatewayBusyError,
    GatewayError,
    GatewayTimeoutError,
    InboundBatch,
    InboundFile,
    SubmissionProblem,
    SubmissionReceipt,
    SubmissionRejectedError,
)

SUBMISSION = "/professionalclaims/v3/submission"
REPORTS = "/reports/v2"
CLAIM_STATUS = "/claimstatus/v2/raw-x12"
ELIGIBILITY = "/eligibility/v3/raw-x12"
MAX_REPORTS_PER_POLL = 100
MAX_ANSWER_BYTES = 64 * 1024 * 1024  # a large 835 report is tens of MB
# A report name becomes one path segment: no slashes, no dot-only names.
_REPORT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")
_TOKEN_MARGIN = 60.0  # seconds: a token this close to expiry is fetched again


@dataclass(frozen=True, slots=True)
class ClaimsApiSettings:
    base_url: str
    receiver_id: str
    token_url: str | None = None
    timeout_seconds: float = 20.0


@dataclass(frozen=True, slots=True)
class ClaimsApiCredentials:
    """OAuth2 client id and secret, or an API key. Never shown in a repr."""

    client_id: str | None = field(default=None, repr=False)
    client_secret: str | None = field(default=None, repr=False)
    api_key: str | None = field(default=None, repr=False)


class LoginRefusedError(GatewayError):
    """The clearinghouse refused our credentials (token endpoint, or 401 twice)."""


@dataclass(frozen=True, slots=True)
class _Answer:
    status: int
    body: bytes
    content_type: str
    retry_after: float | None


class ClaimsApiGateway:
    """The Gateway port over one JSON clearinghouse account."""

    wire = CLAIMS_V3

    def __init__(
        self, name: str, settings: ClaimsApiSettings, credentials: ClaimsApiCredentials
    ) -> None:
        self.name = name
        self.receiver_id = settings.receiver_id
        self._settings = settings
        self._credentials = credentials
        self._token: tuple[str, float] | None = None  # (access token, monotonic expiry)
        self._lock = threading.Lock()

    # -- the port -------------------------------------------------------------------------

    def submit(self, account: str, interchange: bytes) -> SubmissionReceipt:
        """Send one claims v3 request (`interchange` is its JSON, archived as sent)."""
        key = hashlib.sha256(interchange).hexdigest()
        answer = self._call("POST", SUBMISSION, interchange, idempotency_key=key)
        if answer.status == 409:  # the very same request was taken before
            body = _json_or_none(answer.body)
            return SubmissionReceipt(_reference(body) or key[:24], duplicate=True)
        if answer.status in (400, 422) or (200 <= answer.status < 300):
            body = _json_or_none(answer.body)
            if body is None:
                if answer.status >= 300:
                    raise SubmissionRejectedError((), "the clearinghouse refused the claim")
                # taken or not, nobody can tell: resent unchanged, recognised by its key
                raise GatewayTimeoutError("the clearinghouse's answer is not JSON")
            problems = _problems(body)
            if answer.status >= 300 or problems or _refused(body):
                raise SubmissionRejectedError(problems, _status_text(body))
            reference = _reference(body)
            if reference is None:
                raise GatewayTimeoutError("the clearinghouse's answer has no claim reference")
            return SubmissionReceipt(reference)
        raise self._failure(answer, "claim submission")

    def fetch_inbound(self, account: str, cursor: str | None) -> InboundBatch:
        """The reports waiting now (at most MAX_REPORTS_PER_POLL); they stay at the
        clearinghouse until `acknowledge` deletes them, so no cursor is needed."""
        listing = self._json("GET", REPORTS, what="listing reports")
        names = listing.get("reports") if isinstance(listing, dict) else None
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise GatewayError("listing reports: the answer has no list of report names")
        files: list[InboundFile] = []
        for name in names[:MAX_REPORTS_PER_POLL]:
            if not _REPORT_NAME.fullmatch(name):
                raise GatewayError(f"listing reports: {name[:40]!r} is not a report name")
            files.append(InboundFile(name, self._report(name)))
        return InboundBatch(tuple(files), cursor)

    def acknowledge(self, account: str, names: Sequence[str]) -> None:
        for name in names:
            if not _REPORT_NAME.fullmatch(name):
                raise GatewayError(f"{name[:40]!r} is not a report name")
            answer = self._call("DELETE", f"{REPORTS}/{urllib.parse.quote(name)}")
            if answer.status != 404 and not 200 <= answer.status < 300:  # 404: already gone
                raise self._failure(answer, f"deleting report {name}")

    def claim_status(self, account: str, inquiry: bytes) -> bytes:
        return self._raw_x12(CLAIM_STATUS, inquiry, "claim status (276)")

    def eligibility(self, account: str, inquiry: bytes) -> bytes:
        return self._raw_x12(ELIGIBILITY, inquiry, "eligibility (270)")

    def appeal(self, account: str, request: AppealRequest) -> bool:
        return False  # the JSON claims APIs take no appeals: the letter goes by mail or portal

    # -- HTTP -----------------------------------------------------------------------------

    def _report(self, name: str) -> bytes:
        answer = self._call("GET", f"{REPORTS}/{urllib.parse.quote(name)}")
        if not 200 <= answer.status < 300:
            raise self._failure(answer, f"downloading report {name}")
        if "json" not in answer.content_type:
            return answer.body  # the report itself
        body = _json_or_none(answer.body)
        content = body.get("report_content") if isinstance(body, dict) else None
        if not isinstance(content, str):
            raise GatewayError(f"downloading report {name}: the answer has no report_content")
        return content.encode("utf-8")

    def _raw_x12(self, path: str, inquiry: bytes, what: str) -> bytes:
        body = json.dumps({"x12": inquiry.decode("ascii", "replace")}).encode()
        answer = self._json("POST", path, body, what=what)
        text = answer.get("x12") if isinstance(answer, dict) else None
        if not isinstance(text, str) or not text.startswith("ISA"):
            raise GatewayError(f"{what}: the answer holds no X12 interchange")
        return text.encode("utf-8")

    def _json(self, method: str, path: str, body: bytes | None = None, *, what: str) -> Any:
        answer = self._call(method, path, body)
        if not 200 <= answer.status < 300:
            raise self._failure(answer, what)
        parsed = _json_or_none(answer.body)
        if parsed is None:
            raise GatewayError(f"{what}: the answer is not JSON")
        return parsed

    def _failure(self, answer: _Answer, what: str) -> GatewayError:
        if answer.status == 429:
            return GatewayBusyError(
                f"{what}: the clearinghouse asks us to slow down (429)", answer.retry_after
            )
        if answer.status in (401, 403):
            return LoginRefusedError(f"{what}: the clearinghouse refused our credentials")
        return GatewayError(f"{what}: the clearinghouse answered {answer.status}")

    def _call(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> _Answer:
        """One request; a 401 with an OAuth2 token fetches a new token and tries once more."""
        answer = self._send(method, path, body, self._authorization(), idempotency_key)
        if answer.status == 401 and self._settings.token_url:
            with self._lock:
                self._token = None
            answer = self._send(method, path, body, self._authorization(), idempotency_key)
        return answer

    def _send(
        self,
        method: str,
        path: str,
        body: bytes | None,
        authorization: str,
        idempotency_key: str | None,
    ) -> _Answer:
        headers = {"Authorization": authorization, "Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        url = self._settings.base_url.rstrip("/") + path
        return _exchange(url, method, body, headers, self._settings.timeout_seconds, path)

    def _authorization(self) -> str:
        creds = self._credentials
        if not self._settings.token_url:
            if not creds.api_key:
                raise LoginRefusedError("the account has no API key and no token URL")
            return f"Key {creds.api_key}"
        with self._lock:
            if self._token is None or self._token[1] <= time.monotonic():
                self._token = self._fetch_token()
            return f"Bearer {self._token[0]}"

    def _fetch_token(self) -> tuple[str, float]:
        creds = self._credentials
        if not (creds.client_id and creds.client_secret):
            raise LoginRefusedError("the account has no OAuth2 client id and secret")
        form = urllib.parse.urlencode(
            {
                "grant_type": "client_credentials",
                "client_id": creds.client_id,
                "client_secret": creds.client_secret,
            }
        ).encode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        }
        url = self._settings.token_url or ""
        answer = _exchange(url, "POST", form, headers, self._settings.timeout_seconds, "token")
        if answer.status in (400, 401, 403):
            raise LoginRefusedError("the token endpoint refused our client id and secret")
        if not 200 <= answer.status < 300:
            raise self._failure(answer, "fetching a token")
        body = _json_or_none(answer.body)
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise GatewayError("fetching a token: the answer has no access_token")
        lifetime = body.get("expires_in", 3600) if isinstance(body, dict) else 3600
        seconds = float(lifetime) if isinstance(lifetime, int | float | str) else 3600.0
        return token, time.monotonic() + max(seconds - _TOKEN_MARGIN, 0.0)


def _exchange(
    url: str, method: str, body: bytes | None, headers: dict[str, str], timeout: float, what: str
) -> _Answer:
    """The HTTP exchange: any status is an answer; no answer is a GatewayError that says
    whether the request may have arrived (a timeout) or surely did not (no connection)."""
    request = urllib.request.Request(url, data=body, headers=headers, method=method)  # noqa: S310
    opener = urllib.request.build_opener(_NoRedirect())
    try:
        with opener.open(request, timeout=timeout) as response:
            return _answer(response.status, response.headers, response.read(MAX_ANSWER_BYTES))
    except urllib.error.HTTPError as error:
        with contextlib.closing(error):
            return _answer(error.code, error.headers, error.read(MAX_ANSWER_BYTES))
    except TimeoutError:
        raise GatewayTimeoutError(f"{what}: no answer in {timeout:g} s") from None
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            raise GatewayTimeoutError(f"{what}: no answer in {timeout:g} s") from None
        raise GatewayError(f"{what}: cannot connect ({type(error.reason).__name__})") from None
    except (OSError, http.client.HTTPException) as error:  # dropped mid-answer: may have arrived
        raise GatewayTimeoutError(f"{what}: connection lost ({type(error).__name__})") from None


def _answer(status: int, headers: Any, body: bytes) -> _Answer:
    return _Answer(
        status=int(status),
        body=body,
        content_type=str(headers.get("Content-Type") or "").lower(),
        retry_after=_retry_after(headers.get("Retry-After")),
    )


def _retry_after(value: str | None) -> float | None:
    """Retry-After is seconds or an HTTP date (RFC 9110 10.2.3)."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        return max(parsedate_to_datetime(value).timestamp() - time.time(), 0.0)
    except (TypeError, ValueError):
        return None


def _json_or_none(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None


def _refused(body: Any) -> bool:
    status = body.get("status") if isinstance(body, dict) else None
    return isinstance(status, str) and status.upper() not in ("SUCCESS", "ACCEPTED", "")


def _status_text(body: Any) -> str:
    status = body.get("status") if isinstance(body, dict) else None
    return (
        f"the clearinghouse refused the claim ({status})"
        if status
        else ("the clearinghouse refused the claim")
    )


def _reference(body: Any) -> str | None:
    if not isinstance(body, dict):
        return None
    reference = body.get("claimReference")
    if isinstance(reference, dict):
        for key in ("correlationId", "rhClaimNumber", "customerClaimNumber"):
            value = reference.get(key)
            if isinstance(value, str) and value:
                return value[:64]
    return None


def _problems(body: Any) -> tuple[SubmissionProblem, ...]:
    """The clearinghouse's errors, each with the request field it names (in the request's
    own notation: `claimInformation.serviceLines[0].professionalService.procedureCode`)."""
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, list):
        return ()
    found: list[SubmissionProblem] = []
    for error in errors[:50]:
        if not isinstance(error, dict):
            continue
        found.append(
            SubmissionProblem(
                field=request_path(error.get("field")),
                code=_text(error.get("code")),
                message=_text(error.get("description")) or "refused by the clearinghouse",
                followup=_text(error.get("followupAction")),
            )
        )
    return tuple(found)


def _text(value: object) -> str | None:
    return str(value)[:300] if isinstance(value, str | int) and str(value) else None


def request_path(field_name: object) -> str | None:
    """A clearinghouse's field name as our request path: `$.` / leading dots dropped and
    `serviceLines.0.x` or `serviceLines/0/x` written `serviceLines[0].x`."""
    if not isinstance(field_name, str) or not field_name.strip():
        return None
    path = field_name.strip().removeprefix("$").strip("./").replace("/", ".")
    path = re.sub(r"\.(\d+)(?=\.|$)", r"[\1]", path)
    return path[:300] or None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None

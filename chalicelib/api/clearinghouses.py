"""Clearinghouse accounts (`/v1/clearinghouses/{accountId}`) and payer routes
(`/v1/payers/{payerId}/route`). Credentials go in with a PUT and never come out: the answer
says only whether a secret is stored and when it was last set. Accounts are changed by keys
with the operator role."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal
from urllib.parse import urlsplit

from chalice.app import Blueprint, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from chalicelib.clock import utcnow
from chalicelib.payers.accounts import (
    ACCOUNT_ID,
    HOST_KEY,
    HTTP_JSON,
    SANDBOX,
    SFTP,
    ClearinghouseAccount,
    HttpJsonConnection,
    PayerRoute,
    SftpConnection,
)

from .auth import tenant_of
from .http import (
    BodyError,
    error_response,
    json_body,
    json_response,
    problems_response,
    schema_problems,
)
from .refusals import refusal_response, refusals
from .views import View

clearinghouses = Blueprint(__name__)

MAX_ACCOUNT_BYTES = 32 * 1024  # a private key is a few KB
# X12 identifiers (ISA06 / ISA08, AN 2/15): what clearinghouses enrol; no delimiters in them.
_X12_ID = r"[A-Za-z0-9][A-Za-z0-9 ._-]{1,14}"
_FOLDER = r"[A-Za-z0-9._/-]{1,200}"
_SFTP_FIELDS = ("host", "username", "hostKey", "submitterId", "receiverId")
_SFTP_ONLY = ("host", "username", "hostKey", "password", "privateKey", "passphrase")
_HTTP_FIELDS = ("baseUrl", "submitterId", "receiverId")
_HTTP_ONLY = ("baseUrl", "tokenUrl", "clientId", "clientSecret", "apiKey", "webhookSecret")
_SECRET_FIELDS = (
    "password",
    "privateKey",
    "passphrase",
    "clientId",
    "clientSecret",
    "apiKey",
    "webhookSecret",
)
# Plain http only to this machine (a local test server); anything else must be https.
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def _url_problem(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return "must be an absolute https URL"
    if parts.scheme == "http" and parts.hostname not in _LOOPBACK:
        return "must use https (plain http only to 127.0.0.1 / localhost)"
    if parts.username or parts.password or parts.query or parts.fragment:
        return "must not carry credentials, a query or a fragment"
    return None


class AccountIn(BaseModel):
    """PUT /v1/clearinghouses/{accountId}. `sftp`: the mailbox's address, its pinned host
    key (one OpenSSH public key line, as `ssh-keyscan` prints it after the host name), our
    submitter id there and theirs, the folders; and a password or a private key.
    `http_json`: the API's base URL, our submitter id there and theirs; OAuth2 client
    credentials (tokenUrl, clientId, clientSecret) or an apiKey; the webhookSecret the
    clearinghouse signs its pushed reports with."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["sftp", "sandbox", "http_json"]
    host: str | None = Field(
        default=None, min_length=1, max_length=253, pattern=r"^[A-Za-z0-9.:-]+$"
    )
    port: int = Field(default=22, ge=1, le=65535)
    username: str | None = Field(default=None, min_length=1, max_length=128)
    hostKey: str | None = Field(default=None, max_length=4096)  # noqa: N815 - wire name
    submitterId: str | None = Field(default=None, pattern=f"^{_X12_ID}$")  # noqa: N815
    receiverId: str | None = Field(default=None, pattern=f"^{_X12_ID}$")  # noqa: N815
    outboundDir: str = Field(default="outbound", pattern=f"^{_FOLDER}$")  # noqa: N815
    inboundDir: str = Field(default="inbound", pattern=f"^{_FOLDER}$")  # noqa: N815
    processedDir: str | None = Field(default="inbound/processed", pattern=f"^{_FOLDER}$")  # noqa: N815
    password: str | None = Field(default=None, min_length=1, max_length=1024)
    privateKey: str | None = Field(default=None, min_length=1, max_length=16384)  # noqa: N815
    passphrase: str | None = Field(default=None, min_length=1, max_length=1024)
    baseUrl: str | None = Field(default=None, max_length=500)  # noqa: N815
    tokenUrl: str | None = Field(default=None, max_length=500)  # noqa: N815
    clientId: str | None = Field(default=None, min_length=1, max_length=256)  # noqa: N815
    clientSecret: str | None = Field(default=None, min_length=1, max_length=1024)  # noqa: N815
    apiKey: str | None = Field(default=None, min_length=1, max_length=1024)  # noqa: N815
    webhookSecret: str | None = Field(default=None, min_length=16, max_length=1024)  # noqa: N815

    @model_validator(mode="after")
    def _fits_kind(self) -> AccountIn:
        if self.kind != SFTP and (wrong := [n for n in _SFTP_ONLY if getattr(self, n)]):
            raise ValueError(f"a {self.kind} account takes no {', '.join(wrong)}")
        if self.kind != HTTP_JSON and (wrong := [n for n in _HTTP_ONLY if getattr(self, n)]):
            raise ValueError(f"a {self.kind} account takes no {', '.join(wrong)}")
        if self.kind == HTTP_JSON:
            self._fits_http_json()
        elif self.kind == SFTP:
            missing = [name for name in _SFTP_FIELDS if getattr(self, name) is None]
            if missing:
                raise ValueError(f"an SFTP account needs {', '.join(missing)}")
            if not HOST_KEY.fullmatch(self.hostKey or ""):
                raise ValueError(
                    "hostKey must be one OpenSSH public key line: 'ssh-ed25519 AAAA...'"
                )
            if self.inboundDir == self.processedDir:
                raise ValueError("processedDir must differ from inboundDir")
        elif self.kind == SANDBOX:
            given = [n for n in (*_SFTP_FIELDS, *_SECRET_FIELDS) if getattr(self, n) is not None]
            if given:
                raise ValueError(f"a sandbox account takes no {', '.join(given)}")
        return self

    def _fits_http_json(self) -> None:
        missing = [name for name in _HTTP_FIELDS if getattr(self, name) is None]
        if missing:
            raise ValueError(f"an http_json account needs {', '.join(missing)}")
        for name in ("baseUrl", "tokenUrl"):
            value = getattr(self, name)
            if value is not None and (problem := _url_problem(value)):
                raise ValueError(f"{name} {problem}")
        oauth = (self.clientId, self.clientSecret)
        if any(oauth) and not (all(oauth) and self.tokenUrl):
            raise ValueError("OAuth2 needs tokenUrl, clientId and clientSecret together")
        if self.credentials() and not (all(oauth) or self.apiKey):
            raise ValueError(
                "credentials are replaced as a whole: give clientId and clientSecret (with "
                "tokenUrl) or an apiKey, with the webhookSecret if the account has one"
            )
        if self.apiKey and self.tokenUrl:
            raise ValueError("give an apiKey or OAuth2 client credentials, not both")

    def connection(self) -> SftpConnection | HttpJsonConnection | None:
        if self.kind == HTTP_JSON:
            return HttpJsonConnection(
                base_url=(self.baseUrl or "").rstrip("/"),
                submitter_id=self.submitterId or "",
                receiver_id=self.receiverId or "",
                token_url=self.tokenUrl,
            )
        if self.kind != SFTP:
            return None
        return SftpConnection(
            host=self.host or "",
            port=self.port,
            username=self.username or "",
            host_key=(self.hostKey or "").strip(),
            submitter_id=self.submitterId or "",
            receiver_id=self.receiverId or "",
            outbound_dir=self.outboundDir,
            inbound_dir=self.inboundDir,
            processed_dir=self.processedDir,
        )

    def credentials(self) -> dict[str, str]:
        given = {name: getattr(self, name) for name in _SECRET_FIELDS}
        return {name: value for name, value in given.items() if value is not None}


class AccountOut(View):
    accountId: str  # noqa: N815
    kind: str
    host: str | None = None
    port: int | None = None
    username: str | None = None
    hostKey: str | None = None  # noqa: N815
    submitterId: str | None = None  # noqa: N815
    receiverId: str | None = None  # noqa: N815
    outboundDir: str | None = None  # noqa: N815
    inboundDir: str | None = None  # noqa: N815
    processedDir: str | None = None  # noqa: N815
    baseUrl: str | None = None  # noqa: N815
    tokenUrl: str | None = None  # noqa: N815
    inboundUrl: str | None = None  # noqa: N815 - where the clearinghouse pushes reports
    secretStored: bool  # noqa: N815
    secretUpdatedAt: datetime | None  # noqa: N815
    updatedAt: datetime  # noqa: N815

    @classmethod
    def of(cls, account: ClearinghouseAccount) -> AccountOut:
        sftp, api = account.sftp, account.http_json
        connection = sftp or api
        return cls(
            accountId=account.account_id,
            kind=account.kind,
            host=sftp.host if sftp else None,
            port=sftp.port if sftp else None,
            username=sftp.username if sftp else None,
            hostKey=sftp.host_key if sftp else None,
            submitterId=connection.submitter_id if connection else None,
            receiverId=connection.receiver_id if connection else None,
            outboundDir=sftp.outbound_dir if sftp else None,
            inboundDir=sftp.inbound_dir if sftp else None,
            processedDir=sftp.processed_dir if sftp else None,
            baseUrl=api.base_url if api else None,
            tokenUrl=api.token_url if api else None,
            inboundUrl=f"/v1/inbound/{account.inbound_id}" if api else None,
            secretStored=account.secret_ref is not None,
            secretUpdatedAt=account.secret_updated_at,
            updatedAt=account.updated_at,
        )


class AccountListOut(View):
    accounts: list[AccountOut]


class RouteIn(BaseModel):
    """PUT /v1/payers/{payerId}/route: the account that carries the payer's claims and the
    payer's id at that clearinghouse; a payer the directory lacks also needs name and
    planType (SBR09 claim filing indicator)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    clearinghouse: str = Field(pattern=f"^{ACCOUNT_ID.pattern}$")
    clearinghousePayerId: str = Field(pattern=r"^[A-Za-z0-9]{2,80}$")  # noqa: N815
    name: str | None = Field(default=None, min_length=1, max_length=60)
    planType: str | None = Field(default=None, pattern=r"^[0-9A-Z]{2}$")  # noqa: N815


class RouteOut(View):
    payerId: str  # noqa: N815
    clearinghouse: str
    clearinghousePayerId: str  # noqa: N815
    name: str | None
    planType: str | None  # noqa: N815
    updatedAt: datetime  # noqa: N815

    @classmethod
    def of(cls, route: PayerRoute) -> RouteOut:
        return cls(
            payerId=route.payer_id,
            clearinghouse=route.account_id,
            clearinghousePayerId=route.clearinghouse_payer_id,
            name=route.name,
            planType=route.plan_type,
            updatedAt=route.updated_at,
        )


def _bad_id(account_id: str) -> Response | None:
    if not ACCOUNT_ID.fullmatch(account_id) or account_id == SANDBOX:
        return error_response(
            422,
            "invalid_account_id",
            "an account id is 1-64 letters, digits, '-' or '_', and not 'sandbox'",
            "accountId",
        )
    return None


@clearinghouses.route("/v1/clearinghouses", methods=["GET"])
def list_accounts() -> Response:
    from chalicelib.services import clearinghouses as service

    found = service.list_accounts(tenant_of(clearinghouses.current_request))
    return json_response(AccountListOut(accounts=[AccountOut.of(a) for a in found]))


@clearinghouses.route("/v1/clearinghouses/{account_id}", methods=["GET"])
def get_account(account_id: str) -> Response:
    from chalicelib.services import clearinghouses as service

    try:
        account = service.get_account(tenant_of(clearinghouses.current_request), account_id)
    except refusals() as error:
        return refusal_response(error, "accountId")
    return json_response(AccountOut.of(account))


@clearinghouses.route("/v1/clearinghouses/{account_id}", methods=["PUT"])
def put_account(account_id: str) -> Response:
    from chalicelib.services import clearinghouses as service

    request = clearinghouses.current_request
    if bad := _bad_id(account_id):
        return bad
    try:
        given = AccountIn.model_validate(json_body(request, max_bytes=MAX_ACCOUNT_BYTES))
    except BodyError as error:
        return error.response()
    except ValidationError as error:
        return problems_response(422, "the account is not valid", schema_problems(error))
    try:
        account, created = service.put_account(
            tenant_of(request),
            account_id,
            kind=given.kind,
            connection=given.connection(),
            credentials=given.credentials(),
            now=utcnow(),
        )
    except refusals() as error:
        return refusal_response(error)
    return json_response(AccountOut.of(account), 201 if created else 200)


@clearinghouses.route("/v1/clearinghouses/{account_id}", methods=["DELETE"])
def delete_account(account_id: str) -> Response:
    from chalicelib.services import clearinghouses as service

    request = clearinghouses.current_request
    try:
        service.delete_account(tenant_of(request), account_id)
    except refusals() as error:
        return refusal_response(error, "accountId")
    return Response(body="", status_code=204)


@clearinghouses.route("/v1/payers/{payer_id}/route", methods=["GET"])
def get_route(payer_id: str) -> Response:
    from chalicelib.services import clearinghouses as service

    route = service.get_route(tenant_of(clearinghouses.current_request), payer_id)
    if route is None:
        return error_response(404, "not_found", "the payer has no route of this tenant's")
    return json_response(RouteOut.of(route))


@clearinghouses.route("/v1/payers/{payer_id}/route", methods=["PUT"])
def put_route(payer_id: str) -> Response:
    from chalicelib.services import clearinghouses as service

    if not re.fullmatch(r"[A-Za-z0-9]{2,80}", payer_id):
        return error_response(422, "invalid_payer_id", "a payer id is 2-80 letters or digits")
    request = clearinghouses.current_request
    try:
        given = RouteIn.model_validate(json_body(request, max_bytes=MAX_ACCOUNT_BYTES))
    except BodyError as error:
        return error.response()
    except ValidationError as error:
        return problems_response(422, "the route is not valid", schema_problems(error))
    try:
        route = service.put_route(
            tenant_of(request),
            payer_id,
            account_id=given.clearinghouse,
            clearinghouse_payer_id=given.clearinghousePayerId,
            name=given.name,
            plan_type=given.planType,
            now=utcnow(),
        )
    except refusals() as error:
        field = "clearinghouse" if getattr(error, "code", "") == "invalid_account" else None
        return refusal_response(error, field)
    return json_response(RouteOut.of(route))


@clearinghouses.route("/v1/payers/{payer_id}/route", methods=["DELETE"])
def delete_route(payer_id: str) -> Response:
    from chalicelib.services import clearinghouses as service

    try:
        service.delete_route(tenant_of(clearinghouses.current_request), payer_id)
    except refusals() as error:
        return refusal_response(error)
    return Response(body="", status_code=204)

"""Administration routes (`admin` keys only, chalicelib.api.access): create, read, suspend and
resume tenants; issue, list, rotate and revoke their API keys. A key is shown once, in the
answer that issues it; lists show its prefix (`keyId`), roles, name and last use."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

from chalice.app import Blueprint, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from chalicelib.clock import utcnow

from .http import BodyError, json_body, json_response, problems_response, schema_problems
from .refusals import refusal_response, refusals
from .views import View

if TYPE_CHECKING:
    from chalicelib.services.admin import ApiKey, Tenant
    from chalicelib.services.offboarding import Offboarding

admin = Blueprint(__name__)

Role = Literal["submitter", "biller", "operator", "read_only", "admin"]


class TenantIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    tenantId: str = Field(min_length=2, max_length=40)  # noqa: N815 - wire name
    name: str = Field(min_length=1, max_length=200)


class KeyIn(BaseModel):
    """`name`: the person or system the key belongs to (named on what it changes)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    roles: list[Role] = Field(min_length=1, max_length=5)
    name: str | None = Field(default=None, min_length=1, max_length=200)
    expiresAt: datetime | None = None  # noqa: N815
    # none: the stage's CLAIMGATE_KEY_REQUESTS_PER_MINUTE
    requestsPerMinute: int | None = Field(default=None, ge=1, le=100_000)  # noqa: N815


class RotateIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    graceHours: int = Field(default=24, ge=0, le=720)  # noqa: N815


class TenantOut(View):
    tenantId: str  # noqa: N815
    name: str
    createdAt: datetime  # noqa: N815
    suspendedAt: datetime | None  # noqa: N815

    @classmethod
    def of(cls, tenant: Tenant) -> TenantOut:
        return cls(
            tenantId=tenant.tenant_id,
            name=tenant.name,
            createdAt=tenant.created_at,
            suspendedAt=tenant.suspended_at,
        )


class KeyOut(View):
    keyId: str  # noqa: N815
    tenantId: str  # noqa: N815
    name: str | None
    roles: list[str]
    createdAt: datetime  # noqa: N815
    expiresAt: datetime | None  # noqa: N815
    revokedAt: datetime | None  # noqa: N815
    lastUsedAt: datetime | None  # noqa: N815 - to the minute
    rotatedTo: str | None  # noqa: N815
    requestsPerMinute: int | None  # noqa: N815 - none: the stage's default

    @classmethod
    def of(cls, key: ApiKey) -> KeyOut:
        return cls(
            keyId=key.key_id,
            tenantId=key.tenant_id,
            name=key.name,
            roles=list(key.roles),
            createdAt=key.created_at,
            expiresAt=key.expires_at,
            revokedAt=key.revoked_at,
            lastUsedAt=key.last_used_at,
            rotatedTo=key.rotated_to,
            requestsPerMinute=key.requests_per_minute,
        )


class IssuedKeyOut(KeyOut):
    """The key itself, shown this once: it is kept only as a hash."""

    apiKey: str  # noqa: N815


class KeyListOut(View):
    keys: list[KeyOut]


class RotatedOut(View):
    new: IssuedKeyOut
    old: KeyOut


def _body(model: type[BaseModel]) -> BaseModel | Response:
    try:
        return model.model_validate(json_body(admin.current_request, max_bytes=4096))
    except BodyError as error:
        return error.response()
    except ValidationError as error:
        return problems_response(422, "the request is not valid", schema_problems(error))


@admin.route("/v1/admin/tenants", methods=["POST"])
def create_tenant() -> Response:
    from chalicelib.services import admin as service

    given = _body(TenantIn)
    if isinstance(given, Response):
        return given
    assert isinstance(given, TenantIn)
    try:
        tenant = service.create_tenant(given.tenantId, given.name, now=utcnow())
    except refusals() as error:
        return refusal_response(error, "tenantId")
    return json_response(TenantOut.of(tenant), 201)


@admin.route("/v1/admin/tenants/{tenant_id}", methods=["GET"])
def get_tenant(tenant_id: str) -> Response:
    from chalicelib.services import admin as service

    try:
        return json_response(TenantOut.of(service.get_tenant(tenant_id)))
    except refusals() as error:
        return refusal_response(error, "tenantId")


def _suspend(tenant_id: str, *, suspended: bool) -> Response:
    from chalicelib.services import admin as service

    try:
        tenant = service.set_suspended(tenant_id, suspended=suspended, now=utcnow())
    except refusals() as error:
        return refusal_response(error, "tenantId")
    return json_response(TenantOut.of(tenant))


@admin.route("/v1/admin/tenants/{tenant_id}/suspend", methods=["POST"])
def suspend_tenant(tenant_id: str) -> Response:
    return _suspend(tenant_id, suspended=True)


@admin.route("/v1/admin/tenants/{tenant_id}/resume", methods=["POST"])
def resume_tenant(tenant_id: str) -> Response:
    return _suspend(tenant_id, suspended=False)


@admin.route("/v1/admin/tenants/{tenant_id}/keys", methods=["POST"])
def issue_key(tenant_id: str) -> Response:
    from chalicelib.services import admin as service

    given = _body(KeyIn)
    if isinstance(given, Response):
        return given
    assert isinstance(given, KeyIn)
    try:
        api_key, key = service.issue_key(
            tenant_id,
            roles=tuple(given.roles),
            name=given.name,
            expires_at=given.expiresAt,
            now=utcnow(),
            requests_per_minute=given.requestsPerMinute,
        )
    except refusals() as error:
        return refusal_response(error)
    return json_response(IssuedKeyOut(**KeyOut.of(key).model_dump(), apiKey=api_key), 201)


@admin.route("/v1/admin/tenants/{tenant_id}/keys", methods=["GET"])
def list_keys(tenant_id: str) -> Response:
    from chalicelib.services import admin as service

    try:
        keys = service.list_keys(tenant_id)
    except refusals() as error:
        return refusal_response(error, "tenantId")
    return json_response(KeyListOut(keys=[KeyOut.of(k) for k in keys]))


@admin.route("/v1/admin/tenants/{tenant_id}/keys/{key_id}/rotate", methods=["POST"])
def rotate_key(tenant_id: str, key_id: str) -> Response:
    from chalicelib.services import admin as service

    request = admin.current_request
    given = _body(RotateIn) if request.raw_body else RotateIn()
    if isinstance(given, Response):
        return given
    assert isinstance(given, RotateIn)
    try:
        api_key, new, old = service.rotate_key(
            tenant_id, key_id, grace=timedelta(hours=given.graceHours), now=utcnow()
        )
    except refusals() as error:
        return refusal_response(error, "keyId")
    issued = IssuedKeyOut(**KeyOut.of(new).model_dump(), apiKey=api_key)
    return json_response(RotatedOut(new=issued, old=KeyOut.of(old)), 201)


@admin.route("/v1/admin/tenants/{tenant_id}/keys/{key_id}", methods=["DELETE"])
def revoke_key(tenant_id: str, key_id: str) -> Response:
    from chalicelib.services import admin as service

    try:
        key = service.revoke_key(tenant_id, key_id, now=utcnow())
    except refusals() as error:
        return refusal_response(error, "keyId")
    return json_response(KeyOut.of(key))


class OffboardingOut(View):
    """Where a tenant's offboarding stands: `exporting`, `deleting`, `done`."""

    tenantId: str  # noqa: N815
    status: str
    exportPrefix: str  # noqa: N815 - in the stage's archive bucket
    startedAt: datetime  # noqa: N815
    startedBy: str  # noqa: N815
    finishedAt: datetime | None  # noqa: N815
    pages: int
    itemsExported: int  # noqa: N815
    filesExported: int  # noqa: N815
    itemsDeleted: int  # noqa: N815

    @classmethod
    def of(cls, record: Offboarding) -> OffboardingOut:
        return cls(
            tenantId=record.tenant_id,
            status=record.status,
            exportPrefix=record.prefix,
            startedAt=record.started_at,
            startedBy=record.started_by,
            finishedAt=record.finished_at,
            pages=record.pages,
            itemsExported=record.items_exported,
            filesExported=record.files_exported,
            itemsDeleted=record.items_deleted,
        )


OFFBOARDING_BUDGET_SECONDS = 20.0  # of a request's 29: call again to go on


@admin.route("/v1/admin/tenants/{tenant_id}/offboarding", methods=["POST"])
def offboard(tenant_id: str) -> Response:
    from chalicelib.services import offboarding as service

    from .auth import principal_of

    try:
        record = service.offboard(
            tenant_id,
            principal=principal_of(admin.current_request),
            now=utcnow(),
            budget_seconds=OFFBOARDING_BUDGET_SECONDS,
        )
    except refusals() as error:
        return refusal_response(error, "tenantId")
    return json_response(OffboardingOut.of(record), 200 if record.status == "done" else 202)


@admin.route("/v1/admin/tenants/{tenant_id}/offboarding", methods=["GET"])
def get_offboarding(tenant_id: str) -> Response:
    from chalicelib.services import offboarding as service

    try:
        return json_response(OffboardingOut.of(service.get_offboarding(tenant_id)))
    except refusals() as error:
        return refusal_response(error, "tenantId")

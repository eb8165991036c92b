"""Claims routes (v1). Thin: parse, call the service, shape the answer."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from chalice.app import Blueprint, Request, Response
from pydantic import ValidationError

from chalicelib.claims.lifecycle import Status
from chalicelib.clock import utcnow
from chalicelib.observability import logger
from chalicelib.services.errors import DuplicateClaimError, InvalidCursorError

from .auth import tenant_of
from .http import (
    MAX_CURSOR,
    BodyError,
    error_response,
    json_body,
    json_response,
    problems_response,
    query_instant,
    query_int,
    query_text,
    schema_problems,
)
from .idempotency import idempotent_response
from .views import (
    ClaimCreatedOut,
    ClaimDetailOut,
    ClaimPageOut,
    ClaimSummaryOut,
    ProblemOut,
    ValidationOut,
)

if TYPE_CHECKING:
    from chalicelib.api.contract import ClaimRequest

claims = Blueprint(__name__)

MAX_PAGE = 200
# A claim at the contract's limits (50 lines with prior payers' adjudications) is well under
# this; the stored claim must also fit a DynamoDB item (400 KB) with its remittances.
MAX_CLAIM_BYTES = 256 * 1024


def _now() -> datetime:
    return utcnow()


def claim_body(request: Request) -> tuple[object, ClaimRequest] | Response:
    """A claim request's body and the claim it validates to, or the answer refusing it
    (too large, not JSON, not a valid claim)."""
    try:
        body = json_body(request, max_bytes=MAX_CLAIM_BYTES)
    except BodyError as error:
        return error.response()
    parsed = parse_claim(body)
    if isinstance(parsed, Response):
        return parsed
    return body, parsed


def parse_claim(body: object) -> ClaimRequest | Response:
    from chalicelib.api.contract import ClaimRequest

    try:
        return ClaimRequest.model_validate(body)
    except ValidationError as error:
        return problems_response(
            422, "the claim is not valid", [_named(p) for p in schema_problems(error)]
        )


def _named(problem: ProblemOut) -> ProblemOut:
    """An unknown field that is a real field of the documented shape claimgate does not
    carry yet is said to be so (not silently dropped, not called a typo)."""
    from chalicelib.api.contract import NOT_SUPPORTED

    if problem.code != "unknown_field" or not problem.field:
        return problem
    name = problem.field.rsplit(".", 1)[-1]
    if name in NOT_SUPPORTED:
        return ProblemOut(
            field=problem.field,
            code="not_supported",
            message=f"{name} ({NOT_SUPPORTED[name]}) is not written to the 837P by claimgate "
            "yet: leave it out (README, 'Not supported')",
        )
    return ProblemOut(
        field=problem.field,
        code="unknown_field",
        message="not a field of the claim request (professional claims v3 shape)",
    )


def _create(tenant: str, parsed: ClaimRequest) -> Response:
    """Create one claim: 201 with its summary, or the scrub's or the guard's refusal."""
    from chalicelib.services import claims as service

    try:
        record, findings = service.submit_claim(
            tenant, parsed.to_claim(), claim_id=service.new_claim_id(), now=_now()
        )
    except service.ClaimRejectedError as rejected:
        logger.info("claim rejected", extra={"codes": sorted({f.code for f in rejected.findings})})
        return problems_response(
            422,
            "the claim failed scrubbing",
            [ProblemOut.of(f, parsed.domain_paths()) for f in rejected.findings],
        )
    except DuplicateClaimError as duplicate:
        return error_response(
            409,
            "duplicate_claim",
            "an original claim with this patient control number exists: "
            + duplicate.existing_claim_id,
            "claimInformation.patientControlNumber",
        )
    logger.info("claim created", extra={"claim_id": record.claim_id, "status": record.status})
    out = ClaimCreatedOut(
        **ClaimSummaryOut.of(record).model_dump(),
        warnings=[ProblemOut.of(f, parsed.domain_paths()) for f in findings],
    )
    return json_response(out, 201, {"Location": f"/v1/claims/{record.claim_id}"})


@claims.route("/v1/claims", methods=["POST"])
def create_claim() -> Response:
    request = claims.current_request
    read = claim_body(request)
    if isinstance(read, Response):
        return read
    body, parsed = read
    tenant = tenant_of(request)
    return idempotent_response(
        request, "claims", body, lambda: _create(tenant, parsed), context=claims.lambda_context
    )


@claims.route("/v1/claims/validate", methods=["POST"])
def validate_claim() -> Response:
    from chalicelib.services import claims as service

    read = claim_body(claims.current_request)
    if isinstance(read, Response):
        return read
    _, parsed = read
    tenant = tenant_of(claims.current_request)
    findings = service.check_claim(tenant, parsed.to_claim(), now=_now())
    paths = parsed.domain_paths()
    errors = [ProblemOut.of(f, paths) for f in findings if f.severity == "error"]
    warnings = [ProblemOut.of(f, paths) for f in findings if f.severity != "error"]
    return json_response(ValidationOut(valid=not errors, errors=errors, warnings=warnings))


@claims.route("/v1/claims/{claim_id}", methods=["GET"])
def get_claim(claim_id: str) -> Response:
    from chalicelib.services import claims as service

    record = service.get_claim(tenant_of(claims.current_request), claim_id)
    if record is None:
        return error_response(404, "not_found", "no such claim", "claimId")
    return json_response(ClaimDetailOut.of_record(record))


@claims.route("/v1/claims/{claim_id}/x12", methods=["GET"])
def get_claim_x12(claim_id: str) -> Response:
    """The 837P interchange exactly as it was sent (the archived bytes)."""
    from chalicelib.services import claims as service

    record = service.get_claim(tenant_of(claims.current_request), claim_id)
    if record is None:
        return error_response(404, "not_found", "no such claim", "claimId")
    if record.x12_key is None:
        return error_response(404, "not_sent", "the claim has not been put in an interchange yet")
    return Response(
        body=service.sent_interchange(record).decode("utf-8", errors="replace"),
        status_code=200,
        headers={"Content-Type": "application/edi-x12"},
    )


@claims.route("/v1/claims", methods=["GET"])
def list_claims() -> Response:
    from chalicelib.services import claims as service

    request = claims.current_request
    query: Mapping[str, str] = request.query_params or {}
    problems: list[ProblemOut] = []
    status: Status | None = None
    if query.get("status"):
        try:
            status = Status(query["status"])
        except ValueError:
            problems.append(
                ProblemOut(field="status", code="invalid_code", message="unknown claim status")
            )
    updated_since = query_instant(query, "updatedSince", problems)
    limit = query_int(query, "limit", problems, default=50, lowest=1, highest=MAX_PAGE)
    payer_id = query_text(query, "payerId", problems)
    cursor = query_text(query, "cursor", problems, longest=MAX_CURSOR, code="invalid_cursor")
    if problems:
        return problems_response(400, "invalid query parameters", problems)
    try:
        page = service.list_claims(
            tenant_of(request),
            status=status,
            payer_id=payer_id,
            updated_since=updated_since,
            limit=limit,
            cursor=cursor,
        )
    except InvalidCursorError as error:
        return error_response(400, "invalid_cursor", str(error), "cursor")
    return json_response(
        ClaimPageOut(claims=[ClaimSummaryOut.of(r) for r in page.claims], cursor=page.cursor)
    )

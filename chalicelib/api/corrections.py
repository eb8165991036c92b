"""Corrections routes: fix and resubmit a rejected claim (PUT), replace (7) or void (8) an
adjudicated one, close one with a write-off. Thin: parse, call the use case, shape the
answer; every refusal names its reason."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint, Response

from chalicelib.clock import utcnow

from .auth import tenant_of
from .claims import claim_body
from .http import (
    BodyError,
    amount_text,
    error_response,
    json_body,
    json_response,
    problems_response,
)
from .idempotency import idempotent_response
from .refusals import refusal_response, refusals
from .views import ClaimCreatedOut, ClaimSummaryOut, ProblemOut

if TYPE_CHECKING:
    from chalicelib.claims.records import ClaimRecord
    from chalicelib.claims.scrub import ScrubFinding

corrections = Blueprint(__name__)


def _answer(
    record: ClaimRecord, findings: tuple[ScrubFinding, ...], status: int, paths: dict[str, str]
) -> Response:
    out = ClaimCreatedOut(
        **ClaimSummaryOut.of(record).model_dump(),
        warnings=[ProblemOut.of(f, paths) for f in findings],
    )
    headers = {"Location": f"/v1/claims/{record.claim_id}"} if status == 201 else None
    return json_response(out, status, headers)


@corrections.route("/v1/claims/{claim_id}", methods=["PUT"])
def put_claim(claim_id: str) -> Response:
    """The corrected claim, whole, while it is rejected: scrubbed again and queued again."""
    from chalicelib.services import corrections as service

    request = corrections.current_request
    read = claim_body(request)
    if isinstance(read, Response):
        return read
    body, parsed = read

    def correct() -> Response:
        try:
            record, findings = service.resubmit_corrected(
                tenant_of(request), claim_id, parsed.to_claim(), now=utcnow()
            )
        except refusals() as error:
            return refusal_response(error)
        return _answer(record, findings, 200, parsed.domain_paths())

    return idempotent_response(
        request, f"correct:{claim_id}", body, correct, context=corrections.lambda_context
    )


@corrections.route("/v1/claims/{claim_id}/replacement", methods=["POST"])
def post_replacement(claim_id: str) -> Response:
    """A replacement claim (frequency 7) for an adjudicated one, REF*F8 its payer number."""
    request = corrections.current_request
    read = claim_body(request)
    if isinstance(read, Response):
        return read
    body, parsed = read
    return idempotent_response(
        request,
        f"replacement:{claim_id}",
        body,
        lambda: _replace_or_void(claim_id, parsed.to_claim(), parsed.domain_paths()),
        context=corrections.lambda_context,
    )


@corrections.route("/v1/claims/{claim_id}/void", methods=["POST"])
def post_void(claim_id: str) -> Response:
    """A void (frequency 8) of an adjudicated claim: the payer takes back what it paid."""
    request = corrections.current_request
    return idempotent_response(
        request,
        f"void:{claim_id}",
        {},
        lambda: _replace_or_void(claim_id, None, {}),
        context=corrections.lambda_context,
    )


def _replace_or_void(claim_id: str, claim: Any, paths: dict[str, str]) -> Response:
    from chalicelib.services import corrections as service
    from chalicelib.services.claims import new_claim_id

    request = corrections.current_request
    try:
        record, findings = service.replace_or_void(
            tenant_of(request),
            claim_id,
            claim,
            claim_id_for_new=new_claim_id(),
            now=utcnow(),
        )
    except refusals() as error:
        return refusal_response(error)
    return _answer(record, findings, 201, paths)


@corrections.route("/v1/claims/{claim_id}/close", methods=["POST"])
def post_close(claim_id: str) -> Response:
    """Close with a reason and the amount written off: `{"reason", "amountWrittenOff", "note"}`."""
    from chalicelib.services import corrections as service

    request = corrections.current_request
    try:
        body = json_body(request, max_bytes=4096)
    except BodyError as error:
        return error.response()
    if not isinstance(body, dict):
        return error_response(422, "invalid_body", "a JSON object is expected")
    problems: list[ProblemOut] = []
    unknown = sorted(set(body) - {"reason", "amountWrittenOff", "note"})
    for name in unknown:
        problems.append(ProblemOut(field=name, code="unknown_field", message="not a field here"))
    reason = body.get("reason")
    if not isinstance(reason, str) or reason not in service.CLOSE_REASONS:
        problems.append(
            ProblemOut(
                field="reason",
                code="invalid_code",
                message=f"one of {', '.join(sorted(service.CLOSE_REASONS))}",
            )
        )
    amount = amount_text(body.get("amountWrittenOff", "0"))
    if amount is None:
        problems.append(
            ProblemOut(
                field="amountWrittenOff",
                code="invalid_amount",
                message="an amount as text, 0 or more, at most 2 decimals",
            )
        )
    note = body.get("note")
    if note is not None and (not isinstance(note, str) or len(note) > 500):
        problems.append(ProblemOut(field="note", code="invalid_value", message="text, 500 max"))
    if problems:
        return problems_response(422, "the request is not valid", problems)
    assert isinstance(reason, str) and amount is not None

    def close() -> Response:
        try:
            record = service.close_claim(
                tenant_of(request),
                claim_id,
                reason=reason,
                written_off=amount,
                note=note if isinstance(note, str) else None,
                now=utcnow(),
            )
        except refusals() as error:
            return refusal_response(error)
        return json_response(ClaimSummaryOut.of(record))

    return idempotent_response(
        request, f"close:{claim_id}", body, close, context=corrections.lambda_context
    )

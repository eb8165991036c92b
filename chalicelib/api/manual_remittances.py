"""POST /v1/remittances/manual: a paper EOB posted by hand (paper-only payers)."""

from __future__ import annotations

from chalice.app import Blueprint, Response
from pydantic import ValidationError

from chalicelib.clock import utcnow

from .auth import tenant_of
from .http import (
    BodyError,
    error_response,
    json_body,
    json_response,
    problems_response,
    schema_problems,
)
from .idempotency import idempotent_response
from .refusals import refusal_response, refusals
from .views import PaymentOut, ProblemOut, View

manual_remittances = Blueprint(__name__)
_INVALID = "the EOB is not valid"


class ManualRemittanceOut(View):
    """The claim's status after the EOB, and the payment as posted (ids, codes and money:
    the claim itself, with the patient, is GET /v1/claims/{claimId})."""

    claimId: str  # noqa: N815
    status: str
    payment: PaymentOut


@manual_remittances.route("/v1/remittances/manual", methods=["POST"])
def post_manual_remittance() -> Response:
    """Post a paper EOB on its claim as an 835 would be: 201 with the claim; 422 with every
    field that is wrong (lines that do not balance, an unknown claim or line); 409 when the
    payer's check is already posted on the claim."""
    from .manual_remittance_request import ManualRemittanceIn

    request = manual_remittances.current_request
    try:
        body = json_body(request, max_bytes=64 * 1024)
    except BodyError as error:
        return error.response()
    if not isinstance(body, dict):
        return error_response(422, "invalid_body", "a JSON object is expected")
    try:
        parsed = ManualRemittanceIn.model_validate(body)
    except ValidationError as error:
        return problems_response(422, _INVALID, schema_problems(error))

    def post() -> Response:
        from chalicelib.services import manual_remittance as service

        reference = service.ClaimReference(
            parsed.claimId, parsed.patientControlNumber, parsed.payerId
        )
        try:
            record = service.post_manual_remittance(
                tenant_of(request), reference, parsed.to_eob(), now=utcnow()
            )
        except service.EobRejectedError as error:
            return problems_response(
                422,
                _INVALID,
                [ProblemOut(field=p.field, code=p.code, message=p.message) for p in error.problems],
            )
        except refusals() as error:
            return refusal_response(error)
        location = f"/v1/claims/{record.claim_id}"
        answer = ManualRemittanceOut(
            claimId=record.claim_id,
            status=record.status.value,
            payment=PaymentOut.of(
                next(
                    p for p in reversed(record.remittances) if p.trace_number == parsed.checkNumber
                )
            ),
        )
        return json_response(answer, 201, {"Location": location})

    return idempotent_response(
        request, "manual-remittance", body, post, context=manual_remittances.lambda_context
    )

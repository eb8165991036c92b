"""Appeal routes: make an appeal of a denied or underpaid claim (with attachments), send a
draft, list a claim's appeals, print an appeal's letter (PDF)."""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint, Response

from chalicelib.clock import utcnow

from .auth import tenant_of
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
from .views import Cents, ProblemOut, View

if TYPE_CHECKING:
    from chalicelib.claims.records import Appeal

appeals = Blueprint(__name__)

MAX_APPEAL_BYTES = 6 * 1024 * 1024  # attachments travel base64 in the body (Lambda: 6 MB)
_FIELDS = frozenset({"argument", "lineNumbers", "attachments", "draft", "deadline"})


class AppealOut(View):
    appealId: str  # noqa: N815
    status: str  # drafted | sent | won | lost | partially_won
    createdAt: datetime  # noqa: N815
    sentAt: datetime | None  # noqa: N815
    closedAt: datetime | None  # noqa: N815
    reasonCodes: list[str]  # noqa: N815
    argument: str
    lineNumbers: list[int]  # noqa: N815
    deadline: date | None
    paidBefore: Cents  # noqa: N815
    requested: Cents
    recovered: Cents | None
    attachments: int

    @classmethod
    def of(cls, appeal: Appeal) -> AppealOut:
        return cls(
            appealId=appeal.appeal_id,
            status=appeal.status,
            createdAt=appeal.created_at,
            sentAt=appeal.sent_at,
            closedAt=appeal.closed_at,
            reasonCodes=list(appeal.reason_codes),
            argument=appeal.argument,
            lineNumbers=list(appeal.line_numbers),
            deadline=appeal.deadline,
            paidBefore=appeal.paid_before,
            requested=appeal.requested,
            recovered=appeal.recovered,
            attachments=len(appeal.attachments),
        )


class AppealListOut(View):
    appeals: list[AppealOut]


def _parse(body: Any) -> tuple[dict[str, Any], list[ProblemOut]]:
    problems = [
        ProblemOut(field=name, code="unknown_field", message="not a field of an appeal")
        for name in sorted(set(body) - _FIELDS)
    ]
    argument = body.get("argument")
    if not isinstance(argument, str) or not 1 <= len(argument.strip()) <= 4000:
        problems.append(ProblemOut(field="argument", code="required", message="1-4000 chars"))
    lines = body.get("lineNumbers", [])
    if not isinstance(lines, list) or not all(
        isinstance(n, int) and not isinstance(n, bool) for n in lines
    ):
        problems.append(
            ProblemOut(field="lineNumbers", code="invalid_value", message="a list of numbers")
        )
        lines = []
    attachments: list[tuple[str, bytes]] = []
    for i, item in enumerate(body.get("attachments", []) or []):
        where = f"attachments[{i}]"
        if not isinstance(item, dict) or set(item) != {"name", "contentBase64"}:
            problems.append(
                ProblemOut(field=where, code="invalid_value", message="{name, contentBase64}")
            )
            continue
        try:
            content = base64.b64decode(str(item["contentBase64"]), validate=True)
        except (binascii.Error, ValueError):
            problems.append(
                ProblemOut(field=f"{where}.contentBase64", code="invalid_value", message="base64")
            )
            continue
        attachments.append((str(item["name"])[:200], content))
    deadline = None
    if body.get("deadline") is not None:
        try:
            deadline = date.fromisoformat(str(body["deadline"]))
        except ValueError:
            problems.append(ProblemOut(field="deadline", code="invalid_date", message="YYYY-MM-DD"))
    draft = body.get("draft", False)
    if not isinstance(draft, bool):
        problems.append(ProblemOut(field="draft", code="invalid_value", message="true or false"))
    parsed = {
        "argument": argument if isinstance(argument, str) else "",
        "line_numbers": tuple(lines),
        "attachments": tuple(attachments),
        "send": not draft,
        "deadline": deadline,
    }
    return parsed, problems


@appeals.route("/v1/claims/{claim_id}/appeals", methods=["POST"])
def post_appeal(claim_id: str) -> Response:
    from chalicelib.services import appeals as service

    request = appeals.current_request
    try:
        body = json_body(request, max_bytes=MAX_APPEAL_BYTES)
    except BodyError as error:
        return error.response()
    if not isinstance(body, dict):
        return error_response(422, "invalid_body", "a JSON object is expected")
    parsed, problems = _parse(body)
    if problems:
        return problems_response(422, "the appeal is not valid", problems)

    def make() -> Response:
        try:
            appeal = service.make_appeal(
                tenant_of(request),
                claim_id,
                appeal_id=service.new_appeal_id(),
                now=utcnow(),
                **parsed,
            )
        except refusals() as error:
            return refusal_response(error)
        location = f"/v1/claims/{claim_id}/appeals/{appeal.appeal_id}"
        return json_response(AppealOut.of(appeal), 201, {"Location": location})

    return idempotent_response(
        request, f"appeal:{claim_id}", body, make, context=appeals.lambda_context
    )


@appeals.route("/v1/claims/{claim_id}/appeals", methods=["GET"])
def list_appeals(claim_id: str) -> Response:
    from chalicelib.services.claims import get_claim

    record = get_claim(tenant_of(appeals.current_request), claim_id)
    if record is None:
        return error_response(404, "not_found", "no such claim", "claimId")
    return json_response(AppealListOut(appeals=[AppealOut.of(a) for a in record.appeals]))


@appeals.route("/v1/claims/{claim_id}/appeals/{appeal_id}/send", methods=["POST"])
def post_send(claim_id: str, appeal_id: str) -> Response:
    from chalicelib.services import appeals as service

    try:
        appeal = service.send_appeal(
            tenant_of(appeals.current_request), claim_id, appeal_id, now=utcnow()
        )
    except refusals() as error:
        return refusal_response(error)
    return json_response(AppealOut.of(appeal))


@appeals.route("/v1/claims/{claim_id}/appeals/{appeal_id}/outcome", methods=["POST"])
def post_outcome(claim_id: str, appeal_id: str) -> Response:
    """What the payer answered to an appeal sent by mail or portal: `{"status": "lost"}`,
    `{"status": "partially_won", "recovered": "12.00"}`."""
    from chalicelib.services import appeals as service

    request = appeals.current_request
    try:
        body = json_body(request, max_bytes=2048)
    except BodyError as error:
        return error.response()
    if not isinstance(body, dict):
        return error_response(422, "invalid_body", "a JSON object is expected")
    problems = [
        ProblemOut(field=name, code="unknown_field", message="not a field here")
        for name in sorted(set(body) - {"status", "recovered"})
    ]
    status = body.get("status")
    if status not in service.OUTCOMES:
        problems.append(
            ProblemOut(
                field="status", code="invalid_code", message=f"one of {', '.join(service.OUTCOMES)}"
            )
        )
    recovered = amount_text(body.get("recovered"))
    if body.get("recovered") is not None and recovered is None:
        problems.append(
            ProblemOut(field="recovered", code="invalid_amount", message="an amount as text")
        )
    if problems:
        return problems_response(422, "the outcome is not valid", problems)

    def record() -> Response:
        try:
            appeal = service.record_outcome(
                tenant_of(request),
                claim_id,
                appeal_id,
                status=str(status),
                recovered=recovered,
                now=utcnow(),
            )
        except refusals() as error:
            return refusal_response(error)
        return json_response(AppealOut.of(appeal))

    return idempotent_response(
        request, f"outcome:{appeal_id}", body, record, context=appeals.lambda_context
    )


@appeals.route("/v1/claims/{claim_id}/appeals/{appeal_id}/letter", methods=["GET"])
def get_letter(claim_id: str, appeal_id: str) -> Response:
    """The appeal letter (application/pdf)."""
    from chalicelib.services import appeals as service

    try:
        pdf = service.appeal_pdf(tenant_of(appeals.current_request), claim_id, appeal_id)
    except refusals() as error:
        return refusal_response(error)
    return Response(body=pdf, status_code=200, headers={"Content-Type": "application/pdf"})

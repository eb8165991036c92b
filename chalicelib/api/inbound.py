"""Upload routes for clearinghouses that deliver files instead of a mailbox: raw X12 in, what
was applied out. The same code path as the scheduled poll."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from chalicelib.clock import utcnow

from .auth import tenant_of
from .http import JSON, error_response, json_response
from .views import FileOutcomeOut

inbound = Blueprint(__name__)

X12_TYPES = ["application/edi-x12", "text/plain", "application/octet-stream"]
MAX_BYTES = 6 * 1024 * 1024  # the Lambda request payload limit


def _receive(accept: frozenset[str], source: str) -> Response:
    request = inbound.current_request
    body = _body()
    if isinstance(body, Response):
        return body
    from chalicelib.services.inbound import receive_file  # the X12 readers: on first use

    outcome = receive_file(
        tenant_of(request),
        body,
        name=request.headers.get("x-file-name", "upload"),
        source=source,
        now=utcnow(),
        accept=accept,
    )
    # in_progress: another delivery of the same file or remittance is applying it right now;
    # failed: archived and listed for a person, our fault (logged with the correlation id).
    status = {"applied": 200, "duplicate": 200, "in_progress": 202, "failed": 500}.get(
        outcome.status, 422
    )
    answer = outcome.as_dict()
    answer["message"] = OUTCOME_MESSAGES.get(outcome.status, outcome.status)
    answer["errors"] = [{"field": None, **error} for error in outcome.errors]
    return json_response(FileOutcomeOut.model_validate(answer), status)


# The answer's `message`, so a refused or unreadable file reads like every other error.
OUTCOME_MESSAGES = {
    "applied": "the file was archived and applied",
    "duplicate": "this file was applied before: its earlier result, nothing changed",
    "in_progress": "another delivery of this file is being applied: ask again shortly",
    "unreadable": "the file cannot be read: it is archived and listed on the worklist",
    "refused": "this route does not take this kind of file: it is archived, nothing applied",
    "failed": "the file could not be applied: it is archived and listed on the worklist",
}


@inbound.route("/v1/claim-files", methods=["POST"], content_types=X12_TYPES)
def post_claim_file() -> Response:
    """An 837P interchange exported by a practice system: each claim is scrubbed and queued
    like a JSON claim; the answer lists each claim's id or its errors."""
    request = inbound.current_request
    body = _body()
    if isinstance(body, Response):
        return body
    from chalicelib.services.claim_files import submit_claim_file
    from chalicelib.services.claims import new_claim_id
    from chalicelib.x12.errors import X12ReadError

    from .contract_render import contract_problems

    try:
        result = submit_claim_file(
            tenant_of(request),
            body,
            now=utcnow(),
            new_claim_id=new_claim_id,
            contract_check=contract_problems,
        )
    except X12ReadError as error:
        return Response(
            body={
                "message": "the file cannot be read",
                "errors": [
                    {
                        "field": None,
                        "code": "x12_unreadable",
                        "message": error.located(),
                        "segmentIndex": error.segment_index,
                        "segmentId": error.segment_id,
                        "elementPosition": error.element_position,
                        "severity": "error",
                    }
                ],
            },
            status_code=422,
            headers=dict(JSON),
        )
    return Response(body=result, status_code=200, headers=dict(JSON))


def _body() -> bytes | Response:
    raw = inbound.current_request.raw_body or b""
    body = raw.encode() if isinstance(raw, str) else raw
    if not body.strip():
        return error_response(400, "empty_body", "the request body must be an X12 file")
    if len(body) > MAX_BYTES:
        return error_response(413, "too_large", "X12 files over 6 MB must come by mailbox")
    return body


@inbound.route("/v1/remittances", methods=["POST"], content_types=X12_TYPES)
def post_remittance() -> Response:
    return _receive(frozenset({"835"}), "upload-835")


@inbound.route("/v1/acknowledgments", methods=["POST"], content_types=X12_TYPES)
def post_acknowledgment() -> Response:
    return _receive(frozenset({"999", "277CA", "277"}), "upload-ack")

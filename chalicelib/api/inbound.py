"""Upload routes for clearinghouses that deliver files instead of a mailbox: raw X12 in, what
was applied out. The same code path as the scheduled poll."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from chalice.app import Blueprint, Response
from pydantic import Field

from chalicelib.clock import utcnow
from chalicelib.config import settings

from .auth import tenant_of
from .http import error_response, json_response
from .views import FileOutcomeOut, ProblemOut, View

if TYPE_CHECKING:
    from chalicelib.claims.model import Claim
    from chalicelib.services.inbound import FileOutcome

inbound = Blueprint(__name__)

X12_TYPES = ["application/edi-x12", "text/plain", "application/octet-stream"]


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
        max_claims=settings().direct_max_claims,
    )
    return _outcome_response(outcome)


def _outcome_response(outcome: FileOutcome) -> Response:
    # in_progress: another delivery of the same file or remittance is applying it right now;
    # failed: archived and listed for a person, our fault (logged with the correlation id).
    status = {
        "applied": 200,
        "duplicate": 200,
        "in_progress": 202,
        "failed": 500,
        "too_large": 413,
    }.get(outcome.status, 422)
    answer = outcome.as_dict()
    answer["message"] = OUTCOME_MESSAGES.get(outcome.status, outcome.status)
    answer["errors"] = [file_problem(error).model_dump() for error in outcome.errors]
    return json_response(FileOutcomeOut.model_validate(answer), status)


class FileProblemOut(ProblemOut):
    """A problem with an X12 file, in the error shape (`field` is null: the file is no JSON),
    located where it can be: `segmentIndex` counts segments from 1 as an editor shows them
    (1 is the ISA; null: the file as a whole), `elementPosition` from 1 as X12 names
    elements (CLM05 is 5); `claimId` when it concerns one claim."""

    segmentIndex: int | None = None  # noqa: N815 - wire name
    segmentId: str | None = None  # noqa: N815
    elementPosition: int | None = None  # noqa: N815
    claimId: str | None = None  # noqa: N815


class X12ErrorOut(View):
    """422 for a file that cannot be read at all."""

    message: str
    errors: list[FileProblemOut]


class X12FindingOut(View):
    """Something wrong in a claim of the file that was still read (located like an error)."""

    code: str
    message: str
    segmentIndex: int | None  # noqa: N815 - wire name
    segmentId: str | None  # noqa: N815
    elementPosition: int | None  # noqa: N815


class ClaimFileEntryOut(View):
    """One claim of an 837P file: `index` is its place in `claims` (from 0, as in JSON),
    `segmentIndex` the file position of its CLM; its id and status, or its errors."""

    index: int
    segmentIndex: int  # noqa: N815 - wire name
    patientControlNumber: str | None  # noqa: N815
    findings: list[X12FindingOut]
    claimId: str | None = None  # noqa: N815
    status: str | None = None
    warnings: list[ProblemOut] = Field(default_factory=list)
    errors: list[ProblemOut] = Field(default_factory=list)


class ClaimFileOut(View):
    archiveKey: str  # noqa: N815 - wire name
    claims: list[ClaimFileEntryOut]
    accepted: int
    rejected: int


_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
# What a file problem says when the use case gave only its code.
_FILE_MESSAGES = {
    "claim_not_found": "the claim is gone: nothing of the file was applied to it",
    "concurrent_update": "the claim kept changing while the file was applied to it: "
    "deliver the file again",
}


def file_problem(error: Mapping[str, object]) -> FileProblemOut:
    """A use case's record of a file problem in the error shape: a code made of an exception
    name becomes a code (ConcurrentUpdateError: concurrent_update), a missing message is
    supplied, and segment 0 (no segment: the file as a whole) becomes null."""
    code = str(error.get("code") or "file_error")
    if not code.islower():
        code = _WORD_BOUNDARY.sub("_", code.removesuffix("Error")).lower()
    segment = error.get("segmentIndex")
    element = error.get("elementPosition")
    return FileProblemOut(
        field=None,
        code=code,
        message=str(error.get("message") or _FILE_MESSAGES.get(code, code.replace("_", " "))),
        segmentIndex=segment if isinstance(segment, int) and segment > 0 else None,
        segmentId=str(error.get("segmentId") or "") or None,
        elementPosition=element if isinstance(element, int) else None,
        claimId=str(error.get("claimId") or "") or None,
    )


# The answer's `message`, so a refused or unreadable file reads like every other error.
OUTCOME_MESSAGES = {
    "applied": "the file was archived and applied",
    "duplicate": "this file was applied before: its earlier result, nothing changed",
    "in_progress": "another delivery of this file is being applied: ask again shortly",
    "unreadable": "the file cannot be read: it is archived and listed on the worklist",
    "refused": "this route does not take this kind of file: it is archived, nothing applied",
    "failed": "the file could not be applied: it is archived and listed on the worklist",
    "too_large": "the file holds more claims than one request applies: send it through "
    "POST /v1/uploads; it is archived, nothing applied",
}


@inbound.route("/v1/claim-files", methods=["POST"], content_types=X12_TYPES)
def post_claim_file() -> Response:
    """An 837P interchange exported by a practice system: each claim is scrubbed and queued
    like a JSON claim; the answer lists each claim's id or its errors."""
    request = inbound.current_request
    body = _body()
    if isinstance(body, Response):
        return body
    from chalicelib.services.claim_files import TooManyClaimsError, submit_claim_file
    from chalicelib.services.claims import new_claim_id
    from chalicelib.x12.errors import X12ReadError

    try:
        result = submit_claim_file(
            tenant_of(request),
            body,
            now=utcnow(),
            new_claim_id=new_claim_id,
            contract_check=contract_problems,
            max_claims=settings().direct_max_claims,
        )
    except TooManyClaimsError as error:
        return error_response(
            413,
            "too_many_claims",
            f"the file holds {error.claims:,} claims; one request creates at most "
            f"{error.limit:,} (it could not finish in time): send it through POST /v1/uploads",
        )
    except X12ReadError as error:
        problem = {
            "code": "x12_unreadable",
            "message": error.located(),
            "segmentIndex": error.segment_index,
            "segmentId": error.segment_id,
            "elementPosition": error.element_position,
        }
        unreadable = X12ErrorOut(message="the file cannot be read", errors=[file_problem(problem)])
        return json_response(unreadable, 422)
    return json_response(ClaimFileOut.model_validate(result))


def contract_problems(claim: Claim) -> list[tuple[str, str, str]]:
    """The contract's check of a claim read from a file, its schema loaded on first use."""
    from .contract_render import contract_problems as check

    return check(claim)


def _body() -> bytes | Response:
    raw = inbound.current_request.raw_body or b""
    body = raw.encode() if isinstance(raw, str) else raw
    if not body.strip():
        return error_response(400, "empty_body", "the request body must be an X12 file")
    limit = settings().direct_upload_max_bytes
    if len(body) > limit:
        return error_response(
            413,
            "too_large",
            f"X12 files over {limit:,} bytes must come through POST /v1/uploads (a presigned "
            "S3 upload, applied the same way) or a clearinghouse mailbox",
        )
    return body


@inbound.route(
    "/v1/inbound/{inbound_id}", methods=["POST"], content_types=[*X12_TYPES, "application/json"]
)
def post_pushed_report(inbound_id: str) -> Response:
    """A report (277CA, 835 ...) a JSON clearinghouse pushes to an account's inbound URL,
    signed with the account's webhook secret instead of an API key (see
    chalicelib.services.inbound_push)."""
    request = inbound.current_request
    body = _body()
    if isinstance(body, Response):
        return body
    from chalicelib.services.inbound_push import (
        PushBodyError,
        PushRefusedError,
        receive_pushed_report,
    )

    try:
        _, outcome = receive_pushed_report(
            inbound_id[:128],
            body,
            signature=request.headers.get("claimgate-signature"),
            content_type=request.headers.get("content-type", ""),
            now=utcnow(),
        )
    except PushRefusedError:
        return error_response(
            401, "unauthorized", "the push is not signed with this address's webhook secret"
        )
    except PushBodyError as error:
        return error_response(400, "invalid_body", str(error))
    return _outcome_response(outcome)


@inbound.route("/v1/remittances", methods=["POST"], content_types=X12_TYPES)
def post_remittance() -> Response:
    return _receive(frozenset({"835"}), "upload-835")


@inbound.route("/v1/acknowledgments", methods=["POST"], content_types=X12_TYPES)
def post_acknowledgment() -> Response:
    return _receive(frozenset({"999", "277CA", "277"}), "upload-ack")

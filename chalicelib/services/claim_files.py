"""837P files from practice systems that export them: each claim in the file goes through the
same scrubbing and lifecycle as a JSON claim, and the answer says, claim by claim, what
became of it. The file is archived unchanged whatever happens."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from chalicelib.claims.model import Claim
from chalicelib.store import archive
from chalicelib.store.errors import DuplicateClaimError
from chalicelib.x12.envelope import EnvelopeReader
from chalicelib.x12.errors import X12ReadError
from chalicelib.x12.read.claim837p import parse_837p

from .claims import ClaimRejectedError, submit_claim

SOURCE = "837-upload"

# What the API's claim contract finds wrong with a claim read from a file, as (code, message,
# request path) triples: the route passes it in, so a file's claim meets the same field rules
# as a JSON one without this use case knowing the wire format.
ContractCheck = Callable[[Claim], list[tuple[str, str, str]]]


def _problem(code: str, message: str, field: str | None = None) -> dict[str, object]:
    return {"field": field, "code": code, "message": message, "severity": "error"}


class TooManyClaimsError(Exception):
    """More claims than one request can create in time: the file must come by upload."""

    def __init__(self, claims: int, limit: int) -> None:
        super().__init__(f"{claims} claims, at most {limit}")
        self.claims = claims
        self.limit = limit


def submit_claim_file(
    tenant_id: str,
    content: bytes,
    *,
    now: datetime,
    new_claim_id: Callable[[], str],
    contract_check: ContractCheck,
    max_claims: int | None = None,
) -> dict[str, object]:
    """Raises X12ReadError (nothing stored but the archived file) when the file itself cannot
    be read, TooManyClaimsError (nothing stored either) when it holds more than `max_claims`;
    otherwise returns one entry per claim: its id and status, or its errors."""
    key = archive.save_raw(content, kind="837P", source=f"{tenant_id}/{SOURCE}")
    reader = EnvelopeReader(content)
    read = [claim for ts in reader for claim in parse_837p(ts)]  # whole file first
    if max_claims is not None and len(read) > max_claims:
        raise TooManyClaimsError(len(read), max_claims)
    results: list[dict[str, object]] = []
    for index, item in enumerate(read):
        entry: dict[str, object] = {
            "index": index,
            "segmentIndex": item.segment_index,
            "patientControlNumber": item.patient_control_number,
            "findings": [
                {
                    "code": f.code,
                    "message": f.message,
                    "segmentIndex": f.segment_index,
                    "segmentId": f.segment_id,
                    "elementPosition": f.element_position,
                }
                for f in item.findings
                if f.code != "not_carried"
            ],
        }
        results.append(entry)
        if item.claim is None or item.error is not None:
            error = item.error
            entry["errors"] = [
                _problem("x12_unreadable", error.located() if error else "claim not readable")
            ]
            continue
        foreign = [f for f in item.findings if f.code == "invalid_character"]
        if foreign:  # never stored: the text would reach the payer altered or not at all
            entry["errors"] = [_problem("invalid_character", f.message) for f in foreign]
            continue
        problems = contract_check(item.claim)
        if problems:
            entry["errors"] = [_problem(*problem) for problem in problems]
            continue
        try:
            record, findings = submit_claim(
                tenant_id,
                item.claim,
                claim_id=new_claim_id(),
                now=now,
                source=SOURCE,
            )
        except ClaimRejectedError as rejected:
            entry["errors"] = [_problem(f.code, f.message, f.field) for f in rejected.findings]
            continue
        except DuplicateClaimError as duplicate:
            entry["errors"] = [
                _problem(
                    "duplicate_claim",
                    "an original claim with this patient control number exists: "
                    + duplicate.existing_claim_id,
                    "claimInformation.patientControlNumber",
                )
            ]
            continue
        entry.update(
            {
                "claimId": record.claim_id,
                "status": record.status.value,
                "warnings": [_problem(f.code, f.message, f.field) for f in findings],
            }
        )
    if not read:
        raise X12ReadError("the file holds no 837P claim", segment_index=0, segment_id="")
    return {
        "archiveKey": key,
        "claims": results,
        "accepted": sum(1 for r in results if "claimId" in r),
        "rejected": sum(1 for r in results if "errors" in r),
    }

"""Response bodies of the API as pydantic models: the handlers build them and the OpenAPI
document is generated from them, so documentation and answers cannot drift."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from chalicelib.claims.records import ClaimEvent, ClaimRecord
from chalicelib.claims.scrub import ScrubFinding


class View(BaseModel):
    model_config = ConfigDict(frozen=True)


class ProblemOut(View):
    """One problem with a request: `field` is a path into the request body (or a header
    name), `code` a stable identifier, `message` for people."""

    field: str | None
    code: str
    message: str
    severity: str = "error"

    @classmethod
    def of(cls, finding: ScrubFinding) -> ProblemOut:
        return cls(
            field=finding.field,
            code=finding.code,
            message=finding.message,
            severity=finding.severity,
        )


class ErrorOut(View):
    message: str
    errors: list[ProblemOut]


class ValidationOut(View):
    valid: bool
    errors: list[ProblemOut]
    warnings: list[ProblemOut]


class ClaimEventOut(View):
    seq: int
    at: datetime
    source: str
    event: str
    fromStatus: str | None  # noqa: N815 - wire name
    toStatus: str  # noqa: N815
    codes: list[str]

    @classmethod
    def of(cls, event: ClaimEvent) -> ClaimEventOut:
        return cls(
            seq=event.seq,
            at=event.at,
            source=event.source,
            event=event.event.value,
            fromStatus=event.from_status.value if event.from_status else None,
            toStatus=event.to_status.value,
            codes=list(event.codes),
        )


class ClaimSummaryOut(View):
    claimId: str  # noqa: N815
    status: str
    payerId: str  # noqa: N815
    patientControlNumber: str  # noqa: N815
    frequencyCode: str  # noqa: N815
    chargeAmount: Decimal  # noqa: N815
    createdAt: datetime  # noqa: N815
    updatedAt: datetime  # noqa: N815

    @classmethod
    def of(cls, record: ClaimRecord) -> ClaimSummaryOut:
        return cls(
            claimId=record.claim_id,
            status=record.status.value,
            payerId=record.payer_id,
            patientControlNumber=record.patient_control_number,
            frequencyCode=record.frequency_code,
            chargeAmount=record.charge_amount,
            createdAt=record.created_at,
            updatedAt=record.updated_at,
        )


class ClaimCreatedOut(ClaimSummaryOut):
    warnings: list[ProblemOut] = []


class ClaimDetailOut(ClaimSummaryOut):
    claim: dict[str, object]
    history: list[ClaimEventOut]

    @classmethod
    def of_record(cls, record: ClaimRecord) -> ClaimDetailOut:
        summary = ClaimSummaryOut.of(record)
        return cls(
            **summary.model_dump(),
            claim=dict(record.body),
            history=[ClaimEventOut.of(e) for e in record.events],
        )


class ClaimPageOut(View):
    claims: list[ClaimSummaryOut]
    cursor: str | None

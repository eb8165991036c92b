"""Response bodies of the API as pydantic models: the handlers build them and the OpenAPI
document is generated from them, so documentation and answers cannot drift."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, ConfigDict, PlainSerializer

if TYPE_CHECKING:  # what the views are built from; importing them costs a cold start
    from chalicelib.claims.posting import PostedAdjustment, PostedLine, Posting
    from chalicelib.claims.records import ClaimEvent, ClaimRecord
    from chalicelib.claims.scrub import ScrubFinding
    from chalicelib.claims.variance import VarianceFlag


def _cents(amount: Decimal) -> str:
    return str(amount.quantize(Decimal("0.01")))


# Money in answers: a string with exactly two decimals, whatever the payer's file wrote ("149.2").
Cents = Annotated[Decimal, PlainSerializer(_cents, return_type=str)]


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
    def of(cls, finding: ScrubFinding, paths: Mapping[str, str] | None = None) -> ProblemOut:
        """`paths`: where a domain path points in the request (`providers[2]` -> `billing`),
        so the field named is the one the caller sent."""
        return cls(
            field=_in_request(finding.field, paths or {}),
            code=finding.code,
            message=finding.message,
            severity=finding.severity,
        )


def _in_request(field: str | None, paths: Mapping[str, str]) -> str | None:
    if field is None:
        return None
    for prefix, replacement in paths.items():
        if field == prefix or field.startswith((f"{prefix}.", f"{prefix}[")):
            return replacement + field[len(prefix) :]
    return field


class ErrorOut(View):
    message: str
    errors: list[ProblemOut]


class ServerErrorOut(ErrorOut):
    """A 500: nothing about the failure (its message may hold PHI) but the correlation id
    under which it was logged, as the x-correlation-id header also says."""

    correlationId: str  # noqa: N815 - wire name


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
    detail: dict[str, str]  # what the event carried: file, trace number, fields changed ...
    actor: str | None  # who caused it: an API key's id, `seed:<tenant>`, `schedule:<name>`
    actorName: str | None  # noqa: N815 - the person or system the key was issued to

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
            detail=dict(event.detail),
            actor=event.actor,
            actorName=event.actor_name,
        )


class ClaimSummaryOut(View):
    claimId: str  # noqa: N815
    status: str
    payerId: str  # noqa: N815
    patientControlNumber: str  # noqa: N815
    frequencyCode: str  # noqa: N815
    chargeAmount: Cents  # noqa: N815
    createdAt: datetime  # noqa: N815
    updatedAt: datetime  # noqa: N815
    # What the service does next and when: send (to the clearinghouse), verify (coverage,
    # before it is sent), status_check, secondary (bill the next payer); None: waiting on
    # the payer or a person.
    nextAction: str | None = None  # noqa: N815
    dueAt: datetime | None = None  # noqa: N815

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
            nextAction=record.next_action,
            dueAt=record.due_at if record.next_action else None,
        )


class ClaimCreatedOut(ClaimSummaryOut):
    warnings: list[ProblemOut] = []


class AdjustmentOut(View):
    group: str
    reason: str
    amount: Cents
    quantity: Decimal | None
    description: str | None

    @classmethod
    def of(cls, adjustment: PostedAdjustment) -> AdjustmentOut:
        return cls(
            group=adjustment.group,
            reason=adjustment.reason,
            amount=adjustment.amount,
            quantity=adjustment.quantity,
            description=adjustment.description,
        )


class RemarkOut(View):
    code: str
    description: str | None


class LinePaymentOut(View):
    """One service line as the payer paid it (835 loop 2110), matched to our line."""

    lineNumber: int | None  # noqa: N815 - wire name; 1-based line of the claim, None: unmatched
    matchedBy: str | None  # noqa: N815
    providerControlNumber: str | None  # noqa: N815
    procedureCode: str  # noqa: N815
    procedureModifiers: list[str]  # noqa: N815
    serviceDate: date | None  # noqa: N815
    charge: Cents
    allowed: Cents
    paid: Cents
    units: Decimal
    denied: bool
    adjustments: list[AdjustmentOut]
    remarks: list[RemarkOut]

    @classmethod
    def of(cls, line: PostedLine) -> LinePaymentOut:
        return cls(
            lineNumber=line.claim_line_index + 1 if line.claim_line_index is not None else None,
            matchedBy=line.matched_by,
            providerControlNumber=line.provider_control_number,
            procedureCode=line.procedure_code,
            procedureModifiers=list(line.procedure_modifiers),
            serviceDate=line.service_date,
            charge=line.charge,
            allowed=line.allowed,
            paid=line.paid,
            units=line.units,
            denied=line.denied,
            adjustments=[AdjustmentOut.of(a) for a in line.adjustments],
            remarks=[RemarkOut(code=r.code, description=r.description) for r in line.remarks],
        )


class PaymentOut(View):
    """One 835 claim payment (loop 2100) posted to the claim."""

    payerId: str  # noqa: N815
    traceNumber: str  # noqa: N815
    paymentDate: date | None  # noqa: N815
    statusCode: str  # noqa: N815
    statusDescription: str | None  # noqa: N815
    payerClaimControlNumber: str  # noqa: N815
    charge: Cents
    paid: Cents
    patientResponsibility: Cents  # noqa: N815
    crossover: bool
    crossoverCarrier: str | None  # noqa: N815
    adjustments: list[AdjustmentOut]
    remarks: list[RemarkOut]
    lines: list[LinePaymentOut]
    unmatchedLines: list[LinePaymentOut]  # noqa: N815
    codeTables: dict[str, str]  # noqa: N815

    @classmethod
    def of(cls, posting: Posting) -> PaymentOut:
        return cls(
            payerId=posting.payer_id,
            traceNumber=posting.trace_number,
            paymentDate=posting.payment_date,
            statusCode=posting.status_code,
            statusDescription=posting.status_description,
            payerClaimControlNumber=posting.payer_claim_control_number,
            charge=posting.charge,
            paid=posting.paid,
            patientResponsibility=posting.patient_responsibility,
            crossover=posting.crossover,
            crossoverCarrier=posting.crossover_carrier_name,
            adjustments=[AdjustmentOut.of(a) for a in posting.claim_adjustments],
            remarks=[RemarkOut(code=r.code, description=r.description) for r in posting.remarks],
            lines=[LinePaymentOut.of(line) for line in posting.lines],
            unmatchedLines=[LinePaymentOut.of(line) for line in posting.unmatched_lines],
            codeTables={"carc": posting.carc_version, "rarc": posting.rarc_version},
        )


class FlagOut(View):
    """A payment mismatch: which line, what the contract says, what was paid."""

    kind: str  # underpaid | overpaid | math_error
    lineNumber: int | None  # noqa: N815 - wire name
    procedureCode: str | None  # noqa: N815
    expected: Cents
    actual: Cents
    difference: Cents
    detail: str
    traceNumber: str | None  # noqa: N815
    payerId: str | None  # noqa: N815
    contractVersion: int | None  # noqa: N815

    @classmethod
    def of(cls, flag: VarianceFlag) -> FlagOut:
        line = flag.claim_line_index
        return cls(
            kind=flag.kind,
            lineNumber=line + 1 if line is not None else None,
            procedureCode=flag.procedure_code,
            expected=flag.expected,
            actual=flag.actual,
            difference=flag.difference,
            detail=flag.detail,
            traceNumber=flag.trace_number,
            payerId=flag.payer_id,
            contractVersion=flag.contract.version if flag.contract else None,
        )


class ClaimDetailOut(ClaimSummaryOut):
    claim: dict[str, object]
    history: list[ClaimEventOut]
    payments: list[PaymentOut]
    flags: list[FlagOut]
    parentClaimId: str | None  # noqa: N815 - the claim this one follows (secondary billing)

    @classmethod
    def of_record(cls, record: ClaimRecord) -> ClaimDetailOut:
        from .contract_render import request_from_claim

        summary = ClaimSummaryOut.of(record)
        return cls(
            **summary.model_dump(),
            claim=request_from_claim(record.claim).model_dump(mode="json", exclude_none=True),
            history=[ClaimEventOut.of(e) for e in record.events],
            payments=[PaymentOut.of(posting) for posting in record.remittances],
            flags=[FlagOut.of(f) for f in record.flags],
            parentClaimId=record.parent_claim_id,
        )


class ClaimPageOut(View):
    claims: list[ClaimSummaryOut]
    cursor: str | None


class FileOutcomeOut(View):
    """What an uploaded or fetched inbound file did (chalicelib.services.inbound.FileOutcome)."""

    message: str
    sha256: str
    archiveKey: str  # noqa: N815
    status: str  # applied | duplicate | in_progress | unreadable | refused | failed
    kinds: list[str]
    claimsUpdated: list[str]  # noqa: N815
    notes: list[str]
    unmatched: int
    errors: list[dict[str, object]]
    remittances: list[dict[str, object]]

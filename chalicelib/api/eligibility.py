"""Real-time eligibility: `POST /v1/eligibility` takes the request in the shape the large
clearinghouse APIs use for JSON eligibility (eligibility_request.py, loaded with the first
request: cold start) and answers with the payer's 271 in a biller's words;
`GET /v1/eligibility/{eligibilityId}` reads a check again."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from chalice.app import Blueprint, Request, Response
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
from .views import ProblemOut, View

if TYPE_CHECKING:
    from chalicelib.claims.eligibility import EligibilityCheck
    from chalicelib.services.eligibility import Inquiry
    from chalicelib.services.eligibility_batches import BatchProgress

    from .eligibility_request import EligibilityIn

eligibility = Blueprint(__name__)

_INVALID = "the eligibility request is not valid"


class BenefitOut(View):
    code: str
    name: str
    serviceTypeCodes: list[str]  # noqa: N815
    coverageLevel: str | None  # noqa: N815
    insuranceType: str | None  # noqa: N815
    plan: str | None
    inNetwork: bool | None  # noqa: N815
    timePeriod: str | None  # noqa: N815
    amount: Decimal | None
    percent: Decimal | None
    remaining: bool
    authorizationRequired: bool | None  # noqa: N815
    procedureCode: str | None  # noqa: N815 - EB13: the procedure the benefit is about
    messages: list[str]


class OtherPayerOut(View):
    entityCode: str  # noqa: N815
    name: str
    id: str | None


class RejectionOut(View):
    code: str | None
    description: str
    action: str
    loop: str


class EligibilityOut(View):
    eligibilityId: str  # noqa: N815
    payerId: str  # noqa: N815
    checkedAt: datetime  # noqa: N815
    dateOfService: date | None  # noqa: N815
    serviceTypeCodes: list[str]  # noqa: N815
    status: str
    planName: str | None  # noqa: N815
    groupNumber: str | None  # noqa: N815
    planBegin: date | None  # noqa: N815
    planEnd: date | None  # noqa: N815
    benefits: list[BenefitOut]
    otherPayers: list[OtherPayerOut]  # noqa: N815
    rejections: list[RejectionOut]
    # The payer holds the member under another id (in the archived 271, never here) or
    # answered as another payer id (shown: a payer id is not PHI).
    memberIdChanged: bool  # noqa: N815
    answeringPayerId: str | None  # noqa: N815
    payerChanged: bool  # noqa: N815

    @classmethod
    def of(cls, check: EligibilityCheck) -> EligibilityOut:
        answer = check.answer
        return cls(
            eligibilityId=check.check_id,
            payerId=check.payer_id,
            checkedAt=check.checked_at,
            dateOfService=check.date_of_service,
            serviceTypeCodes=list(check.service_types),
            status=answer.status,
            planName=answer.plan,
            groupNumber=answer.group_number,
            planBegin=answer.plan_begin,
            planEnd=answer.plan_end,
            benefits=[
                BenefitOut(
                    code=b.code,
                    name=b.name,
                    serviceTypeCodes=list(b.service_types),
                    coverageLevel=b.coverage_level,
                    insuranceType=b.insurance_type,
                    plan=b.plan,
                    inNetwork=b.in_network,
                    timePeriod=b.time_period,
                    amount=b.amount,
                    percent=b.percent,
                    remaining=b.remaining,
                    authorizationRequired=b.authorization_required,
                    procedureCode=b.procedure,
                    messages=list(b.messages),
                )
                for b in answer.benefits
            ],
            otherPayers=[
                OtherPayerOut(entityCode=o.entity_code, name=o.name, id=o.identifier)
                for o in answer.other_payers
            ],
            rejections=[
                RejectionOut(code=r.code, description=r.description, action=r.action, loop=r.loop)
                for r in answer.rejections
            ],
            memberIdChanged=answer.member_id_changed,
            answeringPayerId=answer.answering_payer_id,
            payerChanged=answer.payer_changed,
        )


@eligibility.route("/v1/eligibility", methods=["POST"])
def check() -> Response:
    request = eligibility.current_request
    try:
        body = json_body(request, max_bytes=16 * 1024)
    except BodyError as error:
        return error.response()
    # A retry with the same Idempotency-Key gets the first answer: one 270 to the payer.
    return idempotent_response(
        request,
        "eligibility",
        body,
        lambda: _check(request, body),
        context=eligibility.lambda_context,
    )


def _check(request: Request, body: object) -> Response:
    from chalicelib.services import eligibility as service

    from .eligibility_request import EligibilityIn

    try:
        given = EligibilityIn.model_validate(body)
    except ValidationError as error:
        return problems_response(422, _INVALID, schema_problems(error))
    inquiry = inquiry_of(given)
    if isinstance(inquiry, ProblemOut):
        return problems_response(422, _INVALID, [inquiry])
    try:
        done = service.check_eligibility(tenant_of(request), inquiry, now=utcnow())
    except refusals() as error:
        code = getattr(error, "code", "")
        if code == "payer_unavailable":  # the payer's side failed: asking again is safe
            return error_response(502, code, str(error))
        return refusal_response(
            error, "tradingPartnerServiceId" if code == "invalid_payer" else None
        )
    return json_response(EligibilityOut.of(done))


def inquiry_of(given: EligibilityIn) -> Inquiry | ProblemOut:
    """The service's inquiry from the request, or the problem that keeps it from one."""
    from chalicelib.services.eligibility import Inquiry
    from chalicelib.x12.write.inquiry import Person, Provider

    provider = given.provider
    if provider.organizationName is None and provider.lastName is None:
        return ProblemOut(
            field="provider",
            code="missing",
            message="the provider needs organizationName or lastName",
        )
    subscriber = given.subscriber
    dependent = given.dependents[0] if given.dependents else None
    return Inquiry(
        payer_id=given.tradingPartnerServiceId,
        provider=Provider(
            provider.organizationName or provider.lastName or "",
            provider.npi,
            provider.firstName if provider.organizationName is None else None,
        ),
        subscriber=Person(
            subscriber.lastName,
            subscriber.firstName,
            subscriber.middleName,
            member_id=subscriber.memberId,
            birth_date=subscriber.dateOfBirth,
            gender=subscriber.gender,
        ),
        dependent=None
        if dependent is None
        else Person(
            dependent.lastName,
            dependent.firstName,
            dependent.middleName,
            birth_date=dependent.dateOfBirth,
            gender=dependent.gender,
        ),
        service_types=tuple(given.encounter.serviceTypeCodes),
        date_of_service=given.encounter.dateOfService,
    )


@eligibility.route("/v1/eligibility/{eligibility_id}", methods=["GET"])
def get_check(eligibility_id: str) -> Response:
    from chalicelib.services import eligibility as service

    try:
        found = service.get_check(tenant_of(eligibility.current_request), eligibility_id)
    except refusals() as error:
        return refusal_response(error, "eligibilityId")
    return json_response(EligibilityOut.of(found))


class BatchResultOut(View):
    """One inquiry of a batch: `checked` (see the check by its eligibilityId) or `failed`."""

    index: int
    status: str
    eligibilityId: str | None  # noqa: N815
    coverage: str | None  # active | inactive | rejected | unknown
    code: str | None
    message: str | None


class BatchOut(View):
    batchId: str  # noqa: N815
    status: str  # running | done
    total: int
    checked: int
    failed: int
    createdAt: datetime  # noqa: N815
    results: list[BatchResultOut]

    @classmethod
    def of(cls, progress: BatchProgress) -> BatchOut:
        rows = sorted(progress.results, key=lambda r: r.index)
        return cls(
            batchId=progress.batch_id,
            status=progress.status,
            total=progress.total,
            checked=sum(1 for r in rows if r.status == "checked"),
            failed=sum(1 for r in rows if r.status == "failed"),
            createdAt=progress.created_at,
            results=[
                BatchResultOut(
                    index=r.index,
                    status=r.status,
                    eligibilityId=r.check_id,
                    coverage=r.coverage,
                    code=r.code,
                    message=r.message,
                )
                for r in rows
            ],
        )


MAX_BATCH_BYTES = 4 * 1024 * 1024  # a thousand requests of a few KB


@eligibility.route("/v1/eligibility/batches", methods=["POST"])
def start_batch() -> Response:
    """Up to 1,000 requests, each in the shape of POST /v1/eligibility; every problem of every
    request at once (422, `requests[i].field`), or 202 with the batch to follow."""
    from chalicelib.services import eligibility_batches as service

    from .eligibility_request import EligibilityIn

    request = eligibility.current_request
    try:
        body = json_body(request, max_bytes=MAX_BATCH_BYTES)
    except BodyError as error:
        return error.response()
    given = body.get("requests") if isinstance(body, dict) else None
    if not isinstance(given, list) or not 1 <= len(given) <= service.MAX_INQUIRIES:
        return problems_response(
            422,
            _INVALID,
            [
                ProblemOut(
                    field="requests",
                    code="invalid_value",
                    message=f"requests: a list of 1 to {service.MAX_INQUIRIES:,} requests",
                )
            ],
        )
    problems: list[ProblemOut] = []
    inquiries = []
    for index, item in enumerate(given):
        try:
            inquiry = inquiry_of(EligibilityIn.model_validate(item))
        except ValidationError as error:
            problems += [
                ProblemOut(field=f"requests[{index}].{p.field}", code=p.code, message=p.message)
                for p in schema_problems(error)
            ]
            continue
        if isinstance(inquiry, ProblemOut):
            problems.append(
                ProblemOut(
                    field=f"requests[{index}].{inquiry.field}",
                    code=inquiry.code,
                    message=inquiry.message,
                )
            )
            continue
        inquiries.append(inquiry)
    if problems:
        return problems_response(422, _INVALID, problems)
    try:
        started = service.start_batch(tenant_of(request), inquiries, now=utcnow())
    except refusals() as error:
        return refusal_response(error, "requests")
    return json_response(BatchOut.of(started), 202)


@eligibility.route("/v1/eligibility/batches/{batch_id}", methods=["GET"])
def get_batch(batch_id: str) -> Response:
    from chalicelib.services import eligibility_batches as service

    try:
        found = service.get_batch(tenant_of(eligibility.current_request), batch_id)
    except refusals() as error:
        return refusal_response(error, "batchId")
    return json_response(BatchOut.of(found))

"""Prior authorizations and referrals: `POST /v1/authorizations` records what a payer approved,
`GET /v1/authorizations[/{id}]` reads them with the units claims used; each payer's
authorization rules are dated data (`PUT/GET /v1/payers/{payerId}/authorization-rules`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from chalice.app import Blueprint, Response
from pydantic import ValidationError

from chalicelib.clock import utcnow
from chalicelib.services.errors import InvalidCursorError

from .auth import tenant_of
from .http import (
    MAX_CURSOR,
    BodyError,
    error_response,
    json_body,
    json_response,
    problems_response,
    query_int,
    query_text,
    schema_problems,
)
from .idempotency import idempotent_response
from .refusals import refusal_response, refusals
from .views import ProblemOut, View

if TYPE_CHECKING:
    from chalicelib.claims.authorizations import Authorization, AuthorizationRules

authorizations = Blueprint(__name__)
_INVALID = "the authorization is not valid"


class UseOut(View):
    patientControlNumber: str  # noqa: N815
    units: Decimal


class AuthorizedPatientOut(View):
    memberId: str  # noqa: N815
    dateOfBirth: date | None  # noqa: N815


class AuthorizationOut(View):
    """PHI (the patient): these reads are audited like a claim's."""

    authorizationId: str  # noqa: N815
    kind: str
    payerId: str  # noqa: N815
    number: str
    patient: AuthorizedPatientOut
    procedureCodes: list[str]  # noqa: N815
    units: Decimal | None
    unitsUsed: Decimal  # noqa: N815
    unitsLeft: Decimal | None  # noqa: N815
    validFrom: date  # noqa: N815
    validTo: date  # noqa: N815
    renderingProviderNpi: str | None  # noqa: N815
    recordedAt: datetime  # noqa: N815
    uses: list[UseOut]

    @classmethod
    def of(cls, held: Authorization) -> AuthorizationOut:
        terms = held.terms
        return cls(
            authorizationId=held.authorization_id,
            kind=terms.kind,
            payerId=terms.payer_id,
            number=terms.number,
            patient=AuthorizedPatientOut(
                memberId=terms.member_id, dateOfBirth=terms.patient_birth_date
            ),
            procedureCodes=list(terms.procedure_codes),
            units=terms.units,
            unitsUsed=held.units_used,
            unitsLeft=held.units_left,
            validFrom=terms.valid_from,
            validTo=terms.valid_to,
            renderingProviderNpi=terms.rendering_provider_npi,
            recordedAt=held.recorded_at,
            uses=[UseOut(patientControlNumber=k, units=v) for k, v in sorted(held.uses.items())],
        )


class AuthorizationPageOut(View):
    authorizations: list[AuthorizationOut]
    cursor: str | None


class RuleOut(View):
    procedureCode: str  # noqa: N815
    effectiveFrom: date  # noqa: N815
    effectiveTo: date | None  # noqa: N815
    required: bool


class RulesVersionOut(View):
    version: str
    uploadedAt: datetime  # noqa: N815
    rules: list[RuleOut]

    @classmethod
    def of(cls, version: AuthorizationRules) -> RulesVersionOut:
        return cls(
            version=version.version,
            uploadedAt=version.uploaded_at,
            rules=[
                RuleOut(
                    procedureCode=r.procedure_code,
                    effectiveFrom=r.effective_from,
                    effectiveTo=r.effective_to,
                    required=r.required,
                )
                for r in version.rules
            ],
        )


class RulesOut(View):
    payerId: str  # noqa: N815
    versions: list[RulesVersionOut]


@authorizations.route("/v1/authorizations", methods=["POST"])
def post_authorization() -> Response:
    request = authorizations.current_request
    try:
        body = json_body(request, max_bytes=16 * 1024)
    except BodyError as error:
        return error.response()

    def record() -> Response:
        from chalicelib.claims.authorizations import AuthorizationTerms
        from chalicelib.services import authorizations as service

        from .authorization_request import AuthorizationIn

        try:
            given = AuthorizationIn.model_validate(body)
        except ValidationError as error:
            return problems_response(422, _INVALID, schema_problems(error))
        terms = AuthorizationTerms(
            kind=given.kind,
            payer_id=given.payerId,
            number=given.number,
            member_id=given.patient.memberId,
            patient_birth_date=given.patient.dateOfBirth,
            procedure_codes=tuple(dict.fromkeys(given.procedureCodes)),
            units=given.units,
            valid_from=given.validFrom,
            valid_to=given.validTo,
            rendering_provider_npi=given.renderingProviderNpi,
        )
        try:
            held = service.record(tenant_of(request), terms, now=utcnow())
        except refusals() as error:
            field = "payerId" if getattr(error, "code", "") == "invalid_payer" else "number"
            return refusal_response(error, field)
        return json_response(AuthorizationOut.of(held), 201)

    return idempotent_response(
        request, "authorizations", body, record, context=authorizations.lambda_context
    )


@authorizations.route("/v1/authorizations", methods=["GET"])
def list_authorizations() -> Response:
    from chalicelib.services import authorizations as service

    request = authorizations.current_request
    query: Mapping[str, str] = request.query_params or {}
    problems: list[ProblemOut] = []
    payer_id = query_text(query, "payerId", problems)
    limit = query_int(query, "limit", problems, default=50, lowest=1, highest=200)
    start = query_text(query, "cursor", problems, longest=MAX_CURSOR, code="invalid_cursor")
    if problems:
        return problems_response(400, "invalid query parameters", problems)
    try:
        found, cursor = service.listed(
            tenant_of(request), payer_id=payer_id, limit=limit, cursor=start
        )
    except InvalidCursorError as error:
        return error_response(400, "invalid_cursor", str(error), "cursor")
    page = AuthorizationPageOut(
        authorizations=[AuthorizationOut.of(a) for a in found], cursor=cursor
    )
    return json_response(page)


@authorizations.route("/v1/authorizations/{authorization_id}", methods=["GET"])
def get_authorization(authorization_id: str) -> Response:
    from chalicelib.services import authorizations as service

    try:
        held = service.get(tenant_of(authorizations.current_request), authorization_id)
    except refusals() as error:
        return refusal_response(error, "authorizationId")
    return json_response(AuthorizationOut.of(held))


@authorizations.route("/v1/payers/{payer_id}/authorization-rules", methods=["PUT"])
def put_rules(payer_id: str) -> Response:
    """A new version of the payer's rules (every row's problems at once); earlier versions
    are kept, and the newest row in force on a line's date of service decides."""
    from chalicelib.claims.authorizations import AuthorizationRule
    from chalicelib.services import authorizations as service

    from .authorization_request import RulesIn

    request = authorizations.current_request
    try:
        body = json_body(request, max_bytes=512 * 1024)
        given = RulesIn.model_validate(body)
    except BodyError as error:
        return error.response()
    except ValidationError as error:
        return problems_response(422, "the rules are not valid", schema_problems(error))
    problems = [
        ProblemOut(
            field=f"rules[{i}].effectiveTo",
            code="invalid_value",
            message="effectiveTo is before effectiveFrom",
        )
        for i, rule in enumerate(given.rules)
        if rule.effectiveTo is not None and rule.effectiveTo < rule.effectiveFrom
    ]
    if problems:
        return problems_response(422, "the rules are not valid", problems)
    rules = tuple(
        AuthorizationRule(r.procedureCode, r.effectiveFrom, r.effectiveTo, r.required)
        for r in given.rules
    )
    try:
        added = service.add_rules(tenant_of(request), payer_id, rules, now=utcnow())
    except refusals() as error:
        return refusal_response(error, "payerId")
    return json_response(RulesVersionOut.of(added), 201)


@authorizations.route("/v1/payers/{payer_id}/authorization-rules", methods=["GET"])
def get_rules(payer_id: str) -> Response:
    from chalicelib.services import authorizations as service

    versions = service.rules_of(tenant_of(authorizations.current_request), payer_id)
    return json_response(
        RulesOut(payerId=payer_id, versions=[RulesVersionOut.of(v) for v in versions])
    )

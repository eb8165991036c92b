"""Payers: the directory entry, the tenant's follow-up policy, its contracted fee schedules."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from chalice.app import Blueprint, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from chalicelib.clock import utcnow
from chalicelib.payers.fee_schedules import (
    FILE_ROW,
    FeeScheduleError,
    RowError,
    parse_fee_schedule_csv,
    parse_fee_schedule_json,
)
from chalicelib.payers.policies import PayerPolicy, PolicyError
from chalicelib.services.errors import ConcurrentUpdateError

from .auth import tenant_of
from .http import (
    BodyError,
    body_bytes,
    error_response,
    json_body,
    json_response,
    parse_json,
    problems_response,
    schema_problems,
)
from .views import ProblemOut, View

if TYPE_CHECKING:
    from chalicelib.services.payers import PayerView

payers = Blueprint(__name__)

MAX_SETTINGS_BYTES = 16 * 1024
# A fee schedule at its row limit (chalicelib.payers.fee_schedules.MAX_ROWS) is about 300 KB.
MAX_UPLOAD_BYTES = 1024 * 1024


class PolicyIn(BaseModel):
    """PUT /v1/payers/{payerId}: the tenant's follow-up policy for this payer."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    firstStatusCheckDays: int = Field(ge=1, le=180)  # noqa: N815 - wire name
    statusCheckIntervalDays: int = Field(ge=1, le=90)  # noqa: N815
    timelyFilingDays: int = Field(ge=1, le=1095)  # noqa: N815
    appealWindowDays: int = Field(ge=1, le=730)  # noqa: N815
    crossesOverToSecondary: bool  # noqa: N815
    maxStatusChecks: int | None = Field(default=None, ge=1, le=100)  # noqa: N815
    # Hold new claims until the payer answered about the patient's coverage within this many
    # days (the eligibility-recheck schedule asks); null: send at once.
    verifyEligibilityDays: int | None = Field(default=None, ge=1, le=365)  # noqa: N815
    # The payer takes paper claims only: the clearinghouse poll prints its claims on the
    # CMS-1500 into the print queue instead of sending them (GET /v1/print-queue).
    paperOnly: bool = False  # noqa: N815

    def to_policy(self) -> PayerPolicy:
        return PayerPolicy(
            first_status_check_days=self.firstStatusCheckDays,
            status_check_interval_days=self.statusCheckIntervalDays,
            timely_filing_days=self.timelyFilingDays,
            appeal_window_days=self.appealWindowDays,
            crosses_over_to_secondary=self.crossesOverToSecondary,
            max_status_checks=self.maxStatusChecks,
            verify_eligibility_days=self.verifyEligibilityDays,
            paper_only=self.paperOnly,
        )


class PayerUpdateIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    policy: PolicyIn


class FeeScheduleSummaryOut(BaseModel):
    version: int
    uploadedAt: datetime  # noqa: N815
    source: str
    rows: int
    effectiveFrom: date | None  # noqa: N815


class PayerOut(BaseModel):
    payerId: str  # noqa: N815
    name: str
    planType: str  # noqa: N815
    gateway: str
    policy: PolicyIn
    policySource: str  # noqa: N815
    feeSchedules: list[FeeScheduleSummaryOut]  # noqa: N815

    @classmethod
    def of(cls, view: PayerView) -> PayerOut:
        p = view.policy
        return cls(
            payerId=view.payer.payer_id,
            name=view.payer.name,
            planType=view.payer.plan_type,
            gateway=view.payer.gateway,
            policy=PolicyIn(
                firstStatusCheckDays=p.first_status_check_days,
                statusCheckIntervalDays=p.status_check_interval_days,
                timelyFilingDays=p.timely_filing_days,
                appealWindowDays=p.appeal_window_days,
                crossesOverToSecondary=p.crosses_over_to_secondary,
                maxStatusChecks=p.max_status_checks,
                verifyEligibilityDays=p.verify_eligibility_days,
                paperOnly=p.paper_only,
            ),
            policySource=view.policy_source,
            feeSchedules=[
                FeeScheduleSummaryOut(
                    version=s.version,
                    uploadedAt=s.uploaded_at,
                    source=s.source,
                    rows=len(s.rows),
                    effectiveFrom=min((r.effective_from for r in s.rows), default=None),
                )
                for s in view.fee_schedules
            ],
        )


class FeeScheduleOut(BaseModel):
    payerId: str  # noqa: N815
    version: int
    uploadedAt: datetime  # noqa: N815
    source: str
    rows: int
    amountTotal: Decimal  # noqa: N815 - a checksum a person can compare with the upload


class RowProblemOut(ProblemOut):
    """A problem with a fee schedule row. `row` is its position in the upload, counted from
    1 as an editor shows it (the CSV header is row 1; the first JSON object is row 1; null:
    the upload as a whole). `field` is a path into a JSON upload, whose list indexes count
    from 0 as in JSON (`rows[0].amount` is row 1's amount), or a CSV upload's column."""

    row: int | None


class FeeScheduleErrorOut(View):
    message: str
    errors: list[RowProblemOut]


def _row_problem(error: RowError, *, csv_upload: bool) -> RowProblemOut:
    row = None if error.row == FILE_ROW else error.row
    if csv_upload or row is None:
        field = error.field or (None if csv_upload else "rows")
    else:
        field = f"rows[{row - 1}]" + (f".{error.field}" if error.field else "")
    return RowProblemOut(field=field, code=error.code, message=error.message, row=row)


def _not_found() -> Response:
    return error_response(404, "not_found", "no such payer in the directory", "payerId")


def _concurrent(message: str) -> Response:
    return error_response(409, "concurrent_update", message)


@payers.route("/v1/payers/{payer_id}", methods=["GET"])
def get_payer(payer_id: str) -> Response:
    from chalicelib.services import payers as service

    try:
        view = service.payer_view(tenant_of(payers.current_request), payer_id)
    except service.PayerNotFoundError:
        return _not_found()
    return json_response(PayerOut.of(view))


@payers.route("/v1/payers/{payer_id}", methods=["PUT"])
def put_payer(payer_id: str) -> Response:
    from chalicelib.services import payers as service

    request = payers.current_request
    try:
        update = PayerUpdateIn.model_validate(json_body(request, max_bytes=MAX_SETTINGS_BYTES))
        policy = update.policy.to_policy()
    except BodyError as error:
        return error.response()
    except ValidationError as error:
        return problems_response(422, "the payer settings are not valid", schema_problems(error))
    except PolicyError as error:
        return error_response(422, "invalid_value", str(error), f"policy.{error.field}")
    try:
        view = service.set_policy(tenant_of(request), payer_id, policy, now=utcnow())
    except service.PayerNotFoundError:
        return _not_found()
    except ConcurrentUpdateError:
        return _concurrent("the policy kept changing while it was written: send the PUT again")
    return json_response(PayerOut.of(view))


@payers.route(
    "/v1/payers/{payer_id}/fee-schedules",
    methods=["PUT"],
    content_types=["application/json", "text/csv"],
)
def put_fee_schedule(payer_id: str) -> Response:
    """Rows as JSON (a list, or {"rows": [...]}) or CSV with a header row; every row error at
    once, with its row number and field. A new version each time: the rate in force on the
    date of service applies, earlier versions are kept."""
    from chalicelib.services import payers as service

    request = payers.current_request
    csv_upload = request.headers.get("content-type", "").startswith("text/csv")
    try:
        raw = body_bytes(request, max_bytes=MAX_UPLOAD_BYTES)
        if csv_upload:
            rows = parse_fee_schedule_csv(raw.decode("utf-8", errors="replace"))
        else:
            data = parse_json(raw)
            if isinstance(data, dict) and set(data) == {"rows"}:
                data = data["rows"]
            rows = parse_fee_schedule_json(data)
    except BodyError as error:
        return error.response()
    except FeeScheduleError as error:
        problems = [_row_problem(e, csv_upload=csv_upload) for e in error.errors]
        answer = FeeScheduleErrorOut(message="the fee schedule has errors", errors=problems)
        return json_response(answer, 422)
    if not rows:
        return error_response(422, "empty", "the fee schedule has no rows", "rows")
    try:
        schedule = service.add_fee_schedule(
            tenant_of(request),
            payer_id,
            rows,
            source="csv" if csv_upload else "json",
            now=utcnow(),
        )
    except service.PayerNotFoundError:
        return _not_found()
    except ConcurrentUpdateError:
        return _concurrent("no free version number could be taken: send the upload again")
    return json_response(
        FeeScheduleOut(
            payerId=payer_id,
            version=schedule.version,
            uploadedAt=schedule.uploaded_at,
            source=schedule.source,
            rows=len(schedule.rows),
            amountTotal=sum((r.amount for r in schedule.rows), Decimal(0)),
        ),
        201,
    )

"""Operators' routes: the schedules, starting a run by hand, and the record of every run.
They need a key with the `operator` role: runs span tenants (they name claims by id only)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from chalice.app import Blueprint, Response
from pydantic import BaseModel, ConfigDict

from chalicelib.schedules.registry import SCHEDULES
from chalicelib.schedules.runs import Run
from chalicelib.services.errors import InvalidCursorError

from .http import MAX_CURSOR, error_response, json_response, problems_response, query_text
from .views import ProblemOut

operations = Blueprint(__name__)


class ScheduleOut(BaseModel):
    model_config = ConfigDict(frozen=True)
    name: str
    rate: str
    description: str


class ScheduleListOut(BaseModel):
    schedules: list[ScheduleOut]


class RunErrorOut(BaseModel):
    message: str
    claimId: str | None  # noqa: N815 - wire name
    tenantId: str | None  # noqa: N815
    code: str | None


class RunOut(BaseModel):
    runId: str  # noqa: N815
    schedule: str
    trigger: str
    startedAt: datetime  # noqa: N815
    endedAt: datetime | None  # noqa: N815
    examined: int
    acted: int
    failed: int
    errors: list[RunErrorOut]
    counts: dict[str, int]

    @classmethod
    def of(cls, run: Run) -> RunOut:
        return cls(
            runId=run.run_id,
            schedule=run.schedule,
            trigger=run.trigger,
            startedAt=run.started_at,
            endedAt=run.ended_at,
            examined=run.examined,
            acted=run.acted,
            failed=run.failed,
            errors=[
                RunErrorOut(
                    message=e.message, claimId=e.claim_id, tenantId=e.tenant_id, code=e.code
                )
                for e in run.errors
            ],
            counts=dict(run.detail),
        )


class RunPageOut(BaseModel):
    runs: list[RunOut]
    cursor: str | None


@operations.route("/v1/schedules", methods=["GET"])
def list_schedules() -> Response:
    return json_response(
        ScheduleListOut(
            schedules=[
                ScheduleOut(name=s.name, rate=s.rate, description=s.description)
                for s in SCHEDULES.values()
            ]
        )
    )


@operations.route("/v1/schedules/{name}/runs", methods=["POST"])
def start_run(name: str) -> Response:
    if name not in SCHEDULES:
        return error_response(404, "not_found", "no such schedule", "name")
    from chalicelib.services.runs import execute

    query: Mapping[str, str] = operations.current_request.query_params or {}
    trigger = "local-timer" if query.get("trigger") == "local-timer" else "manual"
    run = execute(name, trigger=trigger)
    return json_response(RunOut.of(run), 201, {"Location": f"/v1/runs/{run.run_id}"})


@operations.route("/v1/runs", methods=["GET"])
def list_runs() -> Response:
    query: Mapping[str, str] = operations.current_request.query_params or {}
    schedule = query.get("schedule") or None
    if schedule is not None and schedule not in SCHEDULES:
        return error_response(400, "invalid_code", "no such schedule", "schedule")
    problems: list[ProblemOut] = []
    start = query_text(query, "cursor", problems, longest=MAX_CURSOR, code="invalid_cursor")
    if problems:
        return problems_response(400, "invalid query parameters", problems)
    from chalicelib.services.runs import list_runs as load_runs

    try:
        runs, cursor = load_runs(schedule, limit=50, cursor=start)
    except InvalidCursorError as error:
        return error_response(400, "invalid_cursor", str(error), "cursor")
    return json_response(RunPageOut(runs=[RunOut.of(r) for r in runs], cursor=cursor))


@operations.route("/v1/runs/{run_id}", methods=["GET"])
def get_run(run_id: str) -> Response:
    from chalicelib.services.runs import load_run

    run = load_run(run_id)
    if run is None:
        return error_response(404, "not_found", "no such run", "runId")
    return json_response(RunOut.of(run))

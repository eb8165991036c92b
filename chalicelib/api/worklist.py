"""GET /v1/worklist: what needs a person, oldest first."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from chalice.app import Blueprint, Response
from pydantic import BaseModel

from chalicelib.claims.work_items import WORKLIST_KINDS, WorklistItem
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
    query_instant,
    query_int,
    query_text,
)
from .idempotency import idempotent_response
from .refusals import refusal_response, refusals
from .views import Cents, ProblemOut

worklist = Blueprint(__name__)


class WorkNoteOut(BaseModel):
    at: datetime
    text: str
    by: str | None


class WorklistItemOut(BaseModel):
    id: str  # what POST /v1/worklist/{id}/actions takes
    kind: str
    description: str
    claimId: str | None  # noqa: N815 - wire name; None for an unmatched remittance
    payerId: str | None  # noqa: N815
    patientControlNumber: str | None  # noqa: N815
    traceNumber: str | None  # noqa: N815 - the 835's TRN02, for a payment that matched nothing
    file: str | None  # the archived file it came from
    deadline: date | None  # the filing limit or the last day to appeal
    since: datetime
    codes: list[str]
    suggestedAction: str  # noqa: N815
    detail: str
    amount: Cents | None
    assignee: str | None
    snoozedUntil: datetime | None  # noqa: N815
    notes: list[WorkNoteOut]

    @classmethod
    def of(cls, item: WorklistItem) -> WorklistItemOut:
        return cls(
            id=item.item_id,
            patientControlNumber=item.patient_control_number,
            traceNumber=item.trace_number,
            file=item.file,
            deadline=item.deadline,
            assignee=item.assignee,
            snoozedUntil=item.snoozed_until,
            notes=[WorkNoteOut(at=n.at, text=n.text, by=n.by) for n in item.notes],
            kind=item.kind,
            description=WORKLIST_KINDS.get(item.kind, item.kind),
            claimId=item.claim_id,
            payerId=item.payer_id,
            since=item.since,
            codes=list(item.codes),
            suggestedAction=item.suggested_action,
            detail=item.detail,
            amount=item.amount,
        )


class WorklistPageOut(BaseModel):
    items: list[WorklistItemOut]
    cursor: str | None


@worklist.route("/v1/worklist", methods=["GET"])
def get_worklist() -> Response:
    from chalicelib.services.worklist import list_worklist, matches

    request = worklist.current_request
    query: Mapping[str, str] = request.query_params or {}
    kind = query.get("kind") or None
    problems: list[ProblemOut] = []
    if kind is not None and kind not in WORKLIST_KINDS:
        problems.append(ProblemOut(field="kind", code="invalid_code", message="unknown kind"))
    older_than = query_instant(query, "olderThan", problems)
    payer_id = query_text(query, "payerId", problems)
    assignee = query_text(query, "assignee", problems)
    limit = query_int(query, "limit", problems, default=50, lowest=1, highest=200)
    snoozed = query.get("includeSnoozed", "false")
    if snoozed not in ("true", "false"):
        problems.append(
            ProblemOut(field="includeSnoozed", code="invalid_value", message="true or false")
        )
    start = query_text(query, "cursor", problems, longest=MAX_CURSOR, code="invalid_cursor")
    if problems:
        return problems_response(400, "invalid query parameters", problems)
    try:
        entries, cursor = list_worklist(
            tenant_of(request),
            kind=kind,
            payer_id=payer_id,
            older_than=older_than,
            limit=limit,
            cursor=start,
        )
    except InvalidCursorError as error:
        return error_response(400, "invalid_cursor", str(error), "cursor")
    from chalicelib.claims.worklist import deadline_first

    now = utcnow()
    awake_at = None if snoozed == "true" else now
    kept = [
        e
        for e in entries
        if matches(e, kind=kind, older_than=older_than, assignee=assignee, awake_at=awake_at)
    ]
    items = [WorklistItemOut.of(e) for e in deadline_first(kept, now.date())]
    return json_response(WorklistPageOut(items=items, cursor=cursor))


_ACTION_FIELDS = frozenset({"action", "assignee", "note", "until", "outcome"})


@worklist.route("/v1/worklist/{item_id}/actions", methods=["POST"])
def post_action(item_id: str) -> Response:
    """Assign, note, snooze or resolve one entry: `{"action": "assign", "assignee": "kim"}`,
    `{"action": "note", "note": "called the payer"}`, `{"action": "snooze", "until":
    "2027-01-05T00:00:00Z"}`, `{"action": "resolve", "outcome": "appealed"}`."""
    from chalicelib.services import worklist_actions as service

    request = worklist.current_request
    try:
        body = json_body(request, max_bytes=4096)
    except BodyError as error:
        return error.response()
    problems: list[ProblemOut] = []
    if not isinstance(body, dict):
        return error_response(422, "invalid_body", "a JSON object is expected")
    for name in sorted(set(body) - _ACTION_FIELDS):
        problems.append(ProblemOut(field=name, code="unknown_field", message="not a field here"))
    action = body.get("action")
    if action not in service.ACTIONS:
        problems.append(
            ProblemOut(
                field="action", code="invalid_code", message=f"one of {', '.join(service.ACTIONS)}"
            )
        )
    texts = {name: body.get(name) for name in ("assignee", "note", "outcome")}
    for name, value in texts.items():
        if value is not None and (not isinstance(value, str) or not 0 < len(value) <= 500):
            problems.append(ProblemOut(field=name, code="invalid_value", message="1-500 chars"))
    until = (
        query_instant({"until": str(body["until"])}, "until", problems) if "until" in body else None
    )
    needs = {"assign": "assignee", "note": "note", "snooze": "until"}
    if action in needs and body.get(needs[str(action)]) is None:
        problems.append(
            ProblemOut(field=needs[str(action)], code="required", message=f"{action} needs it")
        )
    if problems:
        return problems_response(422, "the action is not valid", problems)

    def apply() -> Response:
        try:
            service.act(
                tenant_of(request),
                item_id,
                service.WorkAction(
                    action=str(action),
                    assignee=texts["assignee"],
                    note=texts["note"],
                    until=until,
                    outcome=texts["outcome"],
                ),
                now=utcnow(),
            )
        except refusals() as refused:
            return refusal_response(refused, "itemId")
        return Response(body="", status_code=204)

    return idempotent_response(
        request, f"worklist:{item_id}", body, apply, context=worklist.lambda_context
    )

"""GET /v1/worklist: what needs a person, oldest first."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from chalice.app import Blueprint, Response
from pydantic import BaseModel

from chalicelib.claims.work_items import WORKLIST_KINDS, WorklistItem
from chalicelib.services.errors import InvalidCursorError

from .auth import tenant_of
from .http import (
    MAX_CURSOR,
    error_response,
    json_response,
    problems_response,
    query_instant,
    query_text,
)
from .views import Cents, ProblemOut

worklist = Blueprint(__name__)


class WorklistItemOut(BaseModel):
    kind: str
    description: str
    claimId: str | None  # noqa: N815 - wire name; None for an unmatched remittance
    payerId: str | None  # noqa: N815
    since: datetime
    codes: list[str]
    suggestedAction: str  # noqa: N815
    detail: str
    amount: Cents | None

    @classmethod
    def of(cls, item: WorklistItem) -> WorklistItemOut:
        return cls(
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
    start = query_text(query, "cursor", problems, longest=MAX_CURSOR, code="invalid_cursor")
    if problems:
        return problems_response(400, "invalid query parameters", problems)
    try:
        entries, cursor = list_worklist(
            tenant_of(request),
            kind=kind,
            payer_id=payer_id,
            older_than=older_than,
            limit=50,
            cursor=start,
        )
    except InvalidCursorError as error:
        return error_response(400, "invalid_cursor", str(error), "cursor")
    items = [WorklistItemOut.of(e) for e in entries if matches(e, kind=kind, older_than=older_than)]
    return json_response(WorklistPageOut(items=items, cursor=cursor))

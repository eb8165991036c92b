"""`GET /v1/audit` (admins): who read which patient's data, when. Records of one tenant and a
day range (`from`, `to`: dates, at most 31 days), narrowed by `principal` (a key id) or
`resource` (a path: `/v1/claims/clm_1` finds the claim and what lies under it);
`format=csv` for a compliance review."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import date, datetime

from chalice.app import Blueprint, Response

from chalicelib.clock import utcnow

from .http import json_response, problems_response, query_text
from .refusals import refusal_response, refusals
from .views import ProblemOut, View

audit = Blueprint(__name__)

COLUMNS = (
    "at",
    "tenantId",
    "principal",
    "principalName",
    "method",
    "route",
    "resource",
    "status",
    "correlationId",
)


class AccessOut(View):
    at: datetime
    tenantId: str  # noqa: N815 - wire name
    principal: str
    principalName: str | None  # noqa: N815
    method: str
    route: str
    resource: str
    status: int
    correlationId: str  # noqa: N815


class AuditOut(View):
    records: list[AccessOut]
    truncated: bool  # more matched than one answer holds: ask for fewer days


def _day(raw: str | None, name: str, default: date, problems: list[ProblemOut]) -> date:
    if raw is None:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        problems.append(
            ProblemOut(
                field=name, code="invalid_date", message=f"{name} must be a date, CCYY-MM-DD"
            )
        )
        return default


@audit.route("/v1/audit", methods=["GET"])
def list_access() -> Response:
    from chalicelib.services import audit as service

    query: Mapping[str, str] = audit.current_request.query_params or {}
    problems: list[ProblemOut] = []
    tenant_id = query_text(query, "tenantId", problems)
    if tenant_id is None and not problems:
        problems.append(
            ProblemOut(field="tenantId", code="required", message="tenantId is required")
        )
    today = utcnow().date()
    first = _day(query_text(query, "from", problems), "from", today, problems)
    last = _day(query_text(query, "to", problems), "to", today, problems)
    principal = query_text(query, "principal", problems)
    resource = query_text(query, "resource", problems, longest=512)
    fmt = query.get("format", "json")
    if fmt not in ("json", "csv"):
        problems.append(ProblemOut(field="format", code="invalid_value", message="json or csv"))
    if problems or tenant_id is None:
        return problems_response(422, "the query is not valid", problems)
    try:
        page = service.access_records(
            tenant_id, first=first, last=last, principal=principal, resource=resource
        )
    except refusals() as error:
        return refusal_response(error, "to")
    rows = [
        AccessOut(
            at=r.at,
            tenantId=r.tenant_id,
            principal=r.principal,
            principalName=r.principal_name,
            method=r.method,
            route=r.route,
            resource=r.resource,
            status=r.status,
            correlationId=r.correlation_id,
        )
        for r in page.records
    ]
    if fmt == "json":
        return json_response(AuditOut(records=rows, truncated=page.truncated))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows:
        data = row.model_dump(mode="json")
        writer.writerow([data[c] if data[c] is not None else "" for c in COLUMNS])
    headers: dict[str, str | list[str]] = {
        "Content-Type": "text/csv",
        "x-truncated": str(page.truncated).lower(),
    }
    return Response(body=out.getvalue(), status_code=200, headers=headers)

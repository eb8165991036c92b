"""`GET /v1/reports/{name}?from=&to=&format=json|csv`: AR aging (`by=payer|patient`), cash,
collections, denials, underpayments recovered, first-pass acceptance and days in AR. The CSV
holds the same figures as the JSON's rows."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from chalice.app import Blueprint, Response

from chalicelib.clock import utcnow

from .auth import tenant_of
from .http import JSON, problems_response
from .views import ProblemOut

reports = Blueprint(__name__)

DEFAULT_DAYS = 90  # without `from`: the 90 days to `to` (days in AR's usual period)
LONGEST = 3 * 366  # a period longer than three years is a typo
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def _date(query: Mapping[str, str], name: str, problems: list[ProblemOut]) -> date | None:
    text = query.get(name)
    if text is None:
        return None
    try:
        if not _ISO_DATE.fullmatch(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        problems.append(ProblemOut(field=name, code="invalid_date", message="YYYY-MM-DD"))
        return None


@reports.route("/v1/reports/{name}", methods=["GET"])
def get_report(name: str) -> Response:
    from chalicelib.services import reports as service

    request = reports.current_request
    query: Mapping[str, str] = request.query_params or {}
    problems: list[ProblemOut] = []
    if name not in service.REPORTS:
        problems.append(
            ProblemOut(
                field="name", code="unknown_report", message=f"one of {', '.join(service.REPORTS)}"
            )
        )
    end = _date(query, "to", problems) or utcnow().date()
    start = _date(query, "from", problems) or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end or (end - start).days > LONGEST:
        problems.append(
            ProblemOut(field="from", code="invalid_period", message="from <= to, at most 3 years")
        )
    fmt = query.get("format", "json")
    if fmt not in ("json", "csv"):
        problems.append(ProblemOut(field="format", code="invalid_value", message="json or csv"))
    by = query.get("by", "payer")
    if by not in ("payer", "patient"):
        problems.append(ProblemOut(field="by", code="invalid_value", message="payer or patient"))
    if problems:
        status = 404 if problems[0].code == "unknown_report" else 400
        return problems_response(status, "the report cannot be made", problems)
    report = service.build(tenant_of(request), name, service.Period(start, end, by))
    if fmt == "json":
        return Response(body=json.dumps(report.body), status_code=200, headers=dict(JSON))
    return Response(
        body=_csv(report.rows, report.columns),
        status_code=200,
        headers={
            "Content-Type": "text/csv",
            "Content-Disposition": f'attachment; filename="{name}-{start}-{end}.csv"',
        },
    )


def _csv(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """The rows under their header; a text cell a spreadsheet would run as a formula (=, +,
    -, @ and not a number) gets a leading apostrophe."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in columns])
    return out.getvalue()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if text[:1] in ("=", "+", "-", "@") and not _NUMBER.fullmatch(text):
        return "'" + text
    return text

"""The collection agency's export: GET /v1/collections/export (CSV by default, or
?format=json), every account the dunning sent to collections, with the payments the
practice recorded since placement."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from chalice.app import Blueprint, Response

from .auth import tenant_of
from .http import error_response, json_response
from .views import Cents, View

collections = Blueprint(__name__)


class CollectionOut(View):
    patientId: str  # noqa: N815
    patient: dict[str, Any]  # names and statement address as billed
    placedOn: date  # noqa: N815
    placedAmount: Cents  # noqa: N815
    paidSincePlacement: Cents  # noqa: N815
    balance: Cents
    oldestOwedSince: date | None  # noqa: N815
    lastStatementOn: date | None  # noqa: N815


class CollectionListOut(View):
    accounts: list[CollectionOut]
    placed: Cents
    paidSincePlacement: Cents  # noqa: N815


@collections.route("/v1/collections/export", methods=["GET"])
def export() -> Response:
    from chalicelib.patients.collections import render_csv
    from chalicelib.services.collections import collection_rows

    request = collections.current_request
    query: Mapping[str, str] = request.query_params or {}
    wanted = query.get("format", "csv")
    if wanted not in ("csv", "json"):
        return error_response(422, "invalid_value", "format is csv or json", "format")
    rows = collection_rows(tenant_of(request))
    if wanted == "csv":
        return Response(
            body=render_csv(rows),
            status_code=200,
            headers={
                "Content-Type": "text/csv; charset=utf-8",
                "Content-Disposition": 'attachment; filename="collections.csv"',
            },
        )
    accounts = [
        CollectionOut(
            patientId=r.patient_id,
            patient=dict(r.identity),
            placedOn=r.placed_on,
            placedAmount=r.placed_amount,
            paidSincePlacement=r.paid_since,
            balance=r.balance,
            oldestOwedSince=r.owed_since,
            lastStatementOn=r.last_statement_on,
        )
        for r in rows
    ]
    return json_response(
        CollectionListOut(
            accounts=accounts,
            placed=sum((r.placed_amount for r in rows), Decimal("0.00")),
            paidSincePlacement=sum((r.paid_since for r in rows), Decimal("0.00")),
        )
    )

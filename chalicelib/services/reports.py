"""The reports: each reads the claims' facts it covers from the by-facts index (or the
deposits the 835s made), builds the figures with chalicelib.claims.reports, and gives them as
JSON and as the rows of its CSV (the same figures)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from chalicelib.claims import reports as figures
from chalicelib.store import inbound
from chalicelib.store.patients import patient_cash
from chalicelib.store.reports import FactsRead, open_facts, patient_balances, period_facts

REPORTS = (
    "ar-aging",
    "cash",
    "collections",
    "denials",
    "underpayments",
    "first-pass",
    "days-in-ar",
    "claims-by-status",
    "patient-aging",
)


@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date
    by: str = "payer"  # ar-aging: payer or patient

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


# The CSV columns of the reports whose rows may be none (a header even then).
COLUMNS: Mapping[str, tuple[str, ...]] = {
    "cash": (
        "paymentDate",
        "payerId",
        "traceNumber",
        "method",
        "amount",
        "claimsPaid",
        "providerAdjustments",
        "reconciled",
    ),
    "denials": ("dimension", "key", "count", "amount"),
    "underpayments": ("claimId", "payerId", "recovered"),
    "claims-by-status": ("status", "claims", "charges"),
}


@dataclass(frozen=True, slots=True)
class Report:
    name: str
    body: Mapping[str, Any]
    rows: Sequence[Mapping[str, Any]]  # the CSV's rows
    items_read: int

    @property
    def columns(self) -> tuple[str, ...]:
        """The CSV's header: the first row's keys (every key any row has, in order)."""
        found: dict[str, None] = dict.fromkeys(COLUMNS.get(self.name, ()))
        for row in self.rows:
            found.update(dict.fromkeys(row))
        return tuple(found)


def build(tenant_id: str, name: str, period: Period) -> Report:
    """`name` is one of REPORTS (the API checks it first)."""
    read = FactsRead()
    body, rows = _BUILDERS[name](tenant_id, period, read)
    return Report(name, {**body, "itemsRead": read.items}, rows, read.items)


def _aging(tenant_id: str, period: Period, read: FactsRead) -> tuple[dict[str, Any], list[Any]]:
    body = figures.aging(open_facts(tenant_id, read), today=period.end, by=period.by)
    rows = [*body["rows"], {"key": "TOTAL", "claims": "", **body["totals"], "total": body["total"]}]
    return body, rows


def _patient_aging(
    tenant_id: str, period: Period, read: FactsRead
) -> tuple[dict[str, Any], list[Any]]:
    body = figures.patient_aging(patient_balances(tenant_id, read), today=period.end)
    rows = [*body["rows"], {"key": "TOTAL", **body["totals"], "total": body["total"]}]
    return body, rows


def _cash(tenant_id: str, period: Period, read: FactsRead) -> tuple[dict[str, Any], list[Any]]:
    """Each deposit (an 835's payment: check or EFT trace) with what its claims paid and
    the provider adjustments, reconciled: BPR02 = sum of CLP04 - PLB."""
    deposits = inbound.deposits(tenant_id, period.start, period.end)
    read.items += len(deposits)
    rows: list[dict[str, Any]] = []
    for deposit in deposits:
        total = Decimal(str(deposit.get("totalPaid", "0")))
        claims = Decimal(str(deposit.get("claimsPaid", total)))
        provider = Decimal(str(deposit.get("providerAdjustments", "0")))
        rows.append(
            {
                "paymentDate": deposit.get("paymentDate"),
                "payerId": deposit.get("payer"),
                "traceNumber": deposit.get("traceNumber"),
                "method": deposit.get("method"),
                "amount": str(total),
                "claimsPaid": str(claims),
                "providerAdjustments": str(provider),
                "reconciled": claims - provider == total,
            }
        )
    insurance = sum((Decimal(r["amount"]) for r in rows), Decimal("0.00"))
    patients: list[dict[str, Any]] = []
    for patient_id, entry in patient_cash(tenant_id, period.start, period.end):
        read.items += 1
        signed = -entry.signed  # a payment lowers the balance: cash in; a refund, cash out
        patients.append(
            {
                "paymentDate": entry.at.date().isoformat(),
                "payerId": f"patient:{patient_id}",
                "traceNumber": entry.reference,
                "method": entry.method,
                "amount": str(signed),
                "claimsPaid": None,
                "providerAdjustments": None,
                "reconciled": True,
                "kind": entry.kind.value,
            }
        )
    from_patients = sum((Decimal(p["amount"]) for p in patients), Decimal("0.00"))
    body = {
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "deposits": rows,
        "patientPayments": patients,
        "insurancePayments": str(insurance),
        "patientPaymentsTotal": str(from_patients),
        "total": str(insurance + from_patients),
    }
    return body, [*rows, *patients]


def _period(
    summary: Callable[[Sequence[figures.ClaimFacts]], dict[str, Any]],
) -> Callable[[str, Period, FactsRead], tuple[dict[str, Any], list[Any]]]:
    """A report over the claims with a date of service in the period; its CSV one row."""

    def build(tenant_id: str, period: Period, read: FactsRead) -> tuple[dict[str, Any], list[Any]]:
        facts = list(period_facts(tenant_id, period.start, period.end, read))
        body = {"from": period.start.isoformat(), "to": period.end.isoformat(), **summary(facts)}
        flat = {k: v for k, v in body.items() if not isinstance(v, list)}
        return body, [flat]

    return build


def _denials(tenant_id: str, period: Period, read: FactsRead) -> tuple[dict[str, Any], list[Any]]:
    body, _ = _period(figures.denials)(tenant_id, period, read)
    rows = [
        {"dimension": dimension, **row}
        for dimension in ("byReason", "byPayer", "byProcedure")
        for row in body[dimension]
    ]
    return body, rows


def _underpayments(
    tenant_id: str, period: Period, read: FactsRead
) -> tuple[dict[str, Any], list[Any]]:
    body, _ = _period(figures.underpayments)(tenant_id, period, read)
    return body, list(body["claims"])


def _by_status(tenant_id: str, period: Period, read: FactsRead) -> tuple[dict[str, Any], list[Any]]:
    body, _ = _period(figures.claims_by_status)(tenant_id, period, read)
    return body, list(body["statuses"])


def _days_in_ar(
    tenant_id: str, period: Period, read: FactsRead
) -> tuple[dict[str, Any], list[Any]]:
    body = figures.days_in_ar(
        open_facts(tenant_id, read),
        list(period_facts(tenant_id, period.start, period.end, read)),
        period.days,
    )
    body = {"from": period.start.isoformat(), "to": period.end.isoformat(), **body}
    return body, [body]


_BUILDERS: dict[str, Callable[[str, Period, FactsRead], tuple[dict[str, Any], list[Any]]]] = {
    "ar-aging": _aging,
    "cash": _cash,
    "collections": _period(figures.collections),
    "denials": _denials,
    "underpayments": _underpayments,
    "first-pass": _period(figures.first_pass),
    "days-in-ar": _days_in_ar,
    "claims-by-status": _by_status,
    "patient-aging": _patient_aging,
}


def refresh_facts(tenant_id: str) -> int:
    """Save every claim of the tenant again (a page at a time, from the by-tenant index), so
    its report facts are derived: for claims saved before the reports existed. A claim that
    changed meanwhile was saved with its facts already. How many were saved."""
    from chalicelib.store.errors import ConcurrentUpdateError
    from chalicelib.wiring import claim_repository

    repository, cursor, saved = claim_repository(), None, 0
    while True:
        page = repository.list_claims(tenant_id, limit=100, cursor=cursor)
        for record in page.claims:
            try:
                repository.save_claim_change(record, ())
                saved += 1
            except ConcurrentUpdateError:
                continue
        cursor = page.cursor
        if cursor is None:
            return saved

"""Patient account routes: the account (balance, aging, who was billed), its ledger, and
patient payments and refunds (idempotent: Idempotency-Key, and a payment id written once)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint, Response

from chalicelib.clock import utcnow

from .auth import tenant_of
from .http import (
    BodyError,
    amount_text,
    error_response,
    json_body,
    json_response,
    problems_response,
)
from .idempotency import idempotent_response
from .refusals import refusal_response, refusals
from .views import Cents, ProblemOut, View

if TYPE_CHECKING:
    from chalicelib.patients.ledger import LedgerEntry
    from chalicelib.services.patients import PatientView

patients = Blueprint(__name__)

METHODS = ("cash", "check", "card", "ach", "other")
KINDS = ("payment", "refund")
_PAYMENT_FIELDS = frozenset(
    {"amount", "kind", "method", "receivedOn", "reference", "note", "paymentId"}
)
MAX_PATIENT_ID = 64
MAX_PAYMENT = 1_000_000


class PayerShareOut(View):
    payerId: str  # noqa: N815
    paid: Cents
    adjusted: dict[str, Cents]


class ReasonOut(View):
    code: str  # PR-1 deductible, PR-2 coinsurance, PR-3 copay ...; or a RARC
    amount: Cents | None
    text: str | None
    procedureCode: str | None  # noqa: N815


class EntryOut(View):
    entryId: str  # noqa: N815
    kind: str  # charge | charge_reversal | payment | refund | write_off
    amount: Cents
    effect: Cents  # on the balance: + owed more, - owed less
    at: datetime
    owedSince: date  # noqa: N815 - a debit's aging date, a credit's day received
    claimId: str | None  # noqa: N815
    serviceDate: date | None  # noqa: N815
    charge: Cents | None
    payers: list[PayerShareOut]
    reasons: list[ReasonOut]
    method: str | None
    reference: str | None
    note: str | None
    reverses: str | None

    @classmethod
    def of(cls, entry: LedgerEntry) -> EntryOut:
        return cls(
            entryId=entry.entry_id,
            kind=entry.kind.value,
            amount=entry.amount,
            effect=entry.signed,
            at=entry.at,
            owedSince=entry.owed_since,
            claimId=entry.claim_id,
            serviceDate=entry.service_date,
            charge=entry.charge,
            payers=[
                PayerShareOut(payerId=p.payer_id, paid=p.paid, adjusted=dict(p.adjusted))
                for p in entry.payers
            ],
            reasons=[
                ReasonOut(code=r.code, amount=r.amount, text=r.text, procedureCode=r.procedure_code)
                for r in entry.reasons
            ],
            method=entry.method,
            reference=entry.reference,
            note=entry.note,
            reverses=entry.reverses,
        )


class PatientOut(View):
    patientId: str  # noqa: N815
    patient: dict[str, Any]  # the identity as billed: names, billedAs, statement address
    balance: Cents  # what the patient owes (negative: a credit)
    aging: dict[str, Cents]  # 0-30, 31-60, 61-90, 91-120, 120+ days since patient-owed
    owedSince: date | None  # noqa: N815
    doNotSend: bool  # noqa: N815
    updatedAt: datetime | None  # noqa: N815

    @classmethod
    def of(cls, view: PatientView) -> PatientOut:
        account = view.account
        return cls(
            patientId=account.patient_id,
            patient=dict(account.identity),
            balance=view.balance,
            aging=dict(view.aging),
            owedSince=view.owed_since,
            doNotSend=account.do_not_send,
            updatedAt=account.updated_at,
        )


class LedgerOut(View):
    patientId: str  # noqa: N815
    balance: Cents
    entries: list[EntryOut]


class PaymentPostedOut(View):
    entry: EntryOut
    patient: PatientOut


def _too_long(patient_id: str) -> Response | None:
    if len(patient_id) > MAX_PATIENT_ID:
        return error_response(404, "not_found", "no such patient account", "patientId")
    return None


def _patient(patient_id: str) -> PatientView | Response:
    """The account as of today, or the answer refusing it."""
    from chalicelib.services.patients import patient_view

    if (refused := _too_long(patient_id)) is not None:
        return refused
    try:
        return patient_view(tenant_of(patients.current_request), patient_id, today=utcnow().date())
    except refusals() as error:
        return refusal_response(error, "patientId")


@patients.route("/v1/patients/{patient_id}", methods=["GET"])
def get_patient(patient_id: str) -> Response:
    view = _patient(patient_id)
    return view if isinstance(view, Response) else json_response(PatientOut.of(view))


@patients.route("/v1/patients/{patient_id}/ledger", methods=["GET"])
def get_ledger(patient_id: str) -> Response:
    view = _patient(patient_id)
    if isinstance(view, Response):
        return view
    entries = [EntryOut.of(e) for e in view.entries]
    return json_response(LedgerOut(patientId=patient_id, balance=view.balance, entries=entries))


def _payment_problems(body: dict[str, Any], today: date) -> tuple[dict[str, Any], list[ProblemOut]]:
    problems = [
        ProblemOut(field=name, code="unknown_field", message="not a field of a patient payment")
        for name in sorted(set(body) - _PAYMENT_FIELDS)
    ]
    amount = amount_text(body.get("amount"))
    if amount is None or not 0 < amount <= MAX_PAYMENT:
        problems.append(
            ProblemOut(
                field="amount",
                code="invalid_amount",
                message=f'an amount as text above 0 and at most {MAX_PAYMENT}, e.g. "25.00"',
            )
        )
    kind = body.get("kind", "payment")
    if kind not in KINDS:
        problems.append(ProblemOut(field="kind", code="invalid_code", message="payment or refund"))
    method = body.get("method")
    if method not in METHODS:
        problems.append(
            ProblemOut(field="method", code="invalid_code", message=f"one of {', '.join(METHODS)}")
        )
    received = today
    if body.get("receivedOn") is not None:
        try:
            received = date.fromisoformat(str(body["receivedOn"]))
            if received > today:
                raise ValueError("future")
        except ValueError:
            problems.append(
                ProblemOut(
                    field="receivedOn", code="invalid_date", message="YYYY-MM-DD, not in the future"
                )
            )
    texts: dict[str, str | None] = {}
    for name, longest in (("reference", 64), ("note", 500), ("paymentId", 64)):
        value = body.get(name)
        if value is not None and (not isinstance(value, str) or not 1 <= len(value) <= longest):
            problems.append(
                ProblemOut(field=name, code="invalid_value", message=f"text of 1-{longest} chars")
            )
            value = None
        texts[name] = value
    parsed = {
        "amount": amount,
        "kind": kind,
        "method": method,
        "received_on": received,
        "reference": texts["reference"],
        "note": texts["note"],
        "payment_id": texts["paymentId"],
    }
    return parsed, problems


@patients.route("/v1/patients/{patient_id}/payments", methods=["POST"])
def post_payment(patient_id: str) -> Response:
    """A payment from the patient, or a refund of a credit: `{"amount": "25.00", "method":
    "card", "reference": "receipt 1182"}`. The same Idempotency-Key, or the same `paymentId`,
    counts once."""
    from chalicelib.patients.ledger import EntryKind
    from chalicelib.services import patients as service

    request = patients.current_request
    if (refused := _too_long(patient_id)) is not None:
        return refused
    try:
        body = json_body(request, max_bytes=4096)
    except BodyError as error:
        return error.response()
    if not isinstance(body, dict):
        return error_response(422, "invalid_body", "a JSON object is expected")
    now = utcnow()
    parsed, problems = _payment_problems(body, now.date())
    if problems:
        return problems_response(422, "the payment is not valid", problems)
    tenant_id = tenant_of(request)
    key = request.headers.get("idempotency-key")
    payment_id = parsed.pop("payment_id") or (
        service.payment_id_for_key(tenant_id, patient_id, key) if key else service.new_payment_id()
    )

    def post() -> Response:
        try:
            posted = service.post_patient_payment(
                tenant_id,
                patient_id,
                payment_id=payment_id,
                kind=EntryKind(parsed.pop("kind")),
                now=now,
                **parsed,
            )
        except refusals() as error:
            return refusal_response(error)
        out = PaymentPostedOut(entry=EntryOut.of(posted.entry), patient=PatientOut.of(posted.view))
        return json_response(out, 201 if posted.created else 200)

    return idempotent_response(
        request, f"patient-payment:{patient_id}", body, post, context=patients.lambda_context
    )

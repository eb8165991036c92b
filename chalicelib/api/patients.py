"""Patient account routes: the account (balance, aging, who was billed), its ledger, and
patient payments and refunds (idempotent: Idempotency-Key, and a payment id written once)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from chalice.app import Blueprint, Response

from chalicelib.clock import utcnow

from .auth import tenant_of
from .http import (
    JSON,
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
    from chalicelib.patients.plans import PlanState
    from chalicelib.services.patients import PatientView

patients = Blueprint(__name__)
T = TypeVar("T")

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
    lastNotice: str | None  # noqa: N815 - statement, reminder, second_reminder, final_notice
    lastStatementOn: date | None  # noqa: N815
    sentToCollectionsOn: date | None  # noqa: N815
    sentToCollectionsAmount: Cents | None  # noqa: N815
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
            lastNotice=account.last_notice,
            lastStatementOn=account.last_statement_on,
            sentToCollectionsOn=account.collection_placed_on,
            sentToCollectionsAmount=account.collection_placed_amount,
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


def _object_body(max_bytes: int, patient_id: str | None = None) -> dict[str, Any] | Response:
    """The request's JSON object (for a patient id that can be one), or the answer refusing
    it."""
    if patient_id is not None and (refused := _too_long(patient_id)) is not None:
        return refused
    try:
        body = json_body(patients.current_request, max_bytes=max_bytes)
    except BodyError as error:
        return error.response()
    if not isinstance(body, dict):
        return error_response(422, "invalid_body", "a JSON object is expected")
    return body


def _read(patient_id: str, read: Callable[[str], T]) -> T | Response:
    """`read(tenant)` for a patient of the caller's tenant, or the answer refusing it."""
    if (refused := _too_long(patient_id)) is not None:
        return refused
    try:
        return read(tenant_of(patients.current_request))
    except refusals() as error:
        return refusal_response(error, "patientId")


def _patient(patient_id: str) -> PatientView | Response:
    """The account as of today, or the answer refusing it."""
    from chalicelib.services.patients import patient_view

    return _read(patient_id, lambda tenant: patient_view(tenant, patient_id, today=utcnow().date()))


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
    body = _object_body(4096, patient_id)
    if isinstance(body, Response):
        return body
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


class StatementOut(View):
    cycle: str  # the day the cycle's statement fell due; one statement per cycle
    kind: str  # statement | reminder | second_reminder | final_notice
    madeAt: datetime  # noqa: N815
    amountDue: Cents  # noqa: N815
    balance: Cents
    dueOn: date  # noqa: N815
    pages: int


class StatementListOut(View):
    patientId: str  # noqa: N815
    statements: list[StatementOut]


@patients.route("/v1/patients/{patient_id}", methods=["PUT"])
def put_patient(patient_id: str) -> Response:
    """The account's settings: `{"doNotSend": true}` holds its statements (a dispute, a
    bankruptcy, a deceased patient); the balance stays and ages."""
    from chalicelib.services.patients import set_do_not_send

    request = patients.current_request
    body = _object_body(1024, patient_id)
    if isinstance(body, Response):
        return body
    problems = [
        ProblemOut(field=name, code="unknown_field", message="not a setting of an account")
        for name in sorted(set(body) - {"doNotSend"})
    ]
    if not isinstance(body.get("doNotSend"), bool):
        problems.append(ProblemOut(field="doNotSend", code="required", message="true or false"))
    if problems:
        return problems_response(422, "the settings are not valid", problems)
    try:
        view = set_do_not_send(
            tenant_of(request), patient_id, do_not_send=body["doNotSend"], now=utcnow()
        )
    except refusals() as error:
        return refusal_response(error, "patientId")
    return json_response(PatientOut.of(view))


@patients.route("/v1/patients/{patient_id}/statements", methods=["GET"])
def get_statements(patient_id: str) -> Response:
    from chalicelib.services.statements import list_statements

    found = _read(patient_id, lambda tenant: list_statements(tenant, patient_id))
    if isinstance(found, Response):
        return found
    return json_response(
        StatementListOut(
            patientId=patient_id,
            statements=[
                StatementOut(
                    cycle=s.cycle,
                    kind=s.kind,
                    madeAt=s.made_at,
                    amountDue=s.amount_due,
                    balance=s.balance,
                    dueOn=s.due_on,
                    pages=s.pages,
                )
                for s in found
            ],
        )
    )


@patients.route("/v1/patients/{patient_id}/statements/{cycle}", methods=["GET"])
def get_statement(patient_id: str, cycle: str) -> Response:
    """The statement as JSON (its visits, payers, reasons, amount due), or as the PDF that
    was mailed with `Accept: application/pdf`."""
    from chalicelib.services.statements import statement_file

    request = patients.current_request
    pdf = "application/pdf" in (request.headers.get("accept") or "")
    if (refused := _too_long(patient_id)) is not None:
        return refused
    try:
        content = statement_file(tenant_of(request), patient_id, cycle[:20], pdf=pdf)
    except refusals() as error:
        return refusal_response(error, "cycle")
    if pdf:
        return Response(body=content, status_code=200, headers={"Content-Type": "application/pdf"})
    return Response(body=content.decode(), status_code=200, headers=dict(JSON))


class PolicyOut(View):
    cycleDays: int  # noqa: N815
    minimumStatement: Cents  # noqa: N815
    dueDays: int  # noqa: N815
    howToPay: str  # noqa: N815
    planGraceDays: int  # noqa: N815
    dunningDays: list[int]  # noqa: N815
    smallBalanceWriteOff: Cents  # noqa: N815


def _policy_out(policy: Any) -> PolicyOut:
    from chalicelib.patients.policy import policy_to_json

    return PolicyOut.model_validate(policy_to_json(policy))


@patients.route("/v1/patient-billing/policy", methods=["GET"])
def get_policy() -> Response:
    from chalicelib.services.patients import billing_policy

    return json_response(_policy_out(billing_policy(tenant_of(patients.current_request))))


def _policy_changes(body: dict[str, Any]) -> tuple[dict[str, Any], list[ProblemOut]]:
    """The settings a PUT changes (field name -> value), and every problem with them."""
    from chalicelib.patients.policy import DAY_LIMITS, MONEY, NAMES

    problems = [
        ProblemOut(field=key, code="unknown_field", message="not a setting of the policy")
        for key in sorted(set(body) - set(NAMES))
    ]
    changes: dict[str, Any] = {}
    for key, lowest, highest in DAY_LIMITS:
        value = body.get(key)
        if key not in body:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not lowest <= value <= highest:
            problems.append(
                ProblemOut(field=key, code="invalid_value", message=f"days, {lowest}-{highest}")
            )
        else:
            changes[NAMES[key]] = value
    for key in MONEY:
        if key in body:
            amount = amount_text(body[key])
            if amount is None:
                problems.append(
                    ProblemOut(field=key, code="invalid_amount", message='as text, e.g. "5.00"')
                )
            else:
                changes[NAMES[key]] = amount
    if "howToPay" in body:
        text = body["howToPay"]
        if not isinstance(text, str) or not 1 <= len(text.strip()) <= 1000:
            problems.append(
                ProblemOut(field="howToPay", code="invalid_value", message="1-1000 characters")
            )
        else:
            changes["how_to_pay"] = text.strip()
    if "dunningDays" in body:
        days = body["dunningDays"]
        if (
            not isinstance(days, list)
            or len(days) != 4
            or not all(isinstance(d, int) and not isinstance(d, bool) for d in days)
            or not 0 < days[0] < days[1] < days[2] < days[3] <= 365
        ):
            problems.append(
                ProblemOut(
                    field="dunningDays", code="invalid_value", message="four rising days, 1-365"
                )
            )
        else:
            changes["dunning_days"] = tuple(days)
    return changes, problems


@patients.route("/v1/patient-billing/policy", methods=["PUT"])
def put_policy() -> Response:
    """Change some settings of the tenant's patient billing policy; the others stay."""
    from chalicelib.services.patients import update_billing_policy

    request = patients.current_request
    body = _object_body(4096)
    if isinstance(body, Response):
        return body
    changes, problems = _policy_changes(body)
    if problems:
        return problems_response(422, "the policy is not valid", problems)
    return json_response(
        _policy_out(update_billing_policy(tenant_of(request), changes, now=utcnow()))
    )


class InstalmentOut(View):
    number: int
    dueOn: date  # noqa: N815
    amount: Cents
    paid: Cents
    status: str  # paid | due | missed | upcoming


class PlanOut(View):
    planId: str  # noqa: N815
    status: str  # active | completed | defaulted
    createdAt: datetime  # noqa: N815
    total: Cents
    paid: Cents
    remaining: Cents
    dueNow: Cents  # noqa: N815
    nextDueOn: date | None  # noqa: N815
    instalments: list[InstalmentOut]

    @classmethod
    def of(cls, state: PlanState) -> PlanOut:
        return cls(
            planId=state.plan.plan_id,
            status=state.status,
            createdAt=state.plan.created_at,
            total=state.plan.total,
            paid=state.paid,
            remaining=state.remaining,
            dueNow=state.due_now,
            nextDueOn=state.next_due_on,
            instalments=[
                InstalmentOut(
                    number=s.instalment.number,
                    dueOn=s.instalment.due_on,
                    amount=s.instalment.amount,
                    paid=s.paid,
                    status=s.status,
                )
                for s in state.instalments
            ],
        )


class PlanListOut(View):
    patientId: str  # noqa: N815
    plans: list[PlanOut]


_PLAN_FIELDS = frozenset({"total", "instalments", "instalmentAmount", "startDate"})


def _plan_request(body: dict[str, Any], today: date) -> tuple[dict[str, Any], list[ProblemOut]]:
    problems = [
        ProblemOut(field=name, code="unknown_field", message="not a field of a payment plan")
        for name in sorted(set(body) - _PLAN_FIELDS)
    ]
    total = amount_text(body.get("total")) if "total" in body else None
    if "total" in body and total is None:
        problems.append(ProblemOut(field="total", code="invalid_amount", message='e.g. "300.00"'))
    count = body.get("instalments")
    if count is not None and (isinstance(count, bool) or not isinstance(count, int)):
        problems.append(
            ProblemOut(field="instalments", code="invalid_value", message="a whole number")
        )
        count = None
    amount = amount_text(body.get("instalmentAmount")) if "instalmentAmount" in body else None
    if "instalmentAmount" in body and amount is None:
        problems.append(
            ProblemOut(field="instalmentAmount", code="invalid_amount", message='e.g. "50.00"')
        )
    start = today
    if "startDate" in body:
        try:
            start = date.fromisoformat(str(body["startDate"]))
            if not today <= start <= today + timedelta(days=90):
                raise ValueError("out of range")
        except ValueError:
            problems.append(
                ProblemOut(
                    field="startDate",
                    code="invalid_date",
                    message="YYYY-MM-DD, from today to 90 days ahead",
                )
            )
    return {"total": total, "count": count, "amount": amount, "start_on": start}, problems


@patients.route("/v1/patients/{patient_id}/payment-plans", methods=["POST"])
def post_plan(patient_id: str) -> Response:
    """A payment plan: `{"instalments": 6, "startDate": "2027-01-01"}` (the balance in six
    monthly instalments), or `{"total": "300.00", "instalmentAmount": "50.00"}`."""
    from chalicelib.patients.plans import PlanError
    from chalicelib.services import plans as service

    request = patients.current_request
    body = _object_body(2048, patient_id)
    if isinstance(body, Response):
        return body
    now = utcnow()
    parsed, problems = _plan_request(body, now.date())
    if problems:
        return problems_response(422, "the payment plan is not valid", problems)

    def make() -> Response:
        try:
            state = service.create_plan(
                tenant_of(request), patient_id, plan_id=service.new_plan_id(), now=now, **parsed
            )
        except PlanError as error:
            return error_response(422, "invalid_plan", str(error), error.field)
        except refusals() as error:
            return refusal_response(error)
        return json_response(PlanOut.of(state), 201)

    return idempotent_response(
        request, f"payment-plan:{patient_id}", body, make, context=patients.lambda_context
    )


@patients.route("/v1/patients/{patient_id}/payment-plans", methods=["GET"])
def get_plans(patient_id: str) -> Response:
    from chalicelib.services.plans import plan_states

    found = _read(patient_id, lambda tenant: plan_states(tenant, patient_id, today=utcnow().date()))
    if isinstance(found, Response):
        return found
    return json_response(PlanListOut(patientId=patient_id, plans=[PlanOut.of(s) for s in found]))

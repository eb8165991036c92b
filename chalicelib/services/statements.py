"""The patient statement run: every account whose statement is due (the sparse due index),
by tenant under the tenant's lease, gets this cycle's statement — decided by
chalicelib.patients.statements, rendered as PDF (chalicelib.documents.pdf) and JSON into the
archive bucket — or none, with the reason counted. One statement per patient per cycle: the
cycle is the day the statement fell due, and the statement item is a conditional write, so a
run delivered twice (or two runs at once) makes one."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta

from chalicelib.documents.pdf import page_count, render_pdf
from chalicelib.patients.ledger import balance_of
from chalicelib.patients.plans import plan_note
from chalicelib.patients.policy import PatientBillingPolicy
from chalicelib.patients.statements import (
    NoStatement,
    Statement,
    plan_statement,
    statement_document,
    statement_to_json,
)
from chalicelib.schedules.runs import Run
from chalicelib.store import patients as store
from chalicelib.store.archive import save_raw
from chalicelib.store.errors import ConcurrentUpdateError
from chalicelib.store.patients import PatientAccount, StatementRecord
from chalicelib.store.tenants import load_tenant

from .due import by_tenant
from .errors import RefusedError, replaced
from .leases import tenant_lease
from .patients import billing_policy
from .plans import active_plan


def run_statements(run: Run, *, now: datetime, limit: int = 2000) -> None:
    due = store.due_accounts(now, limit=limit)
    run.examined += len(due)
    for tenant_id, accounts in by_tenant(due).items():
        with tenant_lease(run, tenant_id, now=now) as held:
            if not held:
                continue
            policy = billing_policy(tenant_id)
            tenant = load_tenant(tenant_id)
            practice = tenant.name if tenant else tenant_id
            for account in accounts:
                try:
                    make_statement(run, account, policy=policy, practice=practice, now=now)
                except ConcurrentUpdateError as error:
                    run.fail(error.__class__.__name__, tenant_id=tenant_id, code="concurrent")


def make_statement(
    run: Run,
    account: PatientAccount,
    *,
    policy: PatientBillingPolicy,
    practice: str,
    now: datetime,
) -> Statement | None:
    """This cycle's statement of the account (None: none due, or none to send), then the
    next one's due date."""
    tenant_id, patient_id = account.tenant_id, account.patient_id
    current, entries, plans = store.load_patient_file(tenant_id, patient_id)
    if current is None or current.statement_due is None or current.statement_due > now:
        return None  # another run made it, or a payment settled the account meanwhile
    cycle = current.statement_due.date().isoformat()
    today = now.date()
    plan = active_plan(
        plans,
        entries,
        today,
        grace_days=policy.plan_grace_days,
        by=today + timedelta(days=policy.due_days),
    )
    decided = plan_statement(
        patient_id=patient_id,
        identity=current.identity,
        entries=entries,
        policy=policy,
        today=today,
        cycle=cycle,
        do_not_send=current.do_not_send,
        practice_name=practice,
        since=current.last_statement_on,
        instalment_due=None if plan is None else plan.due_now,
        plan_note=None if plan is None else plan_note(plan),
    )
    made: Statement | None = None
    if isinstance(decided, NoStatement):
        run.count(f"no_statement_{decided.reason}")
    elif store.has_statement(tenant_id, patient_id, cycle):
        run.count("statements_made_before")
    else:
        made = _save(tenant_id, decided, now=now)
        if made is not None:
            run.acted += 1
            run.count("statement_pages", made.pages)
    _next_due(current, policy, now=now, sent=not isinstance(decided, NoStatement))
    return made


def _save(tenant_id: str, statement: Statement, *, now: datetime) -> Statement | None:
    """The PDF and the JSON into the archive, then the statement item, once per cycle."""
    pdf = render_pdf(statement_document(statement))
    statement = replace(statement, pages=page_count(pdf))
    # Object metadata names the tenant and the kind only, never the patient.
    pdf_key = save_raw(
        pdf, kind="patient-statement", source=tenant_id, content_type="application/pdf"
    )
    body = json.dumps(statement_to_json(statement), sort_keys=True).encode()
    json_key = save_raw(
        body, kind="patient-statement-json", source=tenant_id, content_type="application/json"
    )
    record = StatementRecord(
        patient_id=statement.patient_id,
        cycle=statement.cycle,
        kind=statement.kind,
        made_at=now,
        amount_due=statement.amount_due,
        balance=statement.balance,
        due_on=statement.due_on,
        pdf_key=pdf_key,
        json_key=json_key,
        pages=statement.pages,
    )
    return statement if store.save_statement(tenant_id, record) else None


def _next_due(
    account: PatientAccount, policy: PatientBillingPolicy, *, now: datetime, sent: bool
) -> None:
    """Move the account's statement a cycle on (or off the index when nothing is owed)."""

    def write() -> None:
        current, entries = store.load_patient(account.tenant_id, account.patient_id)
        if current is None or account.statement_due is None:
            return
        if current.statement_due != account.statement_due:
            return  # moved by another run already
        due: datetime | None = account.statement_due + timedelta(days=policy.cycle_days)
        if due is not None and due <= now:  # a backlog: the next cycle starts today
            due = now + timedelta(days=policy.cycle_days)
        if balance_of(entries) <= 0 or current.do_not_send:
            due = None
        store.save_account(
            replace(
                current,
                statement_due=due,
                last_statement_on=now.date() if sent else current.last_statement_on,
            ),
            now=now,
        )

    replaced(write)


# -- reading -----------------------------------------------------------------------------------


def list_statements(tenant_id: str, patient_id: str) -> list[StatementRecord]:
    account, _ = store.load_patient(tenant_id, patient_id)
    if account is None:
        raise RefusedError("not_found", "no such patient account")
    return store.statements(tenant_id, patient_id)


def statement_file(tenant_id: str, patient_id: str, cycle: str, *, pdf: bool) -> bytes:
    """The statement's PDF or JSON as archived."""
    from chalicelib.store.archive import load_raw

    found = next((s for s in store.statements(tenant_id, patient_id) if s.cycle == cycle), None)
    if found is None:
        raise RefusedError("not_found", "no such statement")
    return load_raw(found.pdf_key if pdf else found.json_key)

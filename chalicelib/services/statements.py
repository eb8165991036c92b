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
from decimal import Decimal

from chalicelib.documents.pdf import page_count, render_pdf
from chalicelib.observability import where_raised
from chalicelib.patients.dunning import NONE, SENT_TO_COLLECTIONS, WRITE_OFF, plan_dunning
from chalicelib.patients.ledger import EntryKind, LedgerEntry, balance_of, oldest_owed
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
from .errors import RefusedError
from .leases import tenant_lease
from .patients import billing_policy, refresh_account
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
                except Exception as error:  # one account never stops the others
                    run.fail(
                        f"account {account.patient_id}: {error.__class__.__name__} at "
                        f"{where_raised(error)}",
                        tenant_id=tenant_id,
                        code="statement_failed",
                    )


def make_statement(
    run: Run,
    account: PatientAccount,
    *,
    policy: PatientBillingPolicy,
    practice: str,
    now: datetime,
) -> Statement | None:
    """This cycle's notice for the account, by dunning age: a statement, reminder or final
    notice (None: none made), or the account sent to collections or its small balance
    written off; then the next cycle's due date."""
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
    dunning = plan_dunning(
        owed_since=oldest_owed(entries),
        today=today,
        balance=balance_of(entries),
        policy=policy,
        last_notice=current.last_notice,
        plan_active=plan is not None,
        in_collections=current.collection_placed_on is not None,
    )
    if dunning.action == WRITE_OFF:
        _write_off(current, cycle, balance_of(entries), now=now)
        run.acted += 1
        run.count("small_balances_written_off")
        return None
    if dunning.action in (SENT_TO_COLLECTIONS, NONE):
        _next_due(current, entries, policy, now=now, collections=dunning.action != NONE)
        run.count("sent_to_collections" if dunning.action != NONE else "in_collections")
        run.acted += dunning.action != NONE
        return None
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
        kind=dunning.action,
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
            run.count(f"{made.kind}s")
            run.count("statement_pages", made.pages)
    notice = None if isinstance(decided, NoStatement) else decided.kind
    _next_due(current, entries, policy, now=now, notice=notice)
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
    account: PatientAccount,
    entries: list[LedgerEntry],
    policy: PatientBillingPolicy,
    *,
    now: datetime,
    notice: str | None = None,
    collections: bool = False,
) -> None:
    """Move the account's statement a cycle on (off the index when nothing is owed, held, or
    sent to collections), recording the notice sent or the placement with the agency. Tried
    on the account as read; when it changed meanwhile (a payment), read again."""
    due_before = account.statement_due
    if due_before is None:
        return
    current: PatientAccount | None = account
    for _ in range(8):
        if current is None or current.statement_due != due_before:
            return  # moved by another run already
        balance = balance_of(entries)
        due: datetime | None = due_before + timedelta(days=policy.cycle_days)
        if due is not None and due <= now:  # a backlog: the next cycle starts today
            due = now + timedelta(days=policy.cycle_days)
        if balance <= 0 or current.do_not_send or collections:
            due = None
        changed = replace(
            current,
            statement_due=due,
            last_statement_on=now.date() if notice else current.last_statement_on,
            last_notice=notice or current.last_notice,
        )
        if collections:
            changed = replace(
                changed, collection_placed_on=now.date(), collection_placed_amount=balance
            )
        try:
            store.save_account(changed, now=now)
            return
        except ConcurrentUpdateError:
            current, entries = store.load_patient(account.tenant_id, account.patient_id)
    raise ConcurrentUpdateError(account.patient_id)


def _write_off(account: PatientAccount, cycle: str, balance: Decimal, *, now: datetime) -> None:
    """Write a small balance off by the tenant's policy (once per cycle), then recompute."""
    entry = LedgerEntry(
        entry_id=f"W#{cycle}",
        kind=EntryKind.WRITE_OFF,
        amount=balance,
        at=now,
        owed_since=now.date(),
        note="small balance written off by policy",
    )
    store.save_entry(account.tenant_id, account.patient_id, entry)
    refresh_account(account.tenant_id, account.patient_id, now=now)


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

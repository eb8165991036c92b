"""Payment plans: make one (one active plan per patient), show each with its instalments as
of today, and the payment-plans schedule, which records a plan `defaulted` once an
instalment is missed past the tenant's grace days, or `completed` once paid. The rules are
chalicelib.patients.plans'; each status change is a version-checked write on the plan."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time
from decimal import Decimal

from chalicelib.observability import where_raised
from chalicelib.patients.ledger import LedgerEntry, balance_of
from chalicelib.patients.plans import (
    ACTIVE,
    PlanState,
    make_plan,
    paid_towards,
    plan_state,
)
from chalicelib.schedules.runs import Run
from chalicelib.store import patients as store
from chalicelib.store.errors import ConcurrentUpdateError
from chalicelib.store.patients import StoredPlan

from .errors import RefusedError
from .patients import billing_policy


def new_plan_id() -> str:
    return f"plan_{uuid.uuid4().hex[:16]}"


def create_plan(
    tenant_id: str,
    patient_id: str,
    *,
    plan_id: str,
    total: Decimal | None,
    count: int | None,
    amount: Decimal | None,
    start_on: date,
    now: datetime,
) -> PlanState:
    """A new plan for `total` (default: the balance). PlanError for a plan that cannot be
    made; RefusedError for a missing account or one with an active plan already."""
    account, entries, existing = store.load_patient_file(tenant_id, patient_id)
    if account is None:
        raise RefusedError("not_found", "no such patient account")
    grace = billing_policy(tenant_id).plan_grace_days
    today = now.date()
    for stored in existing:
        if stored.plan.plan_id == plan_id:
            return _state(stored, entries, today, grace)  # the same request again
        if _state(stored, entries, today, grace).status == ACTIVE:
            raise RefusedError("plan_exists", "the patient has an active payment plan")
    balance = balance_of(entries)
    plan = make_plan(
        plan_id=plan_id,
        created_at=now,
        total=balance if total is None else total,
        start_on=start_on,
        balance=balance,
        count=count,
        amount=amount,
    )
    stored = StoredPlan(tenant_id, patient_id, plan)
    state = _state(stored, entries, today, grace)
    store.save_plan(stored, next_check=_at(state.next_check))
    return state


def plan_states(tenant_id: str, patient_id: str, *, today: date) -> list[PlanState]:
    account, entries, found = store.load_patient_file(tenant_id, patient_id)
    if account is None:
        raise RefusedError("not_found", "no such patient account")
    grace = billing_policy(tenant_id).plan_grace_days
    return [_state(stored, entries, today, grace) for stored in found]


def active_plan(
    plans: Sequence[StoredPlan],
    entries: Sequence[LedgerEntry],
    today: date,
    *,
    grace_days: int,
    by: date | None = None,
) -> PlanState | None:
    """The plan in force, as of today (None: none, or it defaulted or was paid)."""
    for stored in reversed(plans):
        state = _state(stored, entries, today, grace_days, by=by)
        if state.status == ACTIVE:
            return state
    return None


def _state(
    stored: StoredPlan,
    entries: Sequence[LedgerEntry],
    today: date,
    grace_days: int,
    *,
    by: date | None = None,
) -> PlanState:
    paid = paid_towards(stored.plan, entries)
    return plan_state(stored.plan, paid, today, grace_days=grace_days, by=by)


def _at(day: date | None) -> datetime | None:
    return None if day is None else datetime.combine(day, time(), tzinfo=UTC)


# -- the schedule ------------------------------------------------------------------------------


def run_plans(run: Run, *, now: datetime, limit: int = 2000) -> None:
    """Record each due plan's status as of now: defaulted, completed, or still active with
    its next check. A plan another run changed meanwhile is left to it."""
    due = store.due_plans(now, limit=limit)
    run.examined += len(due)
    graces: dict[str, int] = {}
    for stored in due:
        if stored.tenant_id not in graces:
            graces[stored.tenant_id] = billing_policy(stored.tenant_id).plan_grace_days
        try:
            _, entries = store.load_patient(stored.tenant_id, stored.patient_id)
            state = _state(stored, entries, now.date(), graces[stored.tenant_id])
            if state.status != stored.plan.status:
                closed = replace(stored.plan, status=state.status, closed_on=now.date())
                store.save_plan(replace(stored, plan=closed), next_check=None)
                run.acted += 1
                run.count(f"plans_{state.status}")
            else:
                store.save_plan(stored, next_check=_at(state.next_check))
        except ConcurrentUpdateError:
            run.count("plans_changed_meanwhile")
        except Exception as error:  # one plan never stops the others
            run.fail(
                f"plan {stored.plan.plan_id}: {error.__class__.__name__} at {where_raised(error)}",
                tenant_id=stored.tenant_id,
                code="plan_failed",
            )

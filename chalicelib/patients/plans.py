"""Payment plans: a total paid in monthly instalments from a start date. The schedule is fixed
when the plan is made; what is paid, due, missed, and whether the plan is active, completed
or defaulted follows from the patient's payments since the plan began (applied to the
instalments in order) and today's date. An instalment not covered `grace_days` after its due
date is missed, and a missed instalment defaults the plan: the whole balance is due again
and dunning resumes. While a plan is active, statements ask for the instalment, not the
balance, and the account is not dunned."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal

from .ledger import EntryKind, LedgerEntry

_CENT = Decimal("0.01")
MAX_INSTALMENTS = 60

ACTIVE, COMPLETED, DEFAULTED, CANCELLED = "active", "completed", "defaulted", "cancelled"


class PlanError(ValueError):
    """A plan that cannot be made as asked; `field` names the request field at fault."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class Instalment:
    number: int  # 1-based
    due_on: date
    amount: Decimal


@dataclass(frozen=True, slots=True)
class PaymentPlan:
    """As agreed with the patient. `status` is what was last recorded: `defaulted` and
    `completed` are final; `active` is checked against the payments (plan_state)."""

    plan_id: str
    created_at: datetime
    total: Decimal
    start_on: date
    instalments: tuple[Instalment, ...]
    status: str = ACTIVE
    closed_on: date | None = None


@dataclass(frozen=True, slots=True)
class InstalmentState:
    instalment: Instalment
    paid: Decimal
    status: str  # paid | due | missed | upcoming


@dataclass(frozen=True, slots=True)
class PlanState:
    plan: PaymentPlan
    status: str
    paid: Decimal
    remaining: Decimal
    instalments: tuple[InstalmentState, ...]
    due_now: Decimal  # what is owed on the plan by the day asked about
    next_due_on: date | None
    next_check: date | None  # when the plan's status may change (last day of a grace)


def make_plan(
    *,
    plan_id: str,
    created_at: datetime,
    total: Decimal,
    start_on: date,
    balance: Decimal,
    count: int | None = None,
    amount: Decimal | None = None,
) -> PaymentPlan:
    """A monthly schedule for `total` (at most the balance): `count` equal instalments (the
    last takes the cents left over), or instalments of `amount` (the last is what is left).
    PlanError when it cannot be made."""
    if total <= 0:
        raise PlanError("total", "a plan is for an amount above zero")
    if total > balance:
        raise PlanError("total", f"a plan covers at most the balance, {balance}")
    if (count is None) == (amount is None):
        raise PlanError("instalments", "give the number of instalments or the amount of each")
    if amount is not None:
        if amount <= 0 or amount > total:
            raise PlanError("instalmentAmount", "above zero and at most the total")
        count = int((total / amount).to_integral_value(rounding="ROUND_CEILING"))
    assert count is not None
    if not 1 <= count <= MAX_INSTALMENTS:
        raise PlanError("instalments", f"from 1 to {MAX_INSTALMENTS} monthly instalments")
    each = amount if amount is not None else (total / count).quantize(_CENT, rounding=ROUND_DOWN)
    amounts = [each] * (count - 1) + [total - each * (count - 1)]
    return PaymentPlan(
        plan_id=plan_id,
        created_at=created_at,
        total=total,
        start_on=start_on,
        instalments=tuple(
            Instalment(i + 1, add_months(start_on, i), value) for i, value in enumerate(amounts)
        ),
    )


def add_months(start: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter."""
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def paid_towards(plan: PaymentPlan, entries: Iterable[LedgerEntry]) -> Decimal:
    """The patient's payments since the plan was made (less refunds): they pay the plan."""
    total = Decimal("0.00")
    for entry in entries:
        if entry.at < plan.created_at:
            continue
        if entry.kind is EntryKind.PAYMENT:
            total += entry.amount
        elif entry.kind is EntryKind.REFUND:
            total -= entry.amount
    return max(total, Decimal("0.00"))


def plan_state(
    plan: PaymentPlan, paid: Decimal, today: date, *, grace_days: int, by: date | None = None
) -> PlanState:
    """The plan as of `today`; `due_now` counts the instalments due by `by` (a statement's
    due date; default today)."""
    grace = timedelta(days=grace_days)
    left, states = paid, []
    for instalment in plan.instalments:
        covered = min(left, instalment.amount)
        left -= covered
        if covered >= instalment.amount:
            status = "paid"
        elif today > instalment.due_on + grace:
            status = "missed"
        elif today >= instalment.due_on:
            status = "due"
        else:
            status = "upcoming"
        states.append(InstalmentState(instalment, covered, status))
    status = plan.status
    if status == ACTIVE:
        if paid >= plan.total:
            status = COMPLETED
        elif any(s.status == "missed" for s in states):
            status = DEFAULTED
    until = by or today
    due_now = sum(
        (s.instalment.amount - s.paid for s in states if s.instalment.due_on <= until),
        Decimal("0.00"),
    )
    open_ = [s for s in states if s.status != "paid"]
    return PlanState(
        plan=plan,
        status=status,
        paid=min(paid, plan.total),
        remaining=max(plan.total - paid, Decimal("0.00")),
        instalments=tuple(states),
        due_now=due_now,
        next_due_on=open_[0].instalment.due_on if open_ else None,
        next_check=(open_[0].instalment.due_on + grace + timedelta(days=1)) if open_ else None,
    )


def plan_note(state: PlanState) -> str:
    """What a statement says about the plan instead of asking for the whole balance."""
    count = len(state.plan.instalments)
    done = sum(1 for s in state.instalments if s.status == "paid")
    return (
        f"Payment plan: {done} of {count} monthly payments made; {state.remaining} left of "
        f"{state.plan.total}. Please pay the amount due below; the rest of your balance is "
        "not due while the plan is kept."
    )

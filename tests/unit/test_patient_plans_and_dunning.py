"""Payment plan schedules and states, and the dunning table, without AWS."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from chalicelib.patients.dunning import plan_dunning
from chalicelib.patients.plans import PlanError, add_months, make_plan, plan_state
from chalicelib.patients.policy import PatientBillingPolicy

AT = datetime(2026, 1, 31, tzinfo=UTC)


def test_patient_plan_instalments_sum_to_the_total_and_keep_month_ends() -> None:
    plan = make_plan(
        plan_id="p", created_at=AT, total=Decimal("100.00"), start_on=date(2026, 1, 31),
        balance=Decimal("100.00"), count=3,
    )  # fmt: skip
    assert [i.amount for i in plan.instalments] == [
        Decimal("33.33"), Decimal("33.33"), Decimal("33.34")
    ]  # fmt: skip
    assert [i.due_on for i in plan.instalments] == [
        date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)
    ]  # fmt: skip
    by_amount = make_plan(
        plan_id="p", created_at=AT, total=Decimal("100.00"), start_on=date(2026, 1, 1),
        balance=Decimal("120.00"), amount=Decimal("40.00"),
    )  # fmt: skip
    assert [i.amount for i in by_amount.instalments] == [
        Decimal("40.00"), Decimal("40.00"), Decimal("20.00")
    ]  # fmt: skip
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)


def test_patient_plan_refuses_more_than_the_balance() -> None:
    with pytest.raises(PlanError) as refused:
        make_plan(
            plan_id="p", created_at=AT, total=Decimal("10.01"), start_on=date(2026, 1, 1),
            balance=Decimal("10.00"), count=2,
        )  # fmt: skip
    assert refused.value.field == "total"


def test_patient_plan_defaults_only_after_the_grace_days() -> None:
    plan = make_plan(
        plan_id="p", created_at=AT, total=Decimal("60.00"), start_on=date(2026, 2, 1),
        balance=Decimal("60.00"), count=2,
    )  # fmt: skip
    paid = Decimal("30.00")
    assert plan_state(plan, paid, date(2026, 3, 11), grace_days=10).status == "active"
    late = plan_state(plan, paid, date(2026, 3, 12), grace_days=10)
    assert late.status == "defaulted"
    assert [s.status for s in late.instalments] == ["paid", "missed"]
    assert plan_state(plan, Decimal("60.00"), date(2026, 9, 1), grace_days=10).status == (
        "completed"
    )


@pytest.mark.parametrize(
    ("days", "last", "balance", "action"),
    [
        (10, None, "50.00", "statement"),
        (30, "statement", "50.00", "reminder"),
        (60, "reminder", "50.00", "second_reminder"),
        (90, "second_reminder", "50.00", "final_notice"),
        (120, "second_reminder", "50.00", "final_notice"),  # never collections unwarned
        (120, "final_notice", "50.00", "sent_to_collections"),
        (150, "final_notice", "3.00", "write_off"),
    ],
)
def test_patient_dunning_by_age(days: int, last: str | None, balance: str, action: str) -> None:
    today = date(2026, 12, 1)
    decided = plan_dunning(
        owed_since=date.fromordinal(today.toordinal() - days),
        today=today,
        balance=Decimal(balance),
        policy=PatientBillingPolicy(small_balance_write_off=Decimal("5.00")),
        last_notice=last,
        plan_active=False,
        in_collections=False,
    )
    assert decided.action == action

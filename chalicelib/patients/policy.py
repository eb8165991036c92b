"""A tenant's patient billing policy: statement cycle, minimum, due days and how to pay;
payment plan grace; dunning ages and small-balance write-off. Defaults are what most
practices use; a tenant changes them through PUT /v1/patient-billing/policy."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

DEFAULT_HOW_TO_PAY = (
    "Pay by phone or at the front desk with a card, or mail a check payable to the practice "
    "with the account number on it. Questions about this bill: call the billing office."
)


@dataclass(frozen=True, slots=True)
class PatientBillingPolicy:
    cycle_days: int = 30  # a patient with a balance gets a statement this often
    minimum_statement: Decimal = Decimal("5.00")  # below it, no statement (it still ages)
    due_days: int = 21  # the statement's due date, from the day it is made
    how_to_pay: str = DEFAULT_HOW_TO_PAY
    plan_grace_days: int = 10  # an instalment unpaid this long after its due date: defaulted
    # Days past owed for: first reminder, second reminder, final notice, sent to collections.
    dunning_days: tuple[int, int, int, int] = (30, 60, 90, 120)
    # Balances at or below it are written off instead of sent to collections (0: never).
    small_balance_write_off: Decimal = Decimal("0.00")


# The settings as the API and the stored item name them, and each one's field here.
NAMES: Mapping[str, str] = {
    "cycleDays": "cycle_days",
    "minimumStatement": "minimum_statement",
    "dueDays": "due_days",
    "howToPay": "how_to_pay",
    "planGraceDays": "plan_grace_days",
    "dunningDays": "dunning_days",
    "smallBalanceWriteOff": "small_balance_write_off",
}
# (setting, lowest, highest) of the whole-day settings.
DAY_LIMITS = (("cycleDays", 7, 120), ("dueDays", 0, 90), ("planGraceDays", 0, 90))
MONEY = ("minimumStatement", "smallBalanceWriteOff")


def policy_to_json(policy: PatientBillingPolicy) -> dict[str, Any]:
    values = {key: getattr(policy, name) for key, name in NAMES.items()}
    values["dunningDays"] = list(policy.dunning_days)
    for key in MONEY:
        values[key] = str(values[key])
    return values


def policy_from_json(data: Mapping[str, Any]) -> PatientBillingPolicy:
    """The stored policy (checked when it was put); settings it lacks keep their defaults."""
    values: dict[str, Any] = {NAMES[k]: v for k, v in data.items() if k in NAMES}
    for key in MONEY:
        if key in data:
            values[NAMES[key]] = Decimal(str(data[key]))
    if "dunningDays" in data:
        values["dunning_days"] = tuple(data["dunningDays"])
    return replace(PatientBillingPolicy(), **values)

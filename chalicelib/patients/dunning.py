"""Dunning: what this cycle's notice is, by how long the oldest unpaid amount has been owed
(FIFO, so a partial payment moves it on) against the tenant's days (default 30/60/90/120):

| days owed             | notice                                                     |
| --- | --- |
| under the first       | `statement`                                                |
| first to second       | `reminder`                                                 |
| second to third       | `second_reminder`                                          |
| third to fourth       | `final_notice`                                             |
| fourth and over       | `sent_to_collections`, once a final notice went out before |
|                       | (else the final notice first); `write_off` instead when    |
|                       | the balance is at or under the small-balance threshold     |

An active payment plan is not dunned: its statements ask for the instalment. An account
already with the agency gets no notices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .policy import PatientBillingPolicy
from .statements import FINAL_NOTICE, REMINDER, SECOND_REMINDER, STATEMENT

SENT_TO_COLLECTIONS = "sent_to_collections"
WRITE_OFF = "write_off"
NONE = "none"


@dataclass(frozen=True, slots=True)
class DunningDecision:
    action: str  # a statement kind, sent_to_collections, write_off, or none
    days_owed: int


def plan_dunning(
    *,
    owed_since: date | None,
    today: date,
    balance: Decimal,
    policy: PatientBillingPolicy,
    last_notice: str | None,
    plan_active: bool,
    in_collections: bool,
) -> DunningDecision:
    days = 0 if owed_since is None else (today - owed_since).days
    if in_collections:
        return DunningDecision(NONE, days)
    if plan_active or owed_since is None or balance <= 0:
        return DunningDecision(STATEMENT, days)
    first, second, third, fourth = policy.dunning_days
    if days >= fourth:
        if balance <= policy.small_balance_write_off:
            return DunningDecision(WRITE_OFF, days)
        if last_notice == FINAL_NOTICE:
            return DunningDecision(SENT_TO_COLLECTIONS, days)
        return DunningDecision(FINAL_NOTICE, days)
    if days >= third:
        return DunningDecision(FINAL_NOTICE, days)
    if days >= second:
        return DunningDecision(SECOND_REMINDER, days)
    if days >= first:
        return DunningDecision(REMINDER, days)
    return DunningDecision(STATEMENT, days)

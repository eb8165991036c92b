"""A tenant's view of a payer: the directory entry, the follow-up policy in force (its own
override or the default for the payer's filing code) and its fee schedule versions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.payers.directory import Payer
from chalicelib.payers.fee_schedules import FeeScheduleRow, FeeScheduleVersion
from chalicelib.payers.policies import PayerPolicy, policy_for
from chalicelib.store import contracts
from chalicelib.store.errors import ConcurrentUpdateError

from .claims import find_payer


@dataclass(frozen=True, slots=True)
class PayerView:
    payer: Payer
    policy: PayerPolicy
    policy_source: str  # "tenant" | "default"
    fee_schedules: tuple[FeeScheduleVersion, ...]


class PayerNotFoundError(Exception):
    pass


def effective_policy(tenant_id: str, payer: Payer) -> tuple[PayerPolicy, str]:
    own = contracts.load_policy(tenant_id, payer.payer_id)
    return (own, "tenant") if own else (policy_for(payer.plan_type), "default")


def payer_view(tenant_id: str, payer_id: str) -> PayerView:
    payer = find_payer(payer_id)
    if payer is None:
        raise PayerNotFoundError(payer_id)
    policy, source = effective_policy(tenant_id, payer)
    return PayerView(
        payer, policy, source, tuple(contracts.load_fee_schedules(tenant_id, payer_id))
    )


def set_policy(tenant_id: str, payer_id: str, policy: PayerPolicy, *, now: datetime) -> PayerView:
    if find_payer(payer_id) is None:
        raise PayerNotFoundError(payer_id)
    contracts.save_policy(tenant_id, payer_id, policy, now=now)
    from .worklist import forget_policy

    forget_policy(tenant_id, payer_id)
    return payer_view(tenant_id, payer_id)


def add_fee_schedule(
    tenant_id: str,
    payer_id: str,
    rows: tuple[FeeScheduleRow, ...],
    *,
    source: str,
    now: datetime,
) -> FeeScheduleVersion:
    """Store the rows as the payer's next version; earlier versions stay as they were."""
    if find_payer(payer_id) is None:
        raise PayerNotFoundError(payer_id)
    for _ in range(3):
        version = len(contracts.load_fee_schedules(tenant_id, payer_id)) + 1
        schedule = FeeScheduleVersion(
            version=version,
            uploaded_at=now,
            rows=rows,
            source="csv" if source == "csv" else "json",
        )
        try:
            contracts.save_fee_schedule(tenant_id, payer_id, schedule)
        except ConcurrentUpdateError:
            continue
        return schedule
    raise ConcurrentUpdateError(f"fee schedule for {payer_id}")

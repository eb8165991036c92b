"""A tenant's view of a payer: the directory entry, the follow-up policy in force (its own
override or the default for the payer's filing code) and its fee schedule versions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.payers.directory import Payer
from chalicelib.payers.fee_schedules import FeeScheduleRow, FeeScheduleVersion
from chalicelib.payers.policies import PayerPolicy, policy_for
from chalicelib.store import contracts

from .errors import replaced
from .lookups import find_payer


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
    payer = find_payer(tenant_id, payer_id)
    if payer is None:
        raise PayerNotFoundError(payer_id)
    policy, source = effective_policy(tenant_id, payer)
    return PayerView(
        payer, policy, source, tuple(contracts.load_fee_schedules(tenant_id, payer_id))
    )


def set_policy(tenant_id: str, payer_id: str, policy: PayerPolicy, *, now: datetime) -> PayerView:
    """Replace the tenant's policy for the payer. A PUT is a full replace, so a write that
    lost to another (version check) reads the version again and writes again; each loss
    means another write succeeded, so a few attempts outlast a burst of simultaneous PUTs.
    ConcurrentUpdateError when it keeps losing."""
    payer = find_payer(tenant_id, payer_id)
    if payer is None:
        raise PayerNotFoundError(payer_id)
    replaced(
        lambda: contracts.save_policy(
            tenant_id,
            payer_id,
            policy,
            now=now,
            version=contracts.policy_version(tenant_id, payer_id),
        )
    )
    from .worklist import forget_policy

    forget_policy(tenant_id, payer_id)
    # The policy just written, not a read that may not see it yet.
    schedules = tuple(contracts.load_fee_schedules(tenant_id, payer_id))
    return PayerView(payer, policy, "tenant", schedules)


def add_fee_schedule(
    tenant_id: str,
    payer_id: str,
    rows: tuple[FeeScheduleRow, ...],
    *,
    source: str,
    now: datetime,
) -> FeeScheduleVersion:
    """Store the rows as the payer's next version; earlier versions stay as they were.
    ConcurrentUpdateError only if no free version number could be taken."""
    if find_payer(tenant_id, payer_id) is None:
        raise PayerNotFoundError(payer_id)
    return contracts.add_fee_schedule(
        tenant_id,
        payer_id,
        rows,
        source="csv" if source == "csv" else "json",
        uploaded_at=now,
    )

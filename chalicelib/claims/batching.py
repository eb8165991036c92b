"""Planning outbound interchanges: which queued claims travel together, and when a failed send
is tried again. Pure: the submission service carries the plan out."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import timedelta

from .model import Claim

MAX_CLAIMS_PER_INTERCHANGE = 500
_BASE_RETRY = timedelta(minutes=1)
_MAX_RETRY = timedelta(hours=2)


@dataclass(frozen=True, slots=True)
class QueuedClaim:
    """`shared` is what every claim of one 837P transaction set must have in common beyond
    the payer (`transaction_key`): claims that differ travel in different interchanges."""

    tenant_id: str
    claim_id: str
    payer_id: str
    gateway: str
    shared: Hashable = None


def transaction_key(claim: Claim) -> Hashable:
    """One ST has one 1000A submitter, one 1000B receiver and the ISA15 usage indicator."""
    return (claim.submitter, claim.receiver_name, claim.usage_indicator)


@dataclass(frozen=True, slots=True)
class PlannedBatch:
    """One interchange: one tenant (its own submitter id), one gateway, one payer (one 1000B
    receiver and 2010BB payer per 837P transaction set), one submitter and usage indicator,
    at most `max_claims` claims."""

    tenant_id: str
    gateway: str
    payer_id: str
    claim_ids: tuple[str, ...]


def plan_batches(
    claims: Iterable[QueuedClaim], *, max_claims: int = MAX_CLAIMS_PER_INTERCHANGE
) -> tuple[PlannedBatch, ...]:
    """Group in arrival order, split groups larger than `max_claims`."""
    if max_claims < 1:
        raise ValueError("max_claims must be at least 1")
    groups: dict[tuple[str, str, str, Hashable], list[str]] = {}
    for claim in claims:
        key = (claim.tenant_id, claim.gateway, claim.payer_id, claim.shared)
        group = groups.setdefault(key, [])
        if claim.claim_id not in group:
            group.append(claim.claim_id)
    return tuple(
        PlannedBatch(tenant, gateway, payer, tuple(ids[start : start + max_claims]))
        for (tenant, gateway, payer, _), ids in groups.items()
        for start in range(0, len(ids), max_claims)
    )


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff after `attempts` failed sends: 1, 2, 4 ... minutes, at most 2 h."""
    return min(_BASE_RETRY * (1 << min(max(attempts - 1, 0), 12)), _MAX_RETRY)

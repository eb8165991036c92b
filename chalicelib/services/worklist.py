"""The worklist: what needs a person. Each claim's items are derived whenever the claim is
saved (chalicelib.claims.worklist decides them) and kept on the claim, so the list is one
index query, never a scan; unmatched remittance entries sit in the same index."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from chalicelib.claims.records import ClaimRecord
from chalicelib.claims.work_items import WorklistItem, with_work_states
from chalicelib.claims.worklist import items_for_claim, worklist_sort_key
from chalicelib.payers.policies import PayerPolicy, policy_for
from chalicelib.wiring import claim_repository, on_reset, payer_directory

from .lookups import TtlCache, find_payer

_policies = TtlCache()
on_reset(_policies.clear)


def policy_in_force(tenant_id: str, payer_id: str) -> PayerPolicy | None:
    """The policy in force; cached per container like the payer directory (a PUT in another
    container is seen within a minute)."""
    payer = find_payer(tenant_id, payer_id)
    if payer is None:
        return None
    directory = payer_directory()
    return _policies.get(
        f"{tenant_id}|{payer_id}",
        lambda: directory.load_policy(tenant_id, payer_id) or policy_for(payer.plan_type),
    )


def forget_policy(tenant_id: str, payer_id: str) -> None:
    _policies.forget(f"{tenant_id}|{payer_id}")


def with_worklist(record: ClaimRecord, *, now: datetime) -> ClaimRecord:
    """The record with its worklist items derived from its current state."""
    items = items_for_claim(
        record,
        record.remittances,
        now=now,
        policy=policy_in_force(record.tenant_id, record.payer_id),
        claim=record.claim,
        flags=[flag for flag in record.flags if flag.kind != "remittance_imbalance"],
    )
    pcn = record.patient_control_number
    worked = with_work_states(
        tuple(replace(item, patient_control_number=pcn) for item in items), record.work_states
    )
    return replace(record, worklist=tuple(sorted(worked, key=worklist_sort_key)))


def matches(
    item: WorklistItem,
    *,
    kind: str | None,
    older_than: datetime | None,
    assignee: str | None = None,
    awake_at: datetime | None = None,
) -> bool:
    """Whether a listed entry passes the filters; `awake_at`: leave out what sleeps then,
    snoozed or not yet due (an authorization's notice before it ends)."""
    if kind and item.kind != kind:
        return False
    if assignee and item.assignee != assignee:
        return False
    if awake_at and item.snoozed_until and item.snoozed_until > awake_at:
        return False
    if awake_at and item.since > awake_at:
        return False
    return not (older_than and item.since > older_than)


def list_worklist(
    tenant_id: str,
    *,
    kind: str | None,
    payer_id: str | None,
    older_than: datetime | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[WorklistItem], str | None]:
    """A page of the tenant's worklist entries, oldest first, and where to go on from."""
    return claim_repository().worklist_page(
        tenant_id,
        kind=kind,
        payer_id=payer_id,
        older_than=older_than,
        limit=limit,
        cursor=cursor,
    )

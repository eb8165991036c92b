"""The worklist: what needs a person. Each claim's items are derived whenever the claim is
saved (chalicelib.claims.worklist decides them) and kept on the claim, so the list is one
index query, never a scan; unmatched remittance entries sit in the same index."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from chalicelib.claims.model import Claim
from chalicelib.claims.posting import Posting
from chalicelib.claims.records import ClaimRecord
from chalicelib.claims.variance import flag_from_json
from chalicelib.claims.work_items import WorklistItem
from chalicelib.claims.worklist import items_for_claim, worklist_sort_key
from chalicelib.contract import ClaimRequest
from chalicelib.payers.policies import PayerPolicy, policy_for

from .lookups import TtlCache, find_payer

_policies = TtlCache()


def policy_in_force(tenant_id: str, payer_id: str) -> PayerPolicy | None:
    """The policy in force; cached per container like the payer directory (a PUT in another
    container is seen within a minute)."""
    from chalicelib.store.contracts import load_policy

    payer = find_payer(payer_id)
    if payer is None:
        return None
    return _policies.get(
        f"{tenant_id}|{payer_id}",
        lambda: load_policy(tenant_id, payer_id) or policy_for(payer.plan_type),
    )


def forget_policy(tenant_id: str, payer_id: str) -> None:
    _policies.forget(f"{tenant_id}|{payer_id}")


def item_json(item: WorklistItem) -> dict[str, object]:
    return {
        "kind": item.kind,
        "claim_id": item.claim_id,
        "payer_id": item.payer_id,
        "since": item.since.isoformat(),
        "codes": list(item.codes),
        "suggested_action": item.suggested_action,
        "detail": item.detail,
        "amount": str(item.amount) if item.amount is not None else None,
    }


def with_worklist(record: ClaimRecord, *, now: datetime, claim: Claim | None = None) -> ClaimRecord:
    """The record with its worklist items derived from its current state (`claim`: its body,
    already parsed, when the caller has it)."""
    if claim is None:
        try:
            claim = ClaimRequest.model_validate(record.body).to_claim()
        except ValueError:  # a stored body that no longer validates still gets its items
            claim = None
    items = items_for_claim(
        record,
        [Posting.from_json(p) for p in record.remittances],
        now=now,
        policy=policy_in_force(record.tenant_id, record.payer_id),
        claim=claim,
        flags=[flag_from_json(f) for f in record.flags if f.get("kind") != "remittance_imbalance"],
    )
    ordered = sorted(items, key=worklist_sort_key)
    return replace(record, worklist=tuple(item_json(i) for i in ordered))


def matches(item: Mapping[str, object], *, kind: str | None, older_than: datetime | None) -> bool:
    if kind and item.get("kind") != kind:
        return False
    return not (older_than and str(item.get("since", "")) > older_than.isoformat())


def list_worklist(
    tenant_id: str,
    *,
    kind: str | None,
    payer_id: str | None,
    older_than: datetime | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[Mapping[str, object]], str | None]:
    """A page of the tenant's worklist entries, oldest first, and where to go on from."""
    from chalicelib.store.claims import worklist_page

    return worklist_page(
        tenant_id,
        kind=kind,
        payer_id=payer_id,
        older_than=older_than,
        limit=limit,
        cursor=cursor,
    )

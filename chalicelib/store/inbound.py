"""What came in: received files (deduplicated by sha256), gateway mailbox cursors, posted
remittances (deduplicated by payer and trace number) and the unmatched queue."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from pynamodb.exceptions import DoesNotExist, PutError

from .models import (
    GatewayCursorItem,
    InboundFileItem,
    Item,
    RemittanceItem,
    UnmatchedItem,
)


def _conditional_failed(error: PutError) -> bool:
    code = getattr(error.cause, "response", {}).get("Error", {}).get("Code")
    return bool(code == "ConditionalCheckFailedException")


def load_inbound_file(tenant_id: str, sha256: str) -> InboundFileItem | None:
    try:
        return InboundFileItem.get(f"T#{tenant_id}#FILE#{sha256}", "#FILE")
    except DoesNotExist:
        return None


def save_inbound_file(
    tenant_id: str,
    sha256: str,
    *,
    name: str,
    source: str,
    received_at: datetime,
    status: str,
    result: Mapping[str, object],
) -> None:
    InboundFileItem(
        pk=f"T#{tenant_id}#FILE#{sha256}",
        sk="#FILE",
        tenant_id=tenant_id,
        sha256=sha256,
        name=name,
        source=source,
        received_at=received_at,
        status=status,
        result=dict(result),
    ).save()


def load_cursor(tenant_id: str, gateway: str) -> str | None:
    try:
        return GatewayCursorItem.get(f"T#{tenant_id}#GW#{gateway}", "#CURSOR").cursor
    except DoesNotExist:
        return None


def save_cursor(tenant_id: str, gateway: str, cursor: str | None, *, now: datetime) -> None:
    GatewayCursorItem(
        pk=f"T#{tenant_id}#GW#{gateway}", sk="#CURSOR", cursor=cursor, updated_at=now
    ).save()


def _remittance_pk(tenant_id: str, payer_key: str, trace_number: str) -> str:
    return f"T#{tenant_id}#REMIT#{payer_key}#{trace_number}"


def load_remittance(tenant_id: str, payer_key: str, trace_number: str) -> RemittanceItem | None:
    try:
        return RemittanceItem.get(_remittance_pk(tenant_id, payer_key, trace_number), "#REMIT")
    except DoesNotExist:
        return None


def claim_remittance(
    tenant_id: str, payer_key: str, trace_number: str, *, archive_key: str, now: datetime
) -> bool:
    """Take the right to post this remittance (payer + TRN02). False when it was already
    taken: the remittance is posted, or being posted, by an earlier delivery."""
    try:
        RemittanceItem(
            pk=_remittance_pk(tenant_id, payer_key, trace_number),
            sk="#REMIT",
            tenant_id=tenant_id,
            payer_key=payer_key,
            trace_number=trace_number,
            archive_key=archive_key,
            posted_at=now,
            result={"state": "posting"},
        ).save(condition=RemittanceItem.pk.does_not_exist())
    except PutError as error:
        if _conditional_failed(error):
            return False
        raise
    return True


def finish_remittance(
    tenant_id: str, payer_key: str, trace_number: str, result: Mapping[str, object]
) -> None:
    item = RemittanceItem.get(_remittance_pk(tenant_id, payer_key, trace_number), "#REMIT")
    item.update(actions=[RemittanceItem.result.set(dict(result))])


def save_unmatched(
    tenant_id: str,
    key: str,
    *,
    received_at: datetime,
    reason: str,
    detail: Mapping[str, object],
    payer_id: str | None = None,
) -> None:
    """Park something that matched no claim; the same key again is the same entry. It shows
    on the worklist as `unmatched_remittance` until a person resolves it."""
    since = received_at.isoformat()
    UnmatchedItem(
        pk=f"T#{tenant_id}#UNMATCHED",
        sk=key,
        tenant_id=tenant_id,
        received_at=received_at,
        reason=reason,
        detail=dict(detail),
        payer_id=payer_id,
        worklist=[
            {
                "kind": "unmatched_remittance",
                "claim_id": None,
                "payer_id": payer_id,
                "since": since,
                "codes": [],
                "suggested_action": "find the claim, or refund or return the payment",
                "detail": reason,
                "amount": detail.get("paid"),
                "reference": key,
            }
        ],
        work_kinds=["unmatched_remittance"],
        work_pk=f"T#{tenant_id}#WORK",
        work_sk=f"{since}#{key}",
    ).save()


def list_unmatched(tenant_id: str, *, limit: int = 100) -> list[UnmatchedItem]:
    return [
        item
        for item in Item.query(f"T#{tenant_id}#UNMATCHED", limit=limit)
        if isinstance(item, UnmatchedItem)
    ]

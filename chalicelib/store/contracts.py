"""A tenant's contracts with payers: its follow-up policy overrides and its fee schedule
versions (each upload a new version, never overwritten)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from pynamodb.exceptions import DoesNotExist, PutError

from chalicelib.payers.fee_schedules import FeeScheduleVersion, parse_fee_schedule_json
from chalicelib.payers.policies import PayerPolicy

from .errors import ConcurrentUpdateError
from .models import FeeScheduleItem, Item, PayerPolicyItem

POLICY_SK = "#POLICY"


def load_policy(tenant_id: str, payer_id: str) -> PayerPolicy | None:
    try:
        item = PayerPolicyItem.get(f"T#{tenant_id}#PAYER#{payer_id}", POLICY_SK)
    except DoesNotExist:
        return None
    return PayerPolicy(**item.policy)


def save_policy(tenant_id: str, payer_id: str, policy: PayerPolicy, *, now: datetime) -> None:
    PayerPolicyItem(
        pk=f"T#{tenant_id}#PAYER#{payer_id}",
        sk=POLICY_SK,
        tenant_id=tenant_id,
        payer_id=payer_id,
        policy=asdict(policy),
        updated_at=now,
    ).save()


def _fees_pk(tenant_id: str, payer_id: str) -> str:
    return f"T#{tenant_id}#FEES#{payer_id}"


def load_fee_schedules(tenant_id: str, payer_id: str) -> list[FeeScheduleVersion]:
    """Every version, oldest first (one query: they share a partition)."""
    return [
        FeeScheduleVersion(
            version=int(item.version),
            uploaded_at=item.uploaded_at,
            rows=parse_fee_schedule_json(item.rows),
            source="csv" if item.source == "csv" else "json",
        )
        for item in Item.query(_fees_pk(tenant_id, payer_id))
        if isinstance(item, FeeScheduleItem)
    ]


def save_fee_schedule(tenant_id: str, payer_id: str, schedule: FeeScheduleVersion) -> None:
    """Add a version; a version number already taken (two uploads at once) raises
    ConcurrentUpdateError and the caller takes the next number."""
    try:
        FeeScheduleItem(
            pk=_fees_pk(tenant_id, payer_id),
            sk=f"V#{schedule.version:06d}",
            tenant_id=tenant_id,
            payer_id=payer_id,
            version=schedule.version,
            uploaded_at=schedule.uploaded_at,
            source=schedule.source,
            rows=[row.to_json() for row in schedule.rows],
        ).save(condition=FeeScheduleItem.pk.does_not_exist())
    except PutError as error:
        code = getattr(error.cause, "response", {}).get("Error", {}).get("Code")
        if code == "ConditionalCheckFailedException":
            raise ConcurrentUpdateError(f"fee schedule version {schedule.version}") from None
        raise

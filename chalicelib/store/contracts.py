"""A tenant's contracts with payers: its follow-up policy overrides and its fee schedule
versions (each upload a new version, never overwritten)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from pynamodb.exceptions import DoesNotExist, PutError, UpdateError

from chalicelib.payers.fee_schedules import (
    FeeScheduleRow,
    FeeScheduleSource,
    FeeScheduleVersion,
    parse_fee_schedule_json,
)
from chalicelib.payers.policies import PayerPolicy

from .errors import ConcurrentUpdateError, conditional_failed
from .models import CounterItem, FeeScheduleItem, Item, PayerPolicyItem

POLICY_SK = "#POLICY"
COUNTER_SK = "#COUNTER"


def _policy_pk(tenant_id: str, payer_id: str) -> str:
    return f"T#{tenant_id}#PAYER#{payer_id}"


def load_policy(tenant_id: str, payer_id: str) -> PayerPolicy | None:
    try:
        item = PayerPolicyItem.get(_policy_pk(tenant_id, payer_id), POLICY_SK)
    except DoesNotExist:
        return None
    return PayerPolicy(**item.policy)


def policy_version(tenant_id: str, payer_id: str) -> int | None:
    """The stored policy's version (None: the tenant has none), read consistently: what a
    write that replaces it must be checked against."""
    try:
        item = PayerPolicyItem.get(_policy_pk(tenant_id, payer_id), POLICY_SK, consistent_read=True)
    except DoesNotExist:
        return None
    return None if item.version is None else int(item.version)


def save_policy(
    tenant_id: str,
    payer_id: str,
    policy: PayerPolicy,
    *,
    now: datetime,
    version: int | None,
) -> None:
    """Write the policy over the one at `version` (None: only if there is none yet).
    ConcurrentUpdateError when another write came first: read the version again and retry."""
    item = PayerPolicyItem(
        pk=_policy_pk(tenant_id, payer_id),
        sk=POLICY_SK,
        tenant_id=tenant_id,
        payer_id=payer_id,
        policy=asdict(policy),
        updated_at=now,
    )
    if version is not None:
        item.version = version
    try:
        item.save()
    except PutError as error:
        if conditional_failed(error):
            raise ConcurrentUpdateError(f"payer policy {payer_id}") from None
        raise


def _fees_pk(tenant_id: str, payer_id: str) -> str:
    return f"T#{tenant_id}#FEES#{payer_id}"


def load_fee_schedules(tenant_id: str, payer_id: str) -> list[FeeScheduleVersion]:
    """Every version, oldest first (one query: they share a partition)."""
    return [
        FeeScheduleVersion(
            version=int(item.version),
            uploaded_at=item.uploaded_at,
            rows=parse_fee_schedule_json(item.rows, stored=True),
            source="csv" if item.source == "csv" else "json",
        )
        for item in Item.query(_fees_pk(tenant_id, payer_id))
        if isinstance(item, FeeScheduleItem)
    ]


def save_fee_schedule(tenant_id: str, payer_id: str, schedule: FeeScheduleVersion) -> None:
    """Add a version; a version number already taken raises ConcurrentUpdateError."""
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
        if conditional_failed(error):
            raise ConcurrentUpdateError(f"fee schedule version {schedule.version}") from None
        raise


_VERSION_ATTEMPTS = 3


def add_fee_schedule(
    tenant_id: str,
    payer_id: str,
    rows: tuple[FeeScheduleRow, ...],
    *,
    source: FeeScheduleSource,
    uploaded_at: datetime,
) -> FeeScheduleVersion:
    """Store `rows` as the payer's next version. The number comes from an atomic counter
    per tenant and payer, so uploads at the same moment each get their own. Versions
    written before the counter existed may hold the number it hands out: then the counter
    is moved past the highest stored version and the next number taken. Raises
    ConcurrentUpdateError if that keeps happening."""
    for _ in range(_VERSION_ATTEMPTS):
        schedule = FeeScheduleVersion(
            version=_next_fee_schedule_version(tenant_id, payer_id),
            uploaded_at=uploaded_at,
            rows=rows,
            source=source,
        )
        try:
            save_fee_schedule(tenant_id, payer_id, schedule)
        except ConcurrentUpdateError:
            _raise_counter_to(tenant_id, payer_id, _highest_version(tenant_id, payer_id))
            continue
        return schedule
    raise ConcurrentUpdateError(f"fee schedule for {payer_id}")


def _counter(tenant_id: str, payer_id: str) -> CounterItem:
    return CounterItem(pk=f"T#{tenant_id}#COUNTER#FEES#{payer_id}", sk=COUNTER_SK)


def _next_fee_schedule_version(tenant_id: str, payer_id: str) -> int:
    item = _counter(tenant_id, payer_id)
    item.update(actions=[CounterItem.value.add(1)])
    return int(item.value)


def _highest_version(tenant_id: str, payer_id: str) -> int:
    return max(
        (
            int(item.version)
            for item in Item.query(_fees_pk(tenant_id, payer_id), consistent_read=True)
            if isinstance(item, FeeScheduleItem)
        ),
        default=0,
    )


def _raise_counter_to(tenant_id: str, payer_id: str, highest: int) -> None:
    """Never lowers the counter: another upload may have moved it further already."""
    try:
        _counter(tenant_id, payer_id).update(
            actions=[CounterItem.value.set(highest)],
            condition=CounterItem.value.does_not_exist() | (CounterItem.value < highest),
        )
    except UpdateError as error:
        if not conditional_failed(error):
            raise

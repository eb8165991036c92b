"""Claim repository: the claim item, its append-only events and the patient-control-number
guard, written together in one transaction so a claim never exists without its history."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeGuard

from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.indexes import GlobalSecondaryIndex
from pynamodb.transactions import TransactWrite

from chalicelib.actor import current_actor
from chalicelib.claims.lifecycle import Event, Status
from chalicelib.claims.model import Claim
from chalicelib.claims.posting import Posting
from chalicelib.claims.records import Appeal, ClaimEvent, ClaimRecord
from chalicelib.claims.reports import claim_facts
from chalicelib.claims.repository import ClaimPage, UnreadableClaimError
from chalicelib.claims.variance import VarianceFlag
from chalicelib.claims.work_items import WorklistItem, WorkState
from chalicelib.claims.worklist import KIND_ACTIONS
from chalicelib.codec import CodecError, decode, encode

from . import claim_v1
from .connection import pynamodb_connection
from .errors import (
    ConcurrentUpdateError,
    DuplicateClaimError,
    InvalidCursorError,
    conditional_failed,
)
from .models import NOTIFY, ClaimEventItem, ClaimItem, Item, PatientControlGuardItem
from .secrets import cursor_key

CLAIM_SK = "#CLAIM"
SCHEMA = 2  # of the claim item: see ClaimItem.schema
GUARD_SK = "#GUARD"
EVENT_PREFIX = "EV#"


def claim_pk(tenant_id: str, claim_id: str) -> str:
    return f"T#{tenant_id}#CLAIM#{claim_id}"


def guard_pk(tenant_id: str, payer_id: str, patient_control_number: str) -> str:
    return f"T#{tenant_id}#PCN#{payer_id}#{patient_control_number}"


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds")


def _sort_key(updated_at: datetime, claim_id: str) -> str:
    return f"{_iso(updated_at)}#{claim_id}"


def _claim_item(record: ClaimRecord) -> ClaimItem:
    tenant = f"T#{record.tenant_id}"
    facts = claim_facts(record)
    return ClaimItem(
        pk=claim_pk(record.tenant_id, record.claim_id),
        sk=CLAIM_SK,
        tenant_id=record.tenant_id,
        claim_id=record.claim_id,
        status=record.status.value,
        payer_id=record.payer_id,
        patient_control_number=record.patient_control_number,
        frequency_code=record.frequency_code,
        charge_amount=str(record.charge_amount),
        created_at=record.created_at,
        updated_at=record.updated_at,
        event_count=record.event_count,
        schema=SCHEMA,
        claim=encode(record.claim),
        batch_id=record.batch_id,
        x12_key=record.x12_key,
        send_attempts=record.send_attempts,
        remittances=[encode(posting) for posting in record.remittances],
        parent_claim_id=record.parent_claim_id,
        status_checks=record.status_checks,
        submitted_at=record.submitted_at,
        payer_claim_control_number=record.payer_claim_control_number,
        flags=[encode(flag) for flag in record.flags],
        worklist=[encode(item) for item in record.worklist],
        work_kinds=sorted({item.kind for item in record.worklist}),
        applied=list(record.applied),
        status_since=record.status_since,
        status_codes=list(record.status_codes),
        previous_claims=[encode(c) for c in record.previous_claims] or None,
        replaces_claim_id=record.replaces_claim_id,
        replaced_by=list(record.replaced_by) or None,
        close_reason=record.close_reason,
        written_off=None if record.written_off is None else str(record.written_off),
        work_states=[encode(state) for state in record.work_states] or None,
        appeals=[encode(appeal) for appeal in record.appeals] or None,
        work_pk=f"{tenant}#WORK" if record.worklist else None,
        work_sk=(
            f"{min(item.since for item in record.worklist).isoformat()}#{record.claim_id}"
            if record.worklist
            else None
        ),
        due_pk=f"DUE#{record.next_action}" if record.next_action and record.due_at else None,
        due_sk=(
            f"{_iso(record.due_at)}#{record.tenant_id}#{record.claim_id}"
            if record.next_action and record.due_at
            else None
        ),
        facts=encode(facts),
        facts_pk=f"{tenant}#FACTS#{'OPEN' if facts.balance else 'SETTLED'}",
        facts_sk=f"{facts.service_date.isoformat() if facts.service_date else ''}"
        f"#{record.claim_id}",
        gsi5pk=f"{tenant}#PCN#{record.patient_control_number}",
        gsi1pk=f"{tenant}#ST#{record.status.value}",
        gsi2pk=f"{tenant}#PY#{record.payer_id}",
        gsi3pk=tenant,
        gsi4pk=f"{tenant}#PY#{record.payer_id}#ST#{record.status.value}",
        gsi_sk=_sort_key(record.updated_at, record.claim_id),
    )


def notice_keys(record: ClaimRecord, event: ClaimEvent) -> tuple[str | None, str | None]:
    """An event that changes the claim's status, or that puts something on its worklist,
    waits on the due index (`DUE#notify`) until the webhook run has announced it
    (store/webhooks.py)."""
    changes_status = event.from_status != event.to_status
    if not changes_status and not any(item.since == event.at for item in record.worklist):
        return None, None
    return NOTIFY, f"{_iso(event.at)}#{record.tenant_id}#{record.claim_id}#{event.seq:06d}"


def _event_item(record: ClaimRecord, event: ClaimEvent) -> ClaimEventItem:
    tenant_id, claim_id = record.tenant_id, record.claim_id
    due_pk, due_sk = notice_keys(record, event)
    acting = current_actor()
    return ClaimEventItem(
        due_pk=due_pk,
        due_sk=due_sk,
        pk=claim_pk(tenant_id, claim_id),
        sk=f"{EVENT_PREFIX}{event.seq:06d}",
        tenant_id=tenant_id,
        claim_id=claim_id,
        seq=event.seq,
        at=event.at,
        source=event.source,
        event=event.event.value,
        from_status=event.from_status.value if event.from_status else None,
        to_status=event.to_status.value,
        codes=list(event.codes),
        detail=dict(event.detail),
        actor=event.actor or (acting.principal if acting else None),
        actor_name=event.actor_name or (acting.name if acting else None),
    )


def event_from_item(item: ClaimEventItem) -> ClaimEvent:
    return ClaimEvent(
        seq=int(item.seq),
        at=item.at,
        source=item.source,
        event=Event(item.event),
        from_status=Status(item.from_status) if item.from_status else None,
        to_status=Status(item.to_status),
        codes=tuple(item.codes or ()),
        detail=dict(item.detail or {}),
        actor=item.actor,
        actor_name=item.actor_name,
    )


def _record(item: ClaimItem, events: tuple[ClaimEvent, ...] = ()) -> ClaimRecord:
    try:
        return _read(item, events)
    except (CodecError, KeyError, TypeError, ValueError) as error:
        raise UnreadableClaimError(item.tenant_id, item.claim_id, str(error)) from None


def _read(item: ClaimItem, events: tuple[ClaimEvent, ...]) -> ClaimRecord:
    if item.schema is None:  # schema 1: the request body and the flags' camelCase rows
        claim = claim_v1.claim_from_body(item.body)
        flags = [claim_v1.flag_fields(flag) for flag in item.flags or ()]
    else:
        claim, flags = decode(Claim, item.claim), item.flags or []
    return ClaimRecord(
        tenant_id=item.tenant_id,
        claim_id=item.claim_id,
        status=Status(item.status),
        claim=claim,
        created_at=item.created_at,
        updated_at=item.updated_at,
        version=item.version,
        events=events,
        event_count=int(item.event_count or 0),
        next_action=item.due_pk.removeprefix("DUE#") if item.due_pk else None,
        due_at=datetime.fromisoformat(item.due_sk.split("#", 1)[0]) if item.due_sk else None,
        batch_id=item.batch_id,
        x12_key=item.x12_key,
        send_attempts=int(item.send_attempts or 0),
        remittances=tuple(decode(Posting, posting) for posting in item.remittances or ()),
        parent_claim_id=item.parent_claim_id,
        status_checks=int(item.status_checks or 0),
        submitted_at=item.submitted_at,
        payer_claim_control_number=item.payer_claim_control_number,
        flags=tuple(decode(VarianceFlag, flag) for flag in flags),
        worklist=tuple(decode(WorklistItem, entry) for entry in item.worklist or ()),
        applied=tuple(item.applied or ()),
        status_since=item.status_since,
        status_codes=tuple(item.status_codes or ()),
        previous_claims=tuple(decode(Claim, c) for c in item.previous_claims or ()),
        replaces_claim_id=item.replaces_claim_id,
        replaced_by=tuple(item.replaced_by or ()),
        close_reason=item.close_reason,
        written_off=None if item.written_off is None else Decimal(item.written_off),
        work_states=tuple(decode(WorkState, state) for state in item.work_states or ()),
        appeals=tuple(decode(Appeal, appeal) for appeal in item.appeals or ()),
    )


def _page(items: Iterator[ClaimItem], cursor: str | None) -> ClaimPage:
    claims: list[ClaimRecord] = []
    unreadable: list[UnreadableClaimError] = []
    for item in items:
        try:
            claims.append(_record(item))
        except UnreadableClaimError as error:
            unreadable.append(error)
    return ClaimPage(tuple(claims), cursor, tuple(unreadable))


def create_claim(record: ClaimRecord) -> None:
    """Save a new claim with its first events. An original (frequency 1) claim also takes the
    patient-control-number guard; if another claim holds it, nothing is written."""
    with_guard = record.frequency_code == "1"
    try:
        with TransactWrite(connection=pynamodb_connection()) as tx:
            if with_guard:
                guard = PatientControlGuardItem(
                    pk=guard_pk(record.tenant_id, record.payer_id, record.patient_control_number),
                    sk=GUARD_SK,
                    claim_id=record.claim_id,
                )
                tx.save(guard, condition=PatientControlGuardItem.pk.does_not_exist())
            tx.save(_claim_item(record), condition=ClaimItem.pk.does_not_exist())
            for event in record.events:
                tx.save(
                    _event_item(record, event),
                    condition=ClaimEventItem.pk.does_not_exist(),
                )
    except TransactWriteError as error:
        reasons = error.cancellation_reasons
        if with_guard and reasons and reasons[0] and reasons[0].code == "ConditionalCheckFailed":
            existing = PatientControlGuardItem.get(
                guard_pk(record.tenant_id, record.payer_id, record.patient_control_number), GUARD_SK
            )
            raise DuplicateClaimError(existing.claim_id) from None
        if reasons and any(r and r.code == "ConditionalCheckFailed" for r in reasons):
            raise ConcurrentUpdateError(record.claim_id) from None
        raise


def save_claim_change(record: ClaimRecord, new_events: tuple[ClaimEvent, ...]) -> ClaimRecord:
    """Save a changed claim and append its new events in one transaction. The claim item is
    written only if nobody changed it since `record` was read (version check): a lost update
    is impossible, the caller re-reads and retries on ConcurrentUpdateError. Returns the
    record with its new version."""
    item = _claim_item(record)
    item.version = record.version
    try:
        with TransactWrite(connection=pynamodb_connection()) as tx:
            tx.save(item)
            for event in new_events:
                tx.save(
                    _event_item(record, event),
                    condition=ClaimEventItem.pk.does_not_exist(),
                )
    except TransactWriteError as error:
        if any(r and r.code == "ConditionalCheckFailed" for r in error.cancellation_reasons or ()):
            raise ConcurrentUpdateError(record.claim_id) from None
        raise
    return replace(record, version=(record.version or 0) + 1)


def set_aside(error: UnreadableClaimError, *, now: datetime) -> None:
    """Take an unreadable claim out of every due query and put it on the worklist, in one
    write on its item: no schedule trips over it again, and a person sees why."""
    entry = WorklistItem(
        kind="claim_unreadable",
        claim_id=error.claim_id,
        payer_id=None,
        since=now,
        codes=(),
        suggested_action=KIND_ACTIONS["claim_unreadable"],
        detail=str(error),
        amount=None,
    )
    try:  # version-checked (PynamoDB adds it): a claim changed meanwhile is left for next run
        ClaimItem.get(claim_pk(error.tenant_id, error.claim_id), CLAIM_SK).update(
            actions=[
                ClaimItem.due_pk.remove(),
                ClaimItem.due_sk.remove(),
                ClaimItem.worklist.set([encode(entry)]),
                ClaimItem.work_kinds.set([entry.kind]),
                ClaimItem.work_pk.set(f"T#{error.tenant_id}#WORK"),
                ClaimItem.work_sk.set(f"{now.isoformat()}#{error.claim_id}"),
            ]
        )
    except DoesNotExist:
        return
    except UpdateError as failed:
        if not conditional_failed(failed):
            raise


def due_claims(action: str, until: datetime, *, limit: int, start: str | None = None) -> ClaimPage:
    """Claims whose `action` is due by `until`, oldest first, and where to go on from: a query
    on the sparse due index, which projects the whole claim, so the due set is read once and
    nothing else is (no second read per claim). Index reads are eventually consistent: the
    version check on save catches a claim that changed since."""
    scope = f"DUE#{action}"
    results = Item.by_due.query(
        scope,
        Item.due_sk <= _iso(until) + "~",
        limit=limit,
        page_size=limit,
        last_evaluated_key=decode_cursor(scope, start) if start else None,  # type: ignore[arg-type]
    )
    items = list(_claims_only(results))
    last = results.last_evaluated_key
    return _page(iter(items), encode_cursor(scope, last) if last else None)


def claims_by_patient_control_number(tenant_id: str, pcn: str) -> ClaimPage:
    """Every claim of the tenant with this CLM01 (originals, corrections, secondaries)."""
    return _page(_claims_only(Item.by_pcn.query(f"T#{tenant_id}#PCN#{pcn}")), None)


def load_claim(tenant_id: str, claim_id: str) -> ClaimRecord | None:
    """The claim and its whole history in one query (they share a partition)."""
    claim: ClaimItem | None = None
    events: list[ClaimEvent] = []
    for item in Item.query(claim_pk(tenant_id, claim_id), consistent_read=True):
        if isinstance(item, ClaimItem):
            claim = item
        elif isinstance(item, ClaimEventItem):
            events.append(event_from_item(item))
    if claim is None:
        return None
    events.sort(key=lambda e: e.seq)
    return _record(claim, tuple(events))


def _sign(payload: bytes) -> str:
    return hmac.new(cursor_key(), payload, hashlib.sha256).hexdigest()[:32]


def encode_cursor(scope: str, last_key: Mapping[str, object]) -> str:
    payload = json.dumps({"s": scope, "k": last_key}, sort_keys=True, separators=(",", ":"))
    raw = payload.encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=") + "." + _sign(raw)


def decode_cursor(scope: str, cursor: str) -> dict[str, object]:
    """Only a cursor we issued for this very tenant and query is accepted, and only a key
    shaped like the ones DynamoDB hands out: the default secret is public, so a signature
    proves nothing on a local run, and a forged key must not reach a query."""
    try:
        body, signature = cursor.rsplit(".", 1)
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        data = json.loads(raw)
    except (ValueError, TypeError, RecursionError):  # binascii, JSON and UTF-8 errors included
        raise InvalidCursorError("cursor is malformed") from None
    # Compared as bytes: compare_digest refuses str holding anything but ASCII.
    signed = hmac.compare_digest(signature.encode("utf-8", "replace"), _sign(raw).encode())
    if not signed or not isinstance(data, dict) or data.get("s") != scope:
        raise InvalidCursorError("cursor does not belong to this query")
    key = data.get("k")
    if not _is_start_key(key, scope.split("|", 1)[0]):
        raise InvalidCursorError("cursor is malformed")
    return key


# Every attribute a start key of the table or one of its indexes can hold (all strings).
_KEY_ATTRIBUTES = frozenset(
    {"pk", "sk", "gsi1pk", "gsi2pk", "gsi3pk", "gsi4pk", "gsi5pk", "gsi_sk"}
    | {"due_pk", "due_sk", "work_pk", "work_sk"}
)


def _is_start_key(key: object, hash_key: str) -> TypeGuard[dict[str, object]]:
    """{attribute name: {"S": text}}, the attributes being key attributes of the table and
    one of them the partition the query reads (every scope starts with it)."""
    if not isinstance(key, dict) or not {"pk", "sk"} <= key.keys():
        return False
    for name, value in key.items():
        if name not in _KEY_ATTRIBUTES or not isinstance(value, dict) or set(value) != {"S"}:
            return False
        text = value["S"]
        if not isinstance(text, str) or not text or len(text) > 1024:
            return False
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # an unpaired surrogate: no request could carry it
            return False
    return {"S": hash_key} in key.values()


def list_claims(
    tenant_id: str,
    *,
    status: Status | None = None,
    payer_id: str | None = None,
    updated_since: datetime | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> ClaimPage:
    """A page of claims, oldest update first, from the index that fits the filters (never a
    scan). `updatedSince` is a key condition on the index sort key, so polling reads only what
    changed."""
    tenant = f"T#{tenant_id}"
    index: GlobalSecondaryIndex[Item]
    if status and payer_id:
        index, hash_key = Item.by_payer_status, f"{tenant}#PY#{payer_id}#ST#{status.value}"
    elif status:
        index, hash_key = Item.by_status, f"{tenant}#ST#{status.value}"
    elif payer_id:
        index, hash_key = Item.by_payer, f"{tenant}#PY#{payer_id}"
    else:
        index, hash_key = Item.by_tenant, tenant
    scope = f"{hash_key}|{updated_since.isoformat() if updated_since else ''}"
    start = decode_cursor(scope, cursor) if cursor else None
    condition = (
        Item.gsi_sk >= updated_since.isoformat(timespec="microseconds") if updated_since else None
    )
    results = index.query(
        hash_key,
        range_key_condition=condition,
        limit=limit,
        last_evaluated_key=start,  # type: ignore[arg-type]
        page_size=limit,
    )
    items = list(_claims_only(results))
    last = results.last_evaluated_key
    return _page(iter(items), encode_cursor(scope, last) if last else None)


def _claims_only(items: Iterator[Item]) -> Iterator[ClaimItem]:
    for item in items:
        if isinstance(item, ClaimItem):
            yield item


def worklist_page(
    tenant_id: str,
    *,
    kind: str | None,
    payer_id: str | None,
    older_than: datetime | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[WorklistItem], str | None]:
    """Worklist items, oldest first, from the sparse work index (claims with open items and
    unmatched remittances). `olderThan` is a key condition; kind and payer are filters on the
    index, so a page may hold fewer than `limit` entries while a cursor remains."""
    scope = f"T#{tenant_id}#WORK|{kind or ''}|{payer_id or ''}|{older_than or ''}"
    condition = Item.work_sk <= _iso(older_than) + "~" if older_than else None
    filters: Condition | None = None
    if payer_id:
        filters = ClaimItem.payer_id == payer_id
    if kind:
        has_kind = ClaimItem.work_kinds.contains(kind)
        filters = has_kind if filters is None else filters & has_kind
    results = Item.by_work.query(
        f"T#{tenant_id}#WORK",
        range_key_condition=condition,
        filter_condition=filters,
        limit=limit,
        page_size=limit,
        last_evaluated_key=decode_cursor(scope, cursor) if cursor else None,  # type: ignore[arg-type]
    )
    items: list[WorklistItem] = []
    for item in results:
        for entry in getattr(item, "worklist", None) or []:
            items.append(decode(WorklistItem, entry))
    last = results.last_evaluated_key
    return items, encode_cursor(scope, last) if last else None


def record_to_json(record: ClaimRecord) -> dict[str, Any]:
    """A claim (without its history) as plain JSON, to hand to another worker: the item as
    stored, version included, so the worker's save is checked against what was planned."""
    item = _claim_item(record)
    if record.version is not None:
        item.version = record.version
    return item.to_dynamodb_dict()


def record_from_json(data: dict[str, Any]) -> ClaimRecord:
    item = ClaimItem()
    item.from_dynamodb_dict(data)
    return _record(item)


class DynamoClaimRepository:
    """The claim repository on DynamoDB (the functions above): what the use cases get from
    chalicelib.wiring.claim_repository() unless a test puts another in its place."""

    create_claim = staticmethod(create_claim)
    save_claim_change = staticmethod(save_claim_change)
    set_aside = staticmethod(set_aside)
    due_claims = staticmethod(due_claims)
    claims_by_patient_control_number = staticmethod(claims_by_patient_control_number)
    load_claim = staticmethod(load_claim)
    list_claims = staticmethod(list_claims)
    worklist_page = staticmethod(worklist_page)
    record_to_json = staticmethod(record_to_json)
    record_from_json = staticmethod(record_from_json)

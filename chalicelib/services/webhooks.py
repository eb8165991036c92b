"""Webhooks out: tenants register endpoints for events; the `webhook-deliveries` run announces
what happened and delivers it, signed, retrying with exponential backoff until the receiver
takes it or the last try has failed (then the delivery is `dead`: listed, replayable).

Nothing is lost and nothing is announced twice: a claim's status change waits on the due
index from the claim's own write until the run has made its deliveries (one per endpoint,
its id derived from the event, so a run that dies half-way and the next one make the same
deliveries once); a delivery is taken for a try by a version-checked write that also moves
its next try ahead, so two runs never send the same try, and a run that dies mid-send only
delays it. Receivers still see a delivery more than once when their answer is lost (at least
once): `Claimgate-Delivery` is the same on every try.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from chalicelib.claims.lifecycle import Status
from chalicelib.claims.records import ClaimEvent
from chalicelib.config import settings
from chalicelib.payers.gateways.webhooks import (
    CLAIM_PAID,
    CLAIM_STATUS_CHANGED,
    DEAD,
    DELIVERED,
    MAX_ATTEMPTS,
    PENDING,
    REMITTANCE_UNMATCHED,
    RUN_FAILED,
    SIGNATURE_HEADER,
    WORKLIST_ITEM_CREATED,
    Delivery,
    WebhookEndpoint,
    backoff,
    delivery_id,
    post,
    signature,
)
from chalicelib.schedules.runs import Run
from chalicelib.store import secrets as secret_store
from chalicelib.store import webhooks as store
from chalicelib.store.errors import ConcurrentUpdateError

from .errors import RefusedError

NOTICES_PER_RUN = 1000
DELIVERIES_PER_RUN = 200
_PAID = (Status.PAID, Status.PARTIALLY_PAID)


def register(
    tenant_id: str, url: str, events: tuple[str, ...], description: str | None, *, now: datetime
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its signing secret, which is shown this once. One endpoint per URL:
    the id comes from the URL, so a registration sent twice (a client's retry, two requests
    at once) makes one endpoint, and the second is refused (409 `already_registered`). Each
    attempt keeps its secret under its own name, so the one that loses never changes the
    secret of the one that won."""
    webhook_id = "wh_" + hashlib.sha256(f"{tenant_id}|{url}".encode()).hexdigest()[:16]
    secret = "whsec_" + secrets.token_urlsafe(32)
    prefix = settings().secrets_prefix
    ref = f"{prefix}/tenants/{tenant_id}/webhooks/{webhook_id}-{secrets.token_hex(4)}"
    secret_store.put_secret(ref, {"signingSecret": secret})
    endpoint = WebhookEndpoint(
        tenant_id=tenant_id,
        webhook_id=webhook_id,
        url=url,
        events=events,
        created_at=now,
        secret_ref=ref,
        description=description,
    )
    try:
        store.save_endpoint(endpoint)
    except ConcurrentUpdateError:
        secret_store.delete_secret(ref)
        raise RefusedError(
            "already_registered",
            f"this URL is registered already as {webhook_id}: delete it to register it again",
        ) from None
    return endpoint, secret


def endpoints(tenant_id: str) -> list[WebhookEndpoint]:
    return sorted(store.list_endpoints(tenant_id), key=lambda e: e.created_at)


def endpoint(tenant_id: str, webhook_id: str) -> WebhookEndpoint:
    found = store.load_endpoint(tenant_id, webhook_id)
    if found is None:
        raise RefusedError("not_found", "no such webhook")
    return found


def remove(tenant_id: str, webhook_id: str) -> None:
    found = endpoint(tenant_id, webhook_id)
    store.delete_endpoint(tenant_id, webhook_id)
    secret_store.delete_secret(found.secret_ref)


def deliveries(tenant_id: str, webhook_id: str, *, limit: int) -> list[Delivery]:
    endpoint(tenant_id, webhook_id)
    return store.list_deliveries(tenant_id, webhook_id, limit=limit)


def replay(tenant_id: str, webhook_id: str, delivery: str, *, now: datetime) -> Delivery:
    """Send a delivery again at the next run, with a fresh set of tries."""
    endpoint(tenant_id, webhook_id)
    found = store.load_delivery(tenant_id, webhook_id, delivery)
    if found is None:
        raise RefusedError("not_found", "no such delivery")
    current, version = found
    again = replace(current, status=PENDING, attempts=0, next_attempt_at=now, last_error=None)
    store.save_delivery(again, version=version)
    return again


# -- announcing ------------------------------------------------------------------------------


def announce(
    tenant_id: str,
    event_type: str,
    event_id: str,
    data: dict[str, object],
    *,
    now: datetime,
    occurred_at: datetime | None = None,
    targets: Sequence[WebhookEndpoint] | None = None,
) -> int:
    """One delivery per endpoint of the tenant that takes `event_type`; an event announced
    before makes none. Returns how many were made. Deliveries due together go out in the
    order their events happened (`occurred_at`). `targets`: the tenant's endpoints, when
    the caller has them already."""
    at = occurred_at or now
    made = 0
    for target in store.list_endpoints(tenant_id) if targets is None else targets:
        if event_type not in target.events:
            continue
        identity = delivery_id(target.webhook_id, f"{event_type}|{event_id}")
        body = {
            "id": identity,
            "type": event_type,
            "createdAt": at.isoformat(),
            "data": data,
        }
        made += store.add_delivery(
            Delivery(
                tenant_id=tenant_id,
                webhook_id=target.webhook_id,
                delivery_id=identity,
                event_type=event_type,
                body=json.dumps(body, sort_keys=True, separators=(",", ":")),
                created_at=at,
                next_attempt_at=now,
            )
        )
    return made


def claim_event_data(claim_id: str, event: ClaimEvent) -> dict[str, object]:
    """Ids, statuses and codes: nothing that names or identifies the patient."""
    return {
        "claimId": claim_id,
        "event": event.event.value,
        "previousStatus": event.from_status.value if event.from_status else None,
        "status": event.to_status.value,
        "codes": list(event.codes),
        "at": event.at.isoformat(),
    }


def announce_run_failures(run: Run, *, now: datetime) -> None:
    """`run.failed` to each tenant the run failed for, with its own count and codes only."""
    by_tenant: dict[str, list[str]] = {}
    for error in run.errors:
        if error.tenant_id:
            by_tenant.setdefault(error.tenant_id, []).append(error.code or "error")
    for tenant_id, codes in by_tenant.items():
        data: dict[str, object] = {
            "runId": run.run_id,
            "schedule": run.schedule,
            "failed": len(codes),
            "codes": sorted(set(codes)),
        }
        announce(tenant_id, RUN_FAILED, f"run:{run.run_id}", data, now=now)


def _announce_notices(run: Run, now: datetime) -> None:
    """Each notice becomes its deliveries, then leaves the index. A tenant's endpoints are
    read once per run: most tenants have none, and their notices only leave the index."""
    endpoints_of: dict[str, list[WebhookEndpoint]] = {}
    for notice in store.pending_notices(now, limit=NOTICES_PER_RUN):
        run.examined += 1
        tenant_id = notice.tenant_id
        if tenant_id not in endpoints_of:
            endpoints_of[tenant_id] = store.list_endpoints(tenant_id)
        targets = endpoints_of[tenant_id]
        made = 0
        if notice.event is not None:
            event = notice.event
            data = claim_event_data(notice.claim_id, event)
            event_id = f"claim:{notice.claim_id}:{event.seq}"
            types: tuple[str, ...] = ()
            if event.from_status != event.to_status:
                types = (CLAIM_STATUS_CHANGED,)
                if event.to_status in _PAID:
                    types += (CLAIM_PAID,)
            if any(WORKLIST_ITEM_CREATED in t.events for t in targets):
                made += _announce_work(notice, targets, now)
            for event_type in types:
                made += announce(
                    tenant_id,
                    event_type,
                    event_id,
                    data,
                    now=now,
                    occurred_at=notice.event.at,
                    targets=targets,
                )
        else:
            made = announce(
                tenant_id,
                REMITTANCE_UNMATCHED,
                f"unmatched:{notice.key}",
                dict(notice.data),
                now=now,
                targets=targets,
            )
            work = {**notice.data, "kind": "unmatched_remittance"}
            made += announce(
                tenant_id,
                WORKLIST_ITEM_CREATED,
                f"work:unmatched:{notice.key}",
                work,
                now=now,
                targets=targets,
            )
        run.count("deliveries_made", made)
        store.clear_notice(notice)


def _announce_work(notice: store.Notice, targets: Sequence[WebhookEndpoint], now: datetime) -> int:
    """The worklist items the claim's change put there (read from the claim: only for a
    tenant that listens to `worklist.item_created`)."""
    from chalicelib.wiring import claim_repository

    event = notice.event
    assert event is not None
    record = claim_repository().load_claim(notice.tenant_id, notice.claim_id)
    if record is None:
        return 0
    made = 0
    for item in record.worklist:
        if item.since != event.at:
            continue
        data: dict[str, object] = {
            "claimId": notice.claim_id,
            "kind": item.kind,
            "codes": list(item.codes),
            "suggestedAction": item.suggested_action,
            "amount": None if item.amount is None else str(item.amount),
            "deadline": None if item.deadline is None else item.deadline.isoformat(),
            "since": item.since.isoformat(),
        }
        made += announce(
            notice.tenant_id,
            WORKLIST_ITEM_CREATED,
            f"work:{notice.claim_id}:{event.seq}:{item.kind}",
            data,
            now=now,
            occurred_at=event.at,
            targets=targets,
        )
    return made


# -- delivering ------------------------------------------------------------------------------


def run_webhooks(run: Run, *, now: datetime) -> None:
    """Announce what waits, then make every due try."""
    _announce_notices(run, now)
    secrets_by_ref: dict[str, str] = {}
    targets: dict[tuple[str, str], WebhookEndpoint | None] = {}  # read once per run
    for delivery, version in store.due_deliveries(now, limit=DELIVERIES_PER_RUN):
        run.examined += 1
        key = (delivery.tenant_id, delivery.webhook_id)
        if key not in targets:
            targets[key] = store.load_endpoint(*key)
        target = targets[key]
        if target is None:  # the endpoint was removed: nobody to tell
            _save(run, replace(delivery, status=DEAD, last_error="endpoint removed"), version)
            continue
        attempt = delivery.attempts + 1
        taken = replace(delivery, attempts=attempt, next_attempt_at=now + backoff(attempt))
        if not _save(run, taken, version):
            continue  # another run took this try
        if target.secret_ref not in secrets_by_ref:
            secrets_by_ref[target.secret_ref] = secret_store.get_secret(target.secret_ref)[
                "signingSecret"
            ]
        body = delivery.body.encode()
        status, error = post(
            target.url,
            body,
            {
                "Content-Type": "application/json",
                "User-Agent": "claimgate-webhooks/1",
                SIGNATURE_HEADER: signature(
                    secrets_by_ref[target.secret_ref], int(now.timestamp()), body
                ),
                "Claimgate-Delivery": delivery.delivery_id,
                "Claimgate-Event": delivery.event_type,
            },
        )
        if error is None:
            done = replace(
                taken, status=DELIVERED, last_status_code=status, last_error=None, delivered_at=now
            )
            run.acted += 1
        else:
            dead = attempt >= MAX_ATTEMPTS
            done = replace(
                taken,
                status=DEAD if dead else PENDING,
                last_status_code=status,
                last_error=error,
            )
            run.fail(
                f"webhook {target.webhook_id} try {attempt}: {error}"
                + (" (no more tries: dead)" if dead else ""),
                tenant_id=delivery.tenant_id,
                code="webhook_dead" if dead else "webhook_failed",
            )
        _save(run, done, version + 1)


def _save(run: Run, delivery: Delivery, version: int) -> bool:
    try:
        store.save_delivery(delivery, version=version)
    except ConcurrentUpdateError:
        run.count("deliveries_taken_by_another_run")
        return False
    return True

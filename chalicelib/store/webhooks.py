"""Webhook endpoints and their deliveries, and what waits to be announced.

A claim event that changes the claim's status is written (in the claim's own transaction,
store/claims.py) with a notice on the due index (`DUE#notify`), and so is a remittance that
matched no claim (store/inbound.py); the webhook run turns each notice into deliveries and
takes it off. A pending delivery sits on the due index
(`DUE#webhook`) at its next try. Both are sparse: the run reads only what waits."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from pynamodb.exceptions import DoesNotExist, PutError, UpdateError

from chalicelib.claims.records import ClaimEvent
from chalicelib.codec import decode, encode
from chalicelib.payers.gateways.webhooks import PENDING, Delivery, WebhookEndpoint

from .claims import event_from_item
from .errors import ConcurrentUpdateError, conditional_failed
from .models import (
    NOTIFY,
    ClaimEventItem,
    Item,
    UnmatchedItem,
    WebhookDeliveryItem,
    WebhookEndpointItem,
)

WEBHOOK = "DUE#webhook"


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds")


def _endpoints_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#WEBHOOKS"


def _deliveries_pk(tenant_id: str, webhook_id: str) -> str:
    return f"T#{tenant_id}#WEBHOOK#{webhook_id}"


# -- endpoints -------------------------------------------------------------------------------


def save_endpoint(endpoint: WebhookEndpoint) -> None:
    """Only if there is no endpoint of that id yet; ConcurrentUpdateError when there is."""
    try:
        WebhookEndpointItem(
            pk=_endpoints_pk(endpoint.tenant_id),
            sk=f"W#{endpoint.webhook_id}",
            tenant_id=endpoint.tenant_id,
            endpoint=encode(endpoint),
        ).save(condition=WebhookEndpointItem.pk.does_not_exist())
    except PutError as error:
        if conditional_failed(error):
            raise ConcurrentUpdateError(endpoint.webhook_id) from None
        raise


def list_endpoints(tenant_id: str) -> list[WebhookEndpoint]:
    return [
        decode(WebhookEndpoint, item.endpoint)
        for item in WebhookEndpointItem.query(_endpoints_pk(tenant_id))
    ]


def load_endpoint(tenant_id: str, webhook_id: str) -> WebhookEndpoint | None:
    try:
        item = WebhookEndpointItem.get(_endpoints_pk(tenant_id), f"W#{webhook_id}")
    except DoesNotExist:
        return None
    return decode(WebhookEndpoint, item.endpoint)


def delete_endpoint(tenant_id: str, webhook_id: str) -> None:
    WebhookEndpointItem(pk=_endpoints_pk(tenant_id), sk=f"W#{webhook_id}").delete()


# -- deliveries ------------------------------------------------------------------------------


def _delivery_item(delivery: Delivery) -> WebhookDeliveryItem:
    item = WebhookDeliveryItem(
        pk=_deliveries_pk(delivery.tenant_id, delivery.webhook_id),
        sk=f"D#{delivery.delivery_id}",
        tenant_id=delivery.tenant_id,
        delivery=encode(delivery),
    )
    if delivery.status == PENDING and delivery.next_attempt_at is not None:
        item.due_pk = WEBHOOK
        item.due_sk = (
            f"{_iso(delivery.next_attempt_at)}#{_iso(delivery.created_at)}#{delivery.delivery_id}"
        )
    return item


def add_delivery(delivery: Delivery) -> bool:
    """Store a new delivery; False when it exists already (the event was announced before)."""
    try:
        _delivery_item(delivery).save(condition=WebhookDeliveryItem.pk.does_not_exist())
    except PutError as error:
        if conditional_failed(error):
            return False
        raise
    return True


def load_delivery(tenant_id: str, webhook_id: str, delivery_id: str) -> tuple[Delivery, int] | None:
    try:
        item = WebhookDeliveryItem.get(
            _deliveries_pk(tenant_id, webhook_id), f"D#{delivery_id}", consistent_read=True
        )
    except DoesNotExist:
        return None
    return decode(Delivery, item.delivery), int(item.version or 0)


def save_delivery(delivery: Delivery, *, version: int) -> None:
    """Write over the delivery at `version`; ConcurrentUpdateError when another run took it."""
    item = _delivery_item(delivery)
    item.version = version
    try:
        item.save()
    except PutError as error:
        if conditional_failed(error):
            raise ConcurrentUpdateError(delivery.delivery_id) from None
        raise


def list_deliveries(tenant_id: str, webhook_id: str, *, limit: int) -> list[Delivery]:
    """Newest first is what a person looks for; ids are not ordered, so sort by creation."""
    found = [
        decode(Delivery, item.delivery)
        for item in WebhookDeliveryItem.query(_deliveries_pk(tenant_id, webhook_id))
    ]
    return sorted(found, key=lambda d: d.created_at, reverse=True)[:limit]


def due_deliveries(until: datetime, *, limit: int) -> list[tuple[Delivery, int]]:
    return [
        (decode(Delivery, item.delivery), int(item.version or 0))
        for item in Item.by_due.query(WEBHOOK, Item.due_sk <= _iso(until) + "~", limit=limit)
        if isinstance(item, WebhookDeliveryItem)
    ]


# -- claim events waiting to be announced ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Notice:
    """Something waiting to be announced: a claim's status change (`event`), or a remittance
    that matched no claim (`key`, `data`: ids and amounts only)."""

    tenant_id: str
    pk: str
    sk: str
    claim_id: str = ""
    event: ClaimEvent | None = None
    key: str = ""
    data: Mapping[str, object] = field(default_factory=dict)


def pending_notices(until: datetime, *, limit: int) -> Iterator[Notice]:
    """What waits to be announced, oldest first."""
    for item in Item.by_due.query(NOTIFY, Item.due_sk <= _iso(until) + "~", limit=limit):
        if isinstance(item, ClaimEventItem):
            event = event_from_item(item)
            yield Notice(item.tenant_id, item.pk, item.sk, claim_id=item.claim_id, event=event)
        elif isinstance(item, UnmatchedItem):
            detail = item.detail or {}
            data = {
                "reference": item.sk,
                "payerId": item.payer_id,
                "amount": detail.get("paid"),
                "traceNumber": detail.get("traceNumber"),
                "reason": item.reason,
            }
            yield Notice(item.tenant_id, item.pk, item.sk, key=item.sk, data=data)


def clear_notice(notice: Notice) -> None:
    """Take the item off the notice index (it stays where it is otherwise)."""
    model = ClaimEventItem if notice.event is not None else UnmatchedItem
    item = model(pk=notice.pk, sk=notice.sk)
    try:
        item.update(
            actions=[model.due_pk.remove(), model.due_sk.remove()],
            condition=model.pk.exists(),
        )
    except UpdateError as error:
        if not conditional_failed(error):
            raise

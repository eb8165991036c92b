"""Webhook endpoints (`/v1/webhooks`) and their deliveries: register an endpoint for events
(its signing secret is shown once, in the answer to the POST), list and remove endpoints,
list deliveries with their tries, replay one."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

from chalice.app import Blueprint, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from chalicelib.clock import utcnow

from .auth import tenant_of
from .http import (
    BodyError,
    json_body,
    json_response,
    problems_response,
    query_int,
    schema_problems,
)
from .refusals import refusal_response, refusals
from .views import ProblemOut, View

if TYPE_CHECKING:  # the gateways load with the first request that needs them (cold start)
    from chalicelib.payers.gateways.webhooks import Delivery, WebhookEndpoint

webhooks = Blueprint(__name__)

EventName = Literal[
    "claim.status_changed",
    "claim.paid",
    "remittance.unmatched",
    "run.failed",
    "worklist.item_created",
]
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


class WebhookIn(BaseModel):
    """POST /v1/webhooks. `url`: https, or http on this machine (local receivers only)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    url: str = Field(max_length=2000)
    events: list[EventName] = Field(min_length=1, max_length=5)
    description: str | None = Field(default=None, max_length=200)

    @field_validator("url")
    @classmethod
    def _reachable(cls, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme == "https" and parts.hostname:
            return url
        if parts.scheme == "http" and parts.hostname in _LOOPBACK:
            return url
        raise ValueError("the URL must be https (http only for a receiver on this machine)")


class WebhookOut(View):
    webhookId: str  # noqa: N815 - wire name
    url: str
    events: list[str]
    description: str | None
    createdAt: datetime  # noqa: N815

    @classmethod
    def of(cls, endpoint: WebhookEndpoint) -> WebhookOut:
        return cls(
            webhookId=endpoint.webhook_id,
            url=endpoint.url,
            events=list(endpoint.events),
            description=endpoint.description,
            createdAt=endpoint.created_at,
        )


class WebhookCreatedOut(WebhookOut):
    signingSecret: str  # noqa: N815 - shown once: keep it to check the signatures


class WebhookListOut(View):
    webhooks: list[WebhookOut]


class DeliveryOut(View):
    deliveryId: str  # noqa: N815
    event: str
    status: str
    attempts: int
    nextAttemptAt: datetime | None  # noqa: N815
    lastStatusCode: int | None  # noqa: N815
    lastError: str | None  # noqa: N815
    createdAt: datetime  # noqa: N815
    deliveredAt: datetime | None  # noqa: N815

    @classmethod
    def of(cls, delivery: Delivery) -> DeliveryOut:
        return cls(
            deliveryId=delivery.delivery_id,
            event=delivery.event_type,
            status=delivery.status,
            attempts=delivery.attempts,
            nextAttemptAt=delivery.next_attempt_at if delivery.status == "pending" else None,
            lastStatusCode=delivery.last_status_code,
            lastError=delivery.last_error,
            createdAt=delivery.created_at,
            deliveredAt=delivery.delivered_at,
        )


class DeliveryListOut(View):
    deliveries: list[DeliveryOut]


@webhooks.route("/v1/webhooks", methods=["POST"])
def register() -> Response:
    from chalicelib.services import webhooks as service

    request = webhooks.current_request
    try:
        given = WebhookIn.model_validate(json_body(request, max_bytes=8 * 1024))
    except BodyError as error:
        return error.response()
    except ValidationError as error:
        return problems_response(422, "the webhook is not valid", schema_problems(error))
    try:
        endpoint, secret = service.register(
            tenant_of(request),
            given.url,
            tuple(dict.fromkeys(given.events)),
            given.description,
            now=utcnow(),
        )
    except refusals() as error:
        return refusal_response(error, "url")
    created = WebhookCreatedOut(**WebhookOut.of(endpoint).model_dump(), signingSecret=secret)
    return json_response(created, 201)


@webhooks.route("/v1/webhooks", methods=["GET"])
def list_webhooks() -> Response:
    from chalicelib.services import webhooks as service

    found = service.endpoints(tenant_of(webhooks.current_request))
    return json_response(WebhookListOut(webhooks=[WebhookOut.of(e) for e in found]))


@webhooks.route("/v1/webhooks/{webhook_id}", methods=["DELETE"])
def remove(webhook_id: str) -> Response:
    from chalicelib.services import webhooks as service

    try:
        service.remove(tenant_of(webhooks.current_request), webhook_id)
    except refusals() as error:
        return refusal_response(error, "webhookId")
    return Response(body="", status_code=204)


@webhooks.route("/v1/webhooks/{webhook_id}/deliveries", methods=["GET"])
def list_deliveries(webhook_id: str) -> Response:
    from chalicelib.services import webhooks as service

    request = webhooks.current_request
    problems: list[ProblemOut] = []
    limit = query_int(
        request.query_params or {}, "limit", problems, default=50, lowest=1, highest=200
    )
    if problems:
        return problems_response(400, "the query is not valid", problems)
    try:
        found = service.deliveries(tenant_of(request), webhook_id, limit=limit)
    except refusals() as error:
        return refusal_response(error, "webhookId")
    return json_response(DeliveryListOut(deliveries=[DeliveryOut.of(d) for d in found]))


@webhooks.route("/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/replay", methods=["POST"])
def replay(webhook_id: str, delivery_id: str) -> Response:
    from chalicelib.services import webhooks as service

    try:
        again = service.replay(
            tenant_of(webhooks.current_request), webhook_id, delivery_id, now=utcnow()
        )
    except refusals() as error:
        return refusal_response(error)
    return json_response(DeliveryOut.of(again), 202)

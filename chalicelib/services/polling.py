"""The clearinghouse poll: send what is queued, then fetch and apply each tenant's inbound
files from each gateway's mailbox. The cursor is saved after the files are applied; files are
deduplicated by sha256, so a poll that dies half-way is simply repeated."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from chalicelib.payers.gateways.base import GatewayError
from chalicelib.schedules.runs import Run
from chalicelib.store import inbound as inbound_store
from chalicelib.store.tenants import list_tenant_ids

from .inbound import receive_file
from .submission import GatewayLookup, account_for, send_queued_claims


def poll_clearinghouses(
    run: Run, *, now: datetime, gateway_for: GatewayLookup, gateways: Iterable[str]
) -> None:
    send_queued_claims(run, now=now, gateway_for=gateway_for)
    for tenant_id in list_tenant_ids():
        for name in gateways:
            gateway = gateway_for(name)
            cursor = inbound_store.load_cursor(tenant_id, name)
            try:
                batch = gateway.fetch_inbound(account_for(tenant_id, gateway), cursor)
            except GatewayError as error:
                run.fail(
                    f"fetching from {name} failed: {error}",
                    tenant_id=tenant_id,
                    code="gateway_error",
                )
                continue
            for file in batch.files:
                run.examined += 1
                outcome = receive_file(
                    tenant_id, file.content, name=file.name, source=name, now=now
                )
                run.count(f"files_{outcome.status}")
                run.acted += len(outcome.claims_updated)
                run.count("unmatched", outcome.unmatched)
                for problem in outcome.errors:
                    run.fail(
                        str(problem.get("message") or problem.get("code")),
                        tenant_id=tenant_id,
                        claim_id=str(problem["claimId"]) if "claimId" in problem else None,
                        code=str(problem.get("code")),
                    )
            inbound_store.save_cursor(tenant_id, name, batch.cursor, now=now)

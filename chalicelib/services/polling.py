"""The clearinghouse poll: for each tenant, send what is queued, then fetch and apply the files
in its mailbox at each gateway.

Each tenant is polled under a lease (one run at a time per tenant: a duplicate schedule event
or an operator's manual run overlapping the timer skips a tenant another run is polling).
One tenant's failure is recorded and the next tenant is polled; one file that cannot be
applied is archived and reported, and the mailbox cursor moves past it. The cursor is saved
after the files are applied; files are deduplicated by sha256 and every change they make is
keyed on the claim it changes, so a poll that dies half-way is simply repeated.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from chalicelib.observability import logger, where_raised
from chalicelib.payers.accounts import MAILBOXES
from chalicelib.payers.gateways.base import Gateway, GatewayError
from chalicelib.schedules.runs import Run
from chalicelib.store import batches as batch_store
from chalicelib.store import inbound as inbound_store
from chalicelib.store.queue import send_part_messages
from chalicelib.store.tenants import list_tenant_ids
from chalicelib.wiring import claim_repository

from .due import by_tenant, report_unreadable
from .inbound import receive_file
from .leases import tenant_lease
from .lookups import tenant_accounts
from .remittance_parts import PartsPlan
from .submission import GatewayLookup, account_for, send_queued_claims

DUE_PER_RUN = 1000


def poll_clearinghouses(
    run: Run, *, now: datetime, gateway_for: GatewayLookup, gateways: Iterable[str]
) -> None:
    names = tuple(gateways)
    due_batches = by_tenant(batch_store.due_batches(now, limit=DUE_PER_RUN))
    page = claim_repository().due_claims("send", now, limit=DUE_PER_RUN)
    report_unreadable(run, page, now=now)
    due_claims = by_tenant(page.claims)
    for tenant_id in list_tenant_ids():
        with tenant_lease(run, tenant_id, now=now) as held:
            if not held:
                continue
            try:
                send_queued_claims(
                    run,
                    now=now,
                    gateway_for=gateway_for,
                    due_batches=due_batches.get(tenant_id, ()),
                    due_claims=due_claims.get(tenant_id, ()),
                )
                for name in names + _own_mailboxes(tenant_id):
                    _fetch_mailbox(
                        run,
                        tenant_id,
                        name,
                        now=now,
                        gateway_for=gateway_for,
                        own=name not in names,
                    )
            except Exception as error:  # one tenant's failure never stops the others' poll
                _tenant_failed(run, tenant_id, error)


def _fetch_mailbox(
    run: Run,
    tenant_id: str,
    name: str,
    *,
    now: datetime,
    gateway_for: GatewayLookup,
    own: bool,
) -> None:
    """Fetch, archive and apply each file, then let the mailbox move it on. `own`: one of the
    tenant's own accounts, where every file must be addressed (ISA08) to its submitter id."""
    try:
        gateway = gateway_for(tenant_id, name)
    except GatewayError as error:
        run.fail(
            f"clearinghouse account {name}: {error}", tenant_id=tenant_id, code="account_error"
        )
        return
    cursor = inbound_store.load_cursor(tenant_id, name)
    account = account_for(tenant_id, gateway)
    try:
        batch = gateway.fetch_inbound(account, cursor)
    except GatewayError as error:
        run.fail(f"fetching from {name} failed: {error}", tenant_id=tenant_id, code="gateway_error")
        return
    taken: list[str] = []
    for file in batch.files:
        run.examined += 1
        outcome = receive_file(
            tenant_id,
            file.content,
            name=file.name,
            source=name,
            now=now,
            addressed_to=account if own else None,
            parts=PartsPlan(fanout=send_part_messages),
        )
        taken.append(file.name)
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
    _acknowledge(run, tenant_id, gateway, account, taken)


def _own_mailboxes(tenant_id: str) -> tuple[str, ...]:
    """The tenant's own clearinghouse accounts that keep files for us (an SFTP inbound
    folder, a JSON API's reports)."""
    return tuple(a.account_id for a in tenant_accounts(tenant_id) if a.kind in MAILBOXES)


def _acknowledge(
    run: Run, tenant_id: str, gateway: Gateway, account: str, names: list[str]
) -> None:
    """The files are archived and applied (or archived and reported): the mailbox may let
    them go, all in one call. If this fails (or the run died before it), they are fetched
    again next poll and found duplicates."""
    if not names:
        return
    try:
        gateway.acknowledge(account, names)
    except GatewayError as error:
        run.fail(
            f"moving {len(names)} file(s) out of the inbound folder failed: {error}",
            tenant_id=tenant_id,
            code="gateway_error",
        )


def _tenant_failed(run: Run, tenant_id: str, error: Exception) -> None:
    """Exception messages can carry data (PHI): keep the type and where it was raised only."""
    where = where_raised(error)
    logger.error(
        "tenant poll failed",
        extra={"tenant_id": tenant_id, "error": error.__class__.__name__, "at": where},
    )
    run.fail(
        f"poll of this tenant stopped: {error.__class__.__name__} at {where}",
        tenant_id=tenant_id,
        code="tenant_error",
    )

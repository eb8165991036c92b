"""Secondary and tertiary billing: after a payer's 835 posts on a claim with other payers on
file, bill the next one with the prior payers' adjudication (2320/2330B/2430), unless the payer
crossed the claim over itself. The decision is chalicelib.claims.cob's; this carries it out."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from chalicelib.claims.cob import (
    CobError,
    CoverageOrder,
    NextPayerAction,
    build_next_payer_claim,
    order_by_coverage,
    plan_next_payer,
)
from chalicelib.claims.errors import LifecycleError
from chalicelib.claims.lifecycle import Event
from chalicelib.claims.model import Claim
from chalicelib.claims.records import ClaimRecord
from chalicelib.schedules.runs import Run
from chalicelib.store.errors import ConcurrentUpdateError, DuplicateClaimError
from chalicelib.wiring import claim_repository

from .claims import (
    ClaimNotFoundError,
    ClaimRejectedError,
    latest_coverage,
    submit_claim,
    transition,
)
from .due import by_tenant, report_unreadable, take_due
from .leases import tenant_lease

SOURCE = "secondary-routing"
ROUTING_LEASE = timedelta(minutes=15)  # a run that dies leaves its claims due again after it


def route_secondary_claims(
    run: Run, *, now: datetime, new_claim_id: Callable[[], str], limit: int = 500
) -> None:
    page = claim_repository().due_claims("secondary", now, limit=limit)
    due = list(page.claims)
    report_unreadable(run, page, now=now)
    run.examined += len(due)
    for tenant_id, records in by_tenant(due).items():
        with tenant_lease(run, tenant_id, now=now) as held:
            if held:
                _route_all(run, records, now=now, new_claim_id=new_claim_id)


def _route_all(
    run: Run, due: list[ClaimRecord], *, now: datetime, new_claim_id: Callable[[], str]
) -> None:
    for record in take_due(run, due, now=now, lease=ROUTING_LEASE):
        try:
            _route(run, record, now=now, new_claim_id=new_claim_id)
        except (ClaimNotFoundError, ConcurrentUpdateError, LifecycleError) as error:
            run.fail(error.__class__.__name__, claim_id=record.claim_id, tenant_id=record.tenant_id)


def _route(
    run: Run, record: ClaimRecord, *, now: datetime, new_claim_id: Callable[[], str]
) -> None:
    claim, postings = record.claim, list(record.remittances)
    if not postings:
        _note(record, now, "no remittance posted yet", ())
        return
    claim, order = _in_coverage_order(record)
    decision = plan_next_payer(claim, postings)
    codes: tuple[str, ...] = (f"cob:{decision.action.value}",)
    if order is not None and order.changed:
        codes += ("cob_order:271",)
    owed = decision.balance > 0 or decision.patient_responsibility > 0
    billable = decision.action in (NextPayerAction.BILL_NEXT, NextPayerAction.NOTHING_TO_BILL)
    if order is not None and order.missing and billable and owed:
        run.count("cob_review")
        _note(
            record,
            now,
            "the payer's eligibility answer places payers that are not on the claim: "
            + ", ".join(order.missing),
            ("cob:review", "cob_order:271"),
        )
        return
    if decision.action is not NextPayerAction.BILL_NEXT or decision.next_payer is None:
        run.count(f"cob_{decision.action.value}")
        _note(record, now, decision.reason, codes)
        return
    next_payer_id = decision.next_payer.payer.identifier
    try:
        secondary = build_next_payer_claim(
            claim,
            postings[-1],
            control_number=claim.control_number,
            adjudication_date=postings[-1].payment_date or now.date(),
        )
        created, _ = submit_claim(
            record.tenant_id,
            secondary,
            claim_id=new_claim_id(),
            now=now,
            source=SOURCE,
            parent_claim_id=record.claim_id,
        )
    except DuplicateClaimError as duplicate:  # a retry of a run that died after creating it
        _note(
            record,
            now,
            f"{next_payer_id} claim exists",
            codes,
            secondaryClaimId=duplicate.existing_claim_id,
        )
        return
    except (CobError, ClaimRejectedError, ValueError) as error:
        run.fail(
            f"secondary claim for {next_payer_id} not built: {error.__class__.__name__}",
            claim_id=record.claim_id,
            tenant_id=record.tenant_id,
            code="cob_error",
        )
        _note(record, now, f"secondary claim for {next_payer_id} needs a person", codes)
        return
    run.acted += 1
    run.count("secondary_claims")
    _note(record, now, f"billed {next_payer_id}", codes, secondaryClaimId=created.claim_id)


def _in_coverage_order(record: ClaimRecord) -> tuple[Claim, CoverageOrder | None]:
    """The claim's other payers in the order the payer's newest eligibility answer gives
    (a 271 naming another payer in 2120C), before the next payer is chosen."""
    check = latest_coverage(record.tenant_id, record.claim)
    if check is None or not check.answer.other_payers:
        return record.claim, None
    named = [(p.entity_code, p.identifier) for p in check.answer.other_payers]
    order = order_by_coverage(record.claim, named)
    return order.claim, order


def _note(
    record: ClaimRecord, now: datetime, reason: str, codes: tuple[str, ...], **detail: str
) -> None:
    """Record what was decided on the claim's history and clear the due action."""
    transition(
        record.tenant_id,
        record.claim_id,
        Event.NOTE,
        at=now,
        source=SOURCE,
        codes=codes,
        detail={"reason": reason, **detail},
        next_action=None,
        due_at=None,
    )

"""The biller's fixes after the fact: correct and resubmit a rejected claim, replace (7) or
void (8) one the payer has adjudicated, close one with a write-off. Each is one
version-checked write on the claim (update_claim), with its event on the history, so two
people acting at once never both win and a retry changes nothing twice."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from chalicelib.claims.lifecycle import Event, Status
from chalicelib.claims.model import Claim
from chalicelib.claims.paths import changed_fields
from chalicelib.claims.records import ClaimEvent, ClaimRecord, with_event
from chalicelib.claims.scrub import ScrubFinding

from .authorizations import count_units
from .claims import (
    ClaimNotFoundError,
    ClaimRejectedError,
    blocking,
    first_action,
    scrub_with_coverage,
    submit_claim,
    update_claim,
)
from .errors import RefusedError

# Before the payer has accepted a claim, a fix goes out as the same claim again (frequency 1);
# from then on only a replacement or a void (frequency 7 or 8) may change it.
CORRECTABLE = frozenset({Status.REJECTED, Status.CLEARINGHOUSE_REJECTED, Status.PAYER_REJECTED})
REPLACEABLE = frozenset(
    {
        Status.ACCEPTED,
        Status.PENDING,
        Status.INFO_REQUESTED,
        Status.PAID,
        Status.PARTIALLY_PAID,
        Status.DENIED,
    }
)
CLOSE_REASONS = frozenset(
    {"timely_filing", "small_balance", "not_covered", "bad_debt", "duplicate", "other"}
)
MAX_PREVIOUS_VERSIONS = 10


class CorrectionRefusedError(RefusedError):
    """The claim cannot take this correction now; `reason` says why in the biller's words."""


class _UnchangedError(Exception):
    """The claim already is what the request asks for (a retry): nothing to write."""


def resubmit_corrected(
    tenant_id: str, claim_id: str, claim: Claim, *, now: datetime, source: str = "api"
) -> tuple[ClaimRecord, tuple[ScrubFinding, ...]]:
    """Replace a rejected claim's content and queue it again: same id, same payer and patient
    control number, the earlier version kept, the changed fields named on the history.
    Raises ClaimRejectedError (nothing changed), CorrectionRefusedError, ClaimNotFoundError."""
    findings, check = scrub_with_coverage(tenant_id, claim, now=now)
    if blocking(findings):
        raise ClaimRejectedError(blocking(findings))
    count_units(tenant_id, claim, now=now)
    action = first_action(tenant_id, claim, check, now=now)

    def change(current: ClaimRecord) -> tuple[ClaimRecord, tuple[ClaimEvent, ...]]:
        if current.claim == claim and current.status is Status.QUEUED:
            raise _UnchangedError(current.claim_id)
        if current.status not in CORRECTABLE:
            raise CorrectionRefusedError(
                "not_correctable",
                f"a {current.status.value} claim cannot be corrected in place: "
                + (
                    "send a replacement (frequency 7) or a void (8) instead"
                    if current.status in REPLACEABLE
                    else "only rejected claims are corrected and resubmitted"
                ),
            )
        if (claim.trading_partner_service_id, claim.claim_information.patient_control_number) != (
            current.payer_id,
            current.patient_control_number,
        ):
            raise CorrectionRefusedError(
                "identity_changed",
                "a corrected claim keeps its payer and patient control number: for another "
                "payer or visit, submit a new claim",
            )
        if claim.claim_information.claim_frequency_code != current.frequency_code:
            raise CorrectionRefusedError(
                "frequency_changed", "a corrected claim keeps its claim frequency code"
            )
        changed = changed_fields(current.claim, claim)
        updated, entry = with_event(
            current,
            Event.RESUBMIT,
            at=now,
            source=source,
            codes=tuple(f.code for f in findings),
            detail={"changed": ", ".join(changed[:30]), "changedCount": str(len(changed))},
            claim=claim,
            previous_claims=(*current.previous_claims, current.claim)[-MAX_PREVIOUS_VERSIONS:],
            next_action=action,
            due_at=now,
            batch_id=None,
            send_attempts=0,
        )
        return updated, (entry,)

    try:
        return update_claim(tenant_id, claim_id, change), findings
    except _UnchangedError:
        return _reload(tenant_id, claim_id), findings


def replace_or_void(
    tenant_id: str,
    claim_id: str,
    claim: Claim | None,
    *,
    claim_id_for_new: str,
    now: datetime,
    source: str = "api",
) -> tuple[ClaimRecord, tuple[ScrubFinding, ...]]:
    """A replacement (`claim` given: frequency 7) or a void (`claim` None: the original's
    content, frequency 8) of an adjudicated claim, carrying the payer's claim control number
    of the original in REF*F8 (loop 2300). The new claim is queued like any other; both are
    linked. Raises CorrectionRefusedError, ClaimRejectedError, ClaimNotFoundError."""
    original = _reload(tenant_id, claim_id)
    if original.status not in REPLACEABLE:
        raise CorrectionRefusedError(
            "not_replaceable",
            f"a {original.status.value} claim cannot be replaced or voided: "
            + (
                "correct and resubmit it instead"
                if original.status in CORRECTABLE
                else "the payer has not accepted it"
            ),
        )
    payer_number = original.payer_claim_control_number
    if not payer_number:
        raise CorrectionRefusedError(
            "payer_claim_number_unknown",
            "the payer's claim control number is not known yet (it comes with the 277CA or the "
            "835): a replacement or void must name it (REF*F8)",
        )
    base = claim or original.claim
    if claim is not None and (
        claim.trading_partner_service_id != original.payer_id
        or claim.claim_information.patient_control_number != original.patient_control_number
    ):
        raise CorrectionRefusedError(
            "identity_changed",
            "a replacement keeps the original's payer and patient control number",
        )
    frequency = "7" if claim is not None else "8"
    info = replace(
        base.claim_information,
        claim_frequency_code=frequency,
        payer_claim_control_number=payer_number,
    )
    new_claim = replace(base, claim_information=info)
    created, findings = submit_claim(
        tenant_id,
        new_claim,
        claim_id=claim_id_for_new,
        now=now,
        source=source,
        replaces_claim_id=original.claim_id,
    )

    def link(current: ClaimRecord) -> tuple[ClaimRecord, tuple[ClaimEvent, ...]]:
        if created.claim_id in current.replaced_by:
            raise _UnchangedError(current.claim_id)
        updated, entry = with_event(
            current,
            Event.CORRECTED
            if current.status in (Status.PAID, Status.PARTIALLY_PAID, Status.DENIED)
            else Event.NOTE,
            at=now,
            source=source,
            codes=(f"frequency:{frequency}",),
            detail={"replacementClaimId": created.claim_id, "frequency": frequency},
            replaced_by=(*current.replaced_by, created.claim_id),
        )
        return updated, (entry,)

    with suppress(_UnchangedError):
        update_claim(tenant_id, claim_id, link)
    return created, findings


def close_claim(
    tenant_id: str,
    claim_id: str,
    *,
    reason: str,
    written_off: Decimal,
    note: str | None,
    now: datetime,
    source: str = "api",
) -> ClaimRecord:
    """Close a claim, writing off what stays uncollected. A claim already closed with the same
    reason and amount is left as it is (a retry); closing it again otherwise is refused."""
    if reason not in CLOSE_REASONS:
        raise CorrectionRefusedError(
            "invalid_reason", f"reason is one of {', '.join(sorted(CLOSE_REASONS))}"
        )
    if not written_off.is_finite() or written_off < 0:
        raise CorrectionRefusedError("invalid_amount", "the amount written off is 0 or more")

    def change(current: ClaimRecord) -> tuple[ClaimRecord, tuple[ClaimEvent, ...]]:
        if current.status is Status.CLOSED:
            if (current.close_reason, current.written_off) == (reason, written_off):
                raise _UnchangedError(current.claim_id)
            raise CorrectionRefusedError("already_closed", "the claim is closed already")
        if written_off > current.charge_amount:
            raise CorrectionRefusedError(
                "invalid_amount", "the amount written off is more than the claim's charge"
            )
        detail = {"reason": reason, "writtenOff": str(written_off)}
        if note:
            detail["note"] = note
        updated, entry = with_event(
            current,
            Event.CLOSE,
            at=now,
            source=source,
            codes=(f"close:{reason}",),
            detail=detail,
            close_reason=reason,
            written_off=written_off,
            next_action=None,
            due_at=None,
        )
        return updated, (entry,)

    try:
        return update_claim(tenant_id, claim_id, change)
    except _UnchangedError:
        return _reload(tenant_id, claim_id)


def _reload(tenant_id: str, claim_id: str) -> ClaimRecord:
    from .claims import get_claim

    record = get_claim(tenant_id, claim_id)
    if record is None:
        raise ClaimNotFoundError(claim_id)
    return record

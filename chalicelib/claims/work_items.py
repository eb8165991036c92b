"""A worklist item: one thing a person must do about a claim, and the kinds there are. Kept
apart from the rules that derive them (`worklist`) so the stored claim record can hold them."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from types import MappingProxyType

WORKLIST_KINDS: Mapping[str, str] = MappingProxyType(
    {
        "scrub_rejected": "Failed our scrubbing edits; never sent.",
        "clearinghouse_rejected": "Rejected by the clearinghouse (999 or 277CA); not at the payer.",
        "payer_rejected": "Rejected by the payer as unprocessable (277CA / 277 A3, A6-A8).",
        "denied": "Adjudicated and denied, in whole or by line (835).",
        "underpaid": "Paid less than the contracted rate.",
        "overpaid": "Paid more than the contracted rate.",
        "math_error": (
            "The payer's arithmetic does not add up: a line paid other than allowed less the "
            "patient's share, or an 835 that does not balance."
        ),
        "info_requested": "The payer asked for more information (277 R codes).",
        "timely_filing_risk": "Within 30 days of the payer's filing limit and not yet accepted.",
        "not_found_at_payer": "The payer has no record of the claim or member (277 A4, A7:33).",
        "no_response": "Status checks exhausted without an answer that ends the follow-up.",
        "unmatched_remittance": "A payment line that matched no line of the claim.",
        "claim_unreadable": "A stored claim the service cannot read; set aside until repaired.",
        "unmatched_status": (
            "A 999, 277CA or 277 status about a claim we do not know (no payment involved)."
        ),
        "possible_duplicate_payment": (
            "A replacement claim was paid while the original's payment was never reversed."
        ),
        "authorization_expiring": (
            "A prior authorization or referral ends within two weeks (or has ended)."
        ),
        "authorization_running_out": (
            "A prior authorization or referral has few units left (a fifth, or fewer than two)."
        ),
        "inbound_file_error": (
            "A clearinghouse file (999, 277CA, 277, 835) that was archived but could not be "
            "applied: unreadable, or missing what the TR3 requires."
        ),
    }
)


@dataclass(frozen=True, slots=True)
class WorkNote:
    at: datetime
    text: str
    by: str | None = None


@dataclass(frozen=True, slots=True)
class WorkState:
    """What people did about one kind of item on a claim: whose it is, until when it sleeps,
    notes, and when it was resolved (with the outcome). A resolution covers the item as it
    was then: when the claim raises it again later (a new `since`), it is back."""

    kind: str
    assignee: str | None = None
    snoozed_until: datetime | None = None
    notes: tuple[WorkNote, ...] = ()
    resolved_at: datetime | None = None
    outcome: str | None = None


def with_work_states(
    items: tuple[WorklistItem, ...], states: tuple[WorkState, ...]
) -> tuple[WorklistItem, ...]:
    """The derived items with what people did to them; resolved ones left out."""
    by_kind = {state.kind: state for state in states}
    kept: list[WorklistItem] = []
    for item in items:
        state = by_kind.get(item.kind)
        if state is None:
            kept.append(item)
        elif state.resolved_at is None or state.resolved_at < item.since:
            kept.append(
                replace(
                    item,
                    assignee=state.assignee,
                    snoozed_until=state.snoozed_until,
                    notes=state.notes,
                )
            )
    return tuple(kept)


@dataclass(frozen=True, slots=True)
class WorklistItem:
    """One thing a person must do about a claim. `amount` is the money at risk, when known.
    An entry about no claim (a payment or file that matched none) has no `claim_id`, may have
    no payer, and names what it is about in `reference` (its key in the unmatched queue)."""

    kind: str
    claim_id: str | None
    payer_id: str | None
    since: datetime
    codes: tuple[str, ...]
    suggested_action: str
    detail: str
    amount: Decimal | None
    reference: str | None = None
    # What to act on, besides the claim: its patient control number, and for a payment or a
    # file that matched nothing, the 835 trace number and the archived file.
    patient_control_number: str | None = None
    trace_number: str | None = None
    file: str | None = None
    deadline: date | None = None  # the filing limit, or the last day to appeal
    # A person's handling of it (WorkState): kept on the claim, merged in when derived.
    assignee: str | None = None
    snoozed_until: datetime | None = None
    notes: tuple[WorkNote, ...] = ()

    @property
    def item_id(self) -> str:
        """How a person names this entry in the API: the claim and the kind, or the entry
        that matched nothing (its reference, base64url)."""
        if self.claim_id:
            return f"c.{self.claim_id}.{self.kind}"
        encoded = base64.urlsafe_b64encode((self.reference or "").encode()).decode()
        return "u." + encoded.rstrip("=")

    def __post_init__(self) -> None:
        if self.kind not in WORKLIST_KINDS:
            raise ValueError(f"{self.kind!r} is not a worklist kind")

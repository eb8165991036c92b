"""A worklist item: one thing a person must do about a claim, and the kinds there are. Kept
apart from the rules that derive them (`worklist`) so the stored claim record can hold them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
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
        "possible_duplicate_payment": (
            "A replacement claim was paid while the original's payment was never reversed."
        ),
        "inbound_file_error": (
            "A clearinghouse file (999, 277CA, 277, 835) that was archived but could not be "
            "applied: unreadable, or missing what the TR3 requires."
        ),
    }
)


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

    def __post_init__(self) -> None:
        if self.kind not in WORKLIST_KINDS:
            raise ValueError(f"{self.kind!r} is not a worklist kind")

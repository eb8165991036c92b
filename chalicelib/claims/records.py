"""A stored claim as the domain sees it: its identity, status and append-only history.
Built by the store from its items and by the service before saving; never a PynamoDB model."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from .lifecycle import Event, Status


@dataclass(frozen=True, slots=True)
class ClaimEvent:
    """One entry of a claim's history: what happened, when, from which source, with which codes
    (e.g. 277CA category/status codes, CARC/RARC). `to_status` equals `from_status` for events
    that only record something."""

    seq: int
    at: datetime
    source: str
    event: Event
    from_status: Status | None
    to_status: Status
    codes: tuple[str, ...] = ()
    detail: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ClaimRecord:
    tenant_id: str
    claim_id: str
    status: Status
    payer_id: str
    patient_control_number: str
    frequency_code: str
    charge_amount: Decimal
    created_at: datetime
    updated_at: datetime
    body: Mapping[str, object]
    version: int | None = None
    events: tuple[ClaimEvent, ...] = ()

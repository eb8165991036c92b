"""An 837P interchange of claims in the contract's shape, as a practice system exports one
(or as the sandbox needs to answer a claim another gateway carried)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any


def interchange_837p(
    requests: Sequence[dict[str, Any]],
    *,
    sender: str = "PRACTICE",
    receiver: str = "CLAIMGATE",
    control: int = 7,
    at: datetime = datetime(2026, 11, 20, 12, tzinfo=UTC),
) -> bytes:
    from chalicelib.api.contract import ClaimRequest
    from chalicelib.x12.write.claim837p import render_837p
    from chalicelib.x12.writer import EnvelopeValues

    claims = [ClaimRequest.model_validate(r).to_claim() for r in requests]
    text = render_837p(
        claims,
        EnvelopeValues(
            sender_qualifier="ZZ",
            sender_id=sender,
            receiver_qualifier="ZZ",
            receiver_id=receiver,
            interchange_control_number=control,
            group_control_number=control,
            date=at.date(),
            time="1200",
            usage_indicator=claims[0].usage_indicator,
            functional_id="HC",
            implementation_reference="005010X222A1",
        ),
        submitter_id=sender,
        receiver_id=receiver,
        transaction_control_number=f"{control:04d}",
        reference_id=f"EXPORT{control}",
        created_at=at,
    )
    return text.encode()

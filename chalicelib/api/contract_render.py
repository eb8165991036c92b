"""A domain claim back in the contract's shape: what GET /v1/claims/{id} shows, and
how a claim that did not come as a request (read from an 837P file) meets the contract's rules."""

from __future__ import annotations

from pydantic import ValidationError

from chalicelib.claims import model
from chalicelib.claims.claim_v3 import claim_v3

from .contract import ClaimRequest


def request_from_claim(claim: model.Claim) -> ClaimRequest:
    """The contract-shape request for a domain claim: how a claim read from an uploaded 837P
    file, or a secondary claim claimgate builds itself, is stored and shown like any other."""
    return ClaimRequest.model_validate(claim_v3(claim))


def contract_problems(claim: model.Claim) -> list[tuple[str, str, str]]:
    """What the contract refuses in a claim that did not come as a request (one read from an
    837P file): (code, message, request path) for each problem, none when it is valid."""
    try:
        request_from_claim(claim)
    except ValidationError as invalid:
        return [
            ("invalid_value", e["msg"], ".".join(str(p) for p in e["loc"]))
            for e in invalid.errors(include_input=False, include_url=False)
        ]
    return []

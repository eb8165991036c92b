"""Errors of the store: what the service needs to tell the caller, free of PynamoDB types."""

from __future__ import annotations


class StoreError(Exception):
    """Base of the store's errors."""


class DuplicateClaimError(StoreError):
    """An original claim with the same patient control number exists for this payer."""

    def __init__(self, existing_claim_id: str) -> None:
        self.existing_claim_id = existing_claim_id
        super().__init__(f"duplicate of claim {existing_claim_id}")


class ConcurrentUpdateError(StoreError):
    """The claim changed since it was read (version mismatch): read again and retry."""


class InvalidCursorError(StoreError):
    """A list cursor that was not issued by us for this tenant and query."""


def conditional_failed(error: Exception) -> bool:
    """Whether a PynamoDB write failed on its condition (someone else changed the item), as
    opposed to any other failure, which the caller lets through."""
    cause = getattr(error, "cause", None)
    code = getattr(cause, "response", {}).get("Error", {}).get("Code")
    return bool(code == "ConditionalCheckFailedException")

"""Who a visit was billed for, as the claim says: the patient (the dependent, or the
subscriber when the patient is the insured), the guarantor (the subscriber) and where a
statement goes. Kept on the patient account for statements; PHI, never logged."""

from __future__ import annotations

from typing import Any

from chalicelib.claims.model import Address, Claim

# PAT01 relationship codes a statement names in words (the rest read as "dependent").
_RELATIONSHIP = {"01": "spouse", "19": "child", "20": "employee", "39": "organ donor"}


def billed_identity(claim: Claim) -> dict[str, Any]:
    """The patient and guarantor names, the statement address (the patient's, else the
    subscriber's), and whether the patient was billed as subscriber or dependent."""
    subscriber, dependent = claim.subscriber, claim.dependent
    if dependent is None:
        patient = {"firstName": subscriber.first_name, "lastName": subscriber.last_name}
        relationship = "self"
        address = subscriber.address
    else:
        patient = {"firstName": dependent.first_name, "lastName": dependent.last_name}
        relationship = _RELATIONSHIP.get(dependent.relationship_to_subscriber_code, "dependent")
        address = dependent.address or subscriber.address
    return {
        "patient": patient,
        "guarantor": {"firstName": subscriber.first_name, "lastName": subscriber.last_name},
        "billedAs": relationship,
        "address": _address(address),
    }


def _address(address: Address | None) -> dict[str, str] | None:
    if address is None:
        return None
    lines = {
        "address1": address.address1,
        "city": address.city,
        "state": address.state,
        "postalCode": address.postal_code,
    }
    if address.address2:
        lines["address2"] = address.address2
    return lines

"""Eligibility checks: the coverage snapshot each 271 gave, under the tenant."""

from __future__ import annotations

from pynamodb.exceptions import DoesNotExist

from chalicelib.claims.eligibility import EligibilityCheck
from chalicelib.codec import decode, encode

from .models import EligibilityItem


def _pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#ELIGIBILITY"


def save_check(check: EligibilityCheck) -> None:
    EligibilityItem(
        pk=_pk(check.tenant_id),
        sk=f"E#{check.check_id}",
        tenant_id=check.tenant_id,
        check=encode(check),
    ).save(condition=EligibilityItem.pk.does_not_exist())


def load_check(tenant_id: str, check_id: str) -> EligibilityCheck | None:
    try:
        item = EligibilityItem.get(_pk(tenant_id), f"E#{check_id}")
    except DoesNotExist:
        return None
    return decode(EligibilityCheck, item.check)

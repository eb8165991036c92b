"""Eligibility checks: the coverage snapshot each 271 gave, under the tenant; and, under a
keyed hash of the member, the same checks newest first, so a claim for that member finds
what the payer said (the table never holds a member id)."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date

from pynamodb.exceptions import DoesNotExist

from chalicelib.claims.eligibility import EligibilityCheck
from chalicelib.codec import decode, encode

from .models import EligibilityItem
from .secrets import cursor_key


def _pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#ELIGIBILITY"


def member_key(payer_id: str, member_id: str, birth_date: date | None) -> str:
    """The member as a keyed hash (HMAC with the stage's secret key): the same payer, member id
    and patient's birth date give the same key; a dictionary of member ids does not reverse
    it without the key."""
    text = f"{payer_id}|{member_id.strip().upper()}|{birth_date.isoformat() if birth_date else ''}"
    return hmac.new(cursor_key(), text.encode(), hashlib.sha256).hexdigest()[:40]


def _member_pk(tenant_id: str, key: str) -> str:
    return f"T#{tenant_id}#ELIGMEMBER#{key}"


def save_check(
    check: EligibilityCheck, *, member: str | None = None, member_only: bool = False
) -> None:
    """The check, and under `member` (member_key) for the claims of that member; with
    `member_only`, only there (the check itself is already saved)."""
    if member is not None:
        EligibilityItem(
            pk=_member_pk(check.tenant_id, member),
            sk=f"{check.checked_at.isoformat(timespec='microseconds')}#{check.check_id}",
            tenant_id=check.tenant_id,
            check=encode(check),
        ).save()
    if member_only:
        return
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


def latest_checks(tenant_id: str, member: str, *, limit: int = 5) -> list[EligibilityCheck]:
    """The member's checks, newest first."""
    return [
        decode(EligibilityCheck, item.check)
        for item in EligibilityItem.query(
            _member_pk(tenant_id, member), scan_index_forward=False, limit=limit
        )
    ]

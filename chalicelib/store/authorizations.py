"""Prior authorizations and referrals, and each payer's authorization rules, under the tenant.

An authorization's id is a keyed hash of its kind, payer and number, so the claim that names
the number finds it with one read, and the same number is recorded once. Every change is a
write conditioned on the version read (a count-down from two claims at once never loses one).
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import replace

from pynamodb.exceptions import DoesNotExist, PutError

from chalicelib.claims.authorizations import (
    Authorization,
    AuthorizationRules,
    work_items,
)
from chalicelib.claims.worklist import worklist_sort_key
from chalicelib.codec import decode, encode

from .claims import decode_cursor, encode_cursor
from .errors import ConcurrentUpdateError, StoreError, conditional_failed
from .models import AuthorizationItem, AuthorizationRulesItem
from .secrets import cursor_key


class DuplicateAuthorizationError(StoreError):
    """The payer's number is already recorded (as this id)."""

    def __init__(self, authorization_id: str) -> None:
        self.authorization_id = authorization_id
        super().__init__(f"already recorded as {authorization_id}")


def _pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#AUTH"


def authorization_id(kind: str, payer_id: str, number: str) -> str:
    """The same kind, payer and number (case and spaces aside) give the same id; the id does
    not reveal the number without the stage's key."""
    text = f"{kind}|{payer_id}|{number.strip().upper()}"
    return "aut_" + hmac.new(cursor_key(), text.encode(), hashlib.sha256).hexdigest()[:24]


def _item(authorization: Authorization) -> AuthorizationItem:
    items = sorted(work_items(authorization), key=worklist_sort_key)
    tenant = authorization.tenant_id
    item = AuthorizationItem(
        pk=_pk(tenant),
        sk=f"A#{authorization.authorization_id}",
        tenant_id=tenant,
        payer_id=authorization.terms.payer_id,
        authorization=encode(authorization),
        worklist=[encode(entry) for entry in items],
        work_kinds=sorted({entry.kind for entry in items}),
        work_pk=f"T#{tenant}#WORK" if items else None,
        work_sk=(
            f"{min(e.since for e in items).isoformat(timespec='microseconds')}#"
            f"{authorization.authorization_id}"
            if items
            else None
        ),
    )
    if authorization.version is not None:
        item.version = authorization.version
    return item


def _authorization(item: AuthorizationItem) -> Authorization:
    return replace(decode(Authorization, item.authorization), version=item.version)


def create(authorization: Authorization) -> Authorization:
    """Record it once: DuplicateAuthorizationError when the number is on file already."""
    item = _item(authorization)
    try:
        item.save(condition=AuthorizationItem.pk.does_not_exist())
    except PutError as error:
        if conditional_failed(error):
            raise DuplicateAuthorizationError(authorization.authorization_id) from None
        raise
    return _authorization(item)


def save_change(authorization: Authorization) -> Authorization:
    """Write a change read at `authorization.version`; ConcurrentUpdateError when another
    writer got there first (read again and retry)."""
    item = _item(authorization)
    try:
        item.save()  # VersionAttribute: conditioned on the version read
    except PutError as error:
        if conditional_failed(error):
            raise ConcurrentUpdateError(authorization.authorization_id) from None
        raise
    return _authorization(item)


def load(tenant_id: str, authorization_id: str) -> Authorization | None:
    try:
        item = AuthorizationItem.get(_pk(tenant_id), f"A#{authorization_id}", consistent_read=True)
    except DoesNotExist:
        return None
    return _authorization(item)


def page(
    tenant_id: str, *, payer_id: str | None, limit: int, cursor: str | None
) -> tuple[list[Authorization], str | None]:
    """A page of the tenant's authorizations (in id order), and where to go on from."""
    scope = f"T#{tenant_id}#AUTH|{payer_id or ''}"
    results = AuthorizationItem.query(
        _pk(tenant_id),
        filter_condition=(AuthorizationItem.payer_id == payer_id) if payer_id else None,
        limit=limit,
        page_size=limit,
        last_evaluated_key=decode_cursor(scope, cursor) if cursor else None,  # type: ignore[arg-type]
    )
    found = [_authorization(item) for item in results]
    last = results.last_evaluated_key
    return found, encode_cursor(scope, last) if last else None


def _rules_pk(tenant_id: str, payer_id: str) -> str:
    return f"T#{tenant_id}#AUTHRULES#{payer_id}"


def add_rules(tenant_id: str, payer_id: str, rules: AuthorizationRules) -> AuthorizationRules:
    """A new version (its id sorts after every earlier one: the upload time first)."""
    version = f"{rules.uploaded_at.isoformat(timespec='microseconds')}#{uuid.uuid4().hex[:8]}"
    stored = AuthorizationRules(version=version, uploaded_at=rules.uploaded_at, rules=rules.rules)
    AuthorizationRulesItem(
        pk=_rules_pk(tenant_id, payer_id),
        sk=f"V#{version}",
        tenant_id=tenant_id,
        payer_id=payer_id,
        rules=encode(stored),
    ).save(condition=AuthorizationRulesItem.pk.does_not_exist())
    return stored


def load_rules(tenant_id: str, payer_id: str) -> list[AuthorizationRules]:
    """Every version, oldest first."""
    return [
        decode(AuthorizationRules, item.rules)
        for item in AuthorizationRulesItem.query(_rules_pk(tenant_id, payer_id))
    ]

"""Prior authorizations and referrals: record them, hold claims to them (scrub warnings), count
their units down as claims use them, keep each payer's authorization rules as dated data, and
put the ones about to end or run out on the worklist."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from chalicelib.claims.authorizations import (
    Authorization,
    AuthorizationRule,
    AuthorizationRules,
    AuthorizationTerms,
    authorization_edits,
    claim_numbers,
    rule_in_force,
    with_use,
    work_items,
)
from chalicelib.claims.eligibility import EligibilityCheck
from chalicelib.claims.model import Claim
from chalicelib.claims.scrub import ScrubFinding
from chalicelib.store import authorizations as store
from chalicelib.wiring import on_reset, payer_directory

from .errors import RefusedError, replaced
from .lookups import TtlCache, find_payer

_rules = TtlCache()
on_reset(_rules.clear)


def record(tenant_id: str, terms: AuthorizationTerms, *, now: datetime) -> Authorization:
    """RefusedError `invalid_payer` for a payer not in the directory, `already_recorded`
    (409) for a number on file (its id in the message)."""
    if find_payer(tenant_id, terms.payer_id) is None:
        raise RefusedError("invalid_payer", "the payer is not in the directory")
    terms = replace(terms, number=terms.number.strip())
    authorization = Authorization(
        tenant_id=tenant_id,
        authorization_id=store.authorization_id(terms.kind, terms.payer_id, terms.number),
        terms=terms,
        recorded_at=now,
    )
    try:
        return store.create(authorization)
    except store.DuplicateAuthorizationError as duplicate:
        raise RefusedError(
            "already_recorded",
            f"this {terms.kind} number is recorded for the payer as {duplicate.authorization_id}",
        ) from None


def get(tenant_id: str, authorization_id: str) -> Authorization:
    found = store.load(tenant_id, authorization_id)
    if found is None:
        raise RefusedError("not_found", "no such authorization")
    return found


def listed(
    tenant_id: str, *, payer_id: str | None, limit: int, cursor: str | None
) -> tuple[list[Authorization], str | None]:
    return store.page(tenant_id, payer_id=payer_id, limit=limit, cursor=cursor)


def add_rules(
    tenant_id: str, payer_id: str, rules: tuple[AuthorizationRule, ...], *, now: datetime
) -> AuthorizationRules:
    """A new version of the payer's rules (never over an older one)."""
    if find_payer(tenant_id, payer_id) is None:
        raise RefusedError("not_found", "no such payer")
    added = store.add_rules(tenant_id, payer_id, AuthorizationRules("", now, rules))
    _rules.forget(f"{tenant_id}|{payer_id}")
    return added


def rules_of(tenant_id: str, payer_id: str) -> list[AuthorizationRules]:
    return store.load_rules(tenant_id, payer_id)


def _rules_in_force(tenant_id: str, payer_id: str) -> list[AuthorizationRules]:
    """Cached per container like payer policies: another container sees a new version within
    a minute."""
    # Kept wrapped: a payer without rules is a result worth keeping too (TtlCache keeps no None).
    directory = payer_directory()
    held = _rules.get(
        f"{tenant_id}|{payer_id}",
        lambda: (tuple(directory.load_authorization_rules(tenant_id, payer_id)),),
    )
    return list(held[0]) if held else []


def _recorded(tenant_id: str, claim: Claim) -> dict[tuple[str, str], Authorization]:
    """The claim payer's authorizations the claim names, by (kind, number)."""
    found: dict[tuple[str, str], Authorization] = {}
    directory = payer_directory()
    for kind, number in claim_numbers(claim):
        held = directory.load_authorization(
            tenant_id, store.authorization_id(kind, claim.trading_partner_service_id, number)
        )
        if held is not None:
            found[(kind, number)] = held
    return found


def needed_lines(tenant_id: str, claim: Claim, check: EligibilityCheck | None) -> Mapping[int, str]:
    """Which lines' procedures need an authorization, and who says so: the payer's 271
    (EB11 Y with the procedure in EB13), or its rules in force on the line's date."""
    by_271 = set()
    if check is not None:
        by_271 = {b.procedure for b in check.answer.benefits if b.authorization_required}
    versions = _rules_in_force(tenant_id, claim.trading_partner_service_id)
    needed: dict[int, str] = {}
    for index, line in enumerate(claim.claim_information.service_lines):
        rule = rule_in_force(versions, line.procedure_code, line.service_date)
        if line.procedure_code in by_271:
            needed[index] = "the payer's eligibility answer"
        elif rule is not None and rule.required:
            needed[index] = f"the payer's authorization rules (from {rule.effective_from})"
    return needed


def authorization_findings(
    tenant_id: str, claim: Claim, check: EligibilityCheck | None
) -> tuple[ScrubFinding, ...]:
    return authorization_edits(
        claim, needed=needed_lines(tenant_id, claim, check), recorded=_recorded(tenant_id, claim)
    )


def count_units(tenant_id: str, claim: Claim, *, now: datetime) -> None:
    """Count the claim's units on each recorded authorization it names, under its patient
    control number: a retry, a resend or a replacement sets the same entry (never twice),
    a void takes it off. Each write is conditioned on the version read, retried on a race."""
    for kind, number in claim_numbers(claim):
        authorization_id = store.authorization_id(kind, claim.trading_partner_service_id, number)

        def count(authorization_id: str = authorization_id) -> None:
            held = store.load(tenant_id, authorization_id)
            changed = with_use(held, claim, now=now) if held is not None else None
            if changed is not None:
                store.save_change(changed)

        replaced(count)


def resolve_work(tenant_id: str, reference: str, *, now: datetime) -> bool:
    """Resolve an authorization's worklist entry (its reference, `auth:<id>` or
    `auth:<id>:units`); False when it is not on the list."""
    authorization_id = reference.removeprefix("auth:").removesuffix(":units")
    kind = "authorization_running_out" if reference.endswith(":units") else "authorization_expiring"

    def resolve() -> bool:
        held = store.load(tenant_id, authorization_id)
        if held is None:
            return False
        if kind not in {item.kind for item in work_items(held)}:
            return False
        store.save_change(replace(held, resolved={**held.resolved, kind: now}))
        return True

    return replaced(resolve)

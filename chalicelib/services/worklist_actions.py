"""Working the worklist: assign an entry, note it, snooze it until a day, resolve it with an
outcome. An entry about a claim is changed in one version-checked write on the claim (so two
people resolving it at once: one wins, the other is told); an entry that matched no claim is
resolved by taking it off the unmatched queue, once."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, replace
from datetime import datetime

from chalicelib.claims.lifecycle import Event
from chalicelib.claims.records import ClaimEvent, ClaimRecord, with_event
from chalicelib.claims.work_items import WorkNote, WorkState

from .claims import ClaimNotFoundError, update_claim
from .errors import RefusedError

ACTIONS = ("assign", "note", "snooze", "resolve")
MAX_NOTES = 50


@dataclass(frozen=True, slots=True)
class WorkAction:
    action: str
    assignee: str | None = None
    note: str | None = None
    until: datetime | None = None
    outcome: str | None = None


class WorkActionRefusedError(RefusedError):
    """See RefusedError."""


def act(tenant_id: str, item_id: str, action: WorkAction, *, now: datetime) -> None:
    """Apply `action` to the entry `item_id` (WorklistItem.item_id). Raises
    WorkActionRefusedError (404-like `not_found`, 409-like `already_resolved`)."""
    if item_id.startswith("c."):
        claim_id, _, kind = item_id[2:].rpartition(".")
        if not claim_id or not kind:
            raise WorkActionRefusedError("not_found", "no such worklist entry")
        _act_on_claim(tenant_id, claim_id, kind, action, now=now)
    elif item_id.startswith("u."):
        _act_on_unmatched(tenant_id, _reference(item_id[2:]), action, now=now)
    else:
        raise WorkActionRefusedError("not_found", "no such worklist entry")


def _reference(encoded: str) -> str:
    try:
        return base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise WorkActionRefusedError("not_found", "no such worklist entry") from None


def _act_on_claim(
    tenant_id: str, claim_id: str, kind: str, action: WorkAction, *, now: datetime
) -> None:
    def change(current: ClaimRecord) -> tuple[ClaimRecord, tuple[ClaimEvent, ...]]:
        item = next((i for i in current.worklist if i.kind == kind), None)
        if item is None:
            already = next((s for s in current.work_states if s.kind == kind), None)
            if already is not None and already.resolved_at is not None:
                raise WorkActionRefusedError("already_resolved", "this entry was resolved already")
            raise WorkActionRefusedError("not_found", "no such worklist entry")
        states = {s.kind: s for s in current.work_states}
        state = states.get(kind, WorkState(kind=kind))
        if state.resolved_at is not None and state.resolved_at < item.since:
            state = WorkState(kind=kind)  # it came back: a new round
        state = _applied(state, action, now)
        states[kind] = state
        detail = {"kind": kind, "action": action.action}
        if action.assignee:
            detail["assignee"] = action.assignee
        if action.outcome:
            detail["outcome"] = action.outcome
        updated, entry = with_event(
            current,
            Event.NOTE,
            at=now,
            source="worklist",
            codes=(f"worklist:{action.action}",),
            detail=detail,
            work_states=tuple(states.values()),
        )
        return updated, (entry,)

    try:
        update_claim(tenant_id, claim_id, change)
    except ClaimNotFoundError:
        raise WorkActionRefusedError("not_found", "no such worklist entry") from None


def _applied(state: WorkState, action: WorkAction, now: datetime) -> WorkState:
    if action.action == "assign":
        return replace(state, assignee=action.assignee)
    if action.action == "note":
        note = WorkNote(at=now, text=action.note or "", by=action.assignee)
        return replace(state, notes=(*state.notes, note)[-MAX_NOTES:])
    if action.action == "snooze":
        return replace(state, snoozed_until=action.until)
    return replace(state, resolved_at=now, outcome=action.outcome)


def _act_on_unmatched(tenant_id: str, key: str, action: WorkAction, *, now: datetime) -> None:
    """An entry about no claim: a remittance or file that matched none, or an authorization
    (`auth:` references) about to end or run out."""
    from chalicelib.store import inbound

    from .authorizations import resolve_work

    if action.action != "resolve":
        raise WorkActionRefusedError(
            "not_supported",
            "an entry about no claim is resolved (after matching, returning or renewing it); "
            "assign, note and snooze work on claims' entries",
        )
    if key.startswith("auth:"):
        resolved = resolve_work(tenant_id, key, now=now)
    else:
        resolved = inbound.resolve_unmatched(tenant_id, key)
    if not resolved:
        raise WorkActionRefusedError("already_resolved", "this entry is not on the list")

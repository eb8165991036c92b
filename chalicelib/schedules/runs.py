"""A run of a schedule as operators see it: when, what triggered it, what it examined, acted
on and failed, and each error with the claim it concerns (ids and codes only, never PHI)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class RunError:
    message: str
    claim_id: str | None = None
    tenant_id: str | None = None
    code: str | None = None


@dataclass(slots=True)
class Run:
    """Mutable while the run goes on; saved when it starts and when it ends."""

    run_id: str
    schedule: str
    trigger: str  # "schedule" | "manual" | "local-timer"
    started_at: datetime
    ended_at: datetime | None = None
    examined: int = 0
    acted: int = 0
    failed: int = 0
    errors: list[RunError] = field(default_factory=list)
    detail: dict[str, int] = field(default_factory=dict)

    def fail(
        self,
        message: str,
        *,
        claim_id: str | None = None,
        tenant_id: str | None = None,
        code: str | None = None,
    ) -> None:
        self.failed += 1
        if len(self.errors) < 100:  # a run with thousands of failures keeps the first hundred
            self.errors.append(RunError(message, claim_id, tenant_id, code))

    def count(self, name: str, by: int = 1) -> None:
        self.detail[name] = self.detail.get(name, 0) + by

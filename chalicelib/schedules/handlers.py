"""Scheduled Lambda handlers: thin, one per schedule, named after it. Chalice schedules take
one CloudWatchEvent, so log keys are added by hand (STYLE.md), inside services.runs."""

from __future__ import annotations

from chalice.app import Blueprint, CloudWatchEvent, Rate

from .registry import CLEARINGHOUSE_POLL, SECONDARY_ROUTING

schedules = Blueprint(__name__)


@schedules.schedule(
    Rate(CLEARINGHOUSE_POLL.rate_minutes, unit=Rate.MINUTES), name=CLEARINGHOUSE_POLL.name
)
def clearinghouse_poll(event: CloudWatchEvent) -> None:
    from chalicelib.services.runs import execute

    execute(CLEARINGHOUSE_POLL.name, trigger="schedule")


@schedules.schedule(
    Rate(SECONDARY_ROUTING.rate_minutes, unit=Rate.MINUTES), name=SECONDARY_ROUTING.name
)
def secondary_routing(event: CloudWatchEvent) -> None:
    from chalicelib.services.runs import execute

    execute(SECONDARY_ROUTING.name, trigger="schedule")

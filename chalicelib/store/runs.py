"""Schedule runs, listed newest first per schedule and across schedules."""

from __future__ import annotations

from dataclasses import asdict

from pynamodb.exceptions import DoesNotExist

from chalicelib.schedules.runs import Run, RunError

from .claims import decode_cursor, encode_cursor
from .models import Item, RunItem

RUN_SK = "#RUN"


def _item(run: Run) -> RunItem:
    order = f"{run.started_at.isoformat(timespec='microseconds')}#{run.run_id}"
    return RunItem(
        pk=f"RUN#{run.run_id}",
        sk=RUN_SK,
        run_id=run.run_id,
        schedule=run.schedule,
        trigger=run.trigger,
        started_at=run.started_at,
        ended_at=run.ended_at,
        examined=run.examined,
        acted=run.acted,
        failed=run.failed,
        errors=[asdict(e) for e in run.errors],
        detail=dict(run.detail),
        gsi2pk="RUNS",
        gsi3pk=f"RUNS#{run.schedule}",
        gsi_sk=order,
    )


def _run(item: RunItem) -> Run:
    return Run(
        run_id=item.run_id,
        schedule=item.schedule,
        trigger=item.trigger,
        started_at=item.started_at,
        ended_at=item.ended_at,
        examined=int(item.examined or 0),
        acted=int(item.acted or 0),
        failed=int(item.failed or 0),
        errors=[RunError(**e) for e in item.errors or []],
        detail={k: int(v) for k, v in (item.detail or {}).items()},
    )


def save_run(run: Run) -> None:
    _item(run).save()


def load_run(run_id: str) -> Run | None:
    try:
        return _run(RunItem.get(f"RUN#{run_id}", RUN_SK))
    except DoesNotExist:
        return None


def list_runs(
    schedule: str | None, *, limit: int, cursor: str | None
) -> tuple[list[Run], str | None]:
    """Newest first; one schedule's runs or all of them, with an opaque cursor."""
    index = Item.by_tenant if schedule else Item.by_payer
    hash_key = f"RUNS#{schedule}" if schedule else "RUNS"
    start = decode_cursor(hash_key, cursor) if cursor else None
    results = index.query(
        hash_key,
        scan_index_forward=False,
        limit=limit,
        page_size=limit,
        last_evaluated_key=start,  # type: ignore[arg-type]
    )
    runs = [_run(item) for item in results if isinstance(item, RunItem)]
    last = results.last_evaluated_key
    return runs, encode_cursor(hash_key, last) if last else None

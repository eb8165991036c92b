"""Importing the app (a Lambda container's cold start) builds the routes and schedules only:
the store, the AWS SDK, the X12 readers and the use cases are imported by the first request
or run that needs them (benchmarks/cold_start.py measures what that saves)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFERRED = (
    "boto3",
    "pynamodb",
    "chalicelib.store.models",
    "chalicelib.services.claims",
    "chalicelib.services.inbound",
    "chalicelib.x12",
    "chalicelib.claims.posting",
    "chalicelib.api.contract",
    "chalicelib.payers.gateways",
)


def test_cold_start_import_app_defers_the_store_sdk_readers_and_use_cases() -> None:
    code = (
        "import json, sys, app; "
        "print(json.dumps([len(app.app.routes), len(app.app.handler_map), sorted(sys.modules)]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    routes, handlers, modules = json.loads(out.strip().splitlines()[-1])
    assert routes >= 14 and handlers >= 5  # every route and schedule is registered
    loaded = [m for m in modules if m.startswith(DEFERRED)]
    assert loaded == []

"""The linuxforhealth x12 library as an independent oracle for the 270s we write (pyx12 has no
005010X279A1 map). It needs pydantic 1, so it lives in its own virtual environment
(.venv/oracles, built by `make` from requirements-oracles.txt) and is run as a process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ORACLE_PYTHON = ROOT / ".venv" / "oracles" / "bin" / "python"


def read_with_linuxforhealth(texts: list[str]) -> list[dict[str, Any]]:
    """For each interchange: {"ok": True, "models": [...]} or {"ok": False, "error", "detail"}."""
    if not ORACLE_PYTHON.exists():
        raise RuntimeError(
            f"{ORACLE_PYTHON} is missing: `make .venv/.installed` builds the oracles' environment"
        )
    done = subprocess.run(
        [str(ORACLE_PYTHON), "-m", "tests.oracles.linuxforhealth_read"],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=120,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise RuntimeError(f"the linuxforhealth oracle failed: {done.stderr[-500:]}")
    answers: list[dict[str, Any]] = json.loads(done.stdout)
    return answers

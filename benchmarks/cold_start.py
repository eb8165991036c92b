"""Cold start: how long a new Lambda container takes to import the app, next to importing the
libraries it is built on (chalice, pydantic, pynamodb, powertools, boto3) alone. Whole
processes, paired and alternated so the machine's noise hits both alike; the median of the
pairs' ratios is the figure.

    python -m benchmarks.cold_start [--pairs 15]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEPS = "import chalice.app, pydantic, pynamodb.models, aws_lambda_powertools, boto3"
APP = "import app"


def _seconds(code: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=15)
    args = parser.parse_args()
    _seconds(APP)  # warm the file cache and the bytecode
    deps, app, ratios = [], [], []
    for n in range(args.pairs):
        if n % 2:
            a, d = _seconds(APP), _seconds(DEPS)
        else:
            d, a = _seconds(DEPS), _seconds(APP)
        deps.append(d)
        app.append(a)
        ratios.append(a / d)
    print(f"import_deps_seconds={statistics.median(deps):.3f}")
    print(f"import_app_seconds={statistics.median(app):.3f}")
    print(f"import_app_over_deps={statistics.median(ratios):.2f}")


if __name__ == "__main__":
    main()

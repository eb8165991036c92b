"""Run by .venv/oracles/bin/python (pydantic 1): read each X12 interchange given as a JSON list
of strings on stdin with the linuxforhealth x12 library's models, and print, for each, either
the transaction sets it read (as plain JSON) or the library's validation errors."""

from __future__ import annotations

import json
import sys
from typing import Any


def _read(text: str) -> dict[str, Any]:
    from linuxforhealth.x12.io import X12ModelReader  # only in .venv/oracles

    try:
        with X12ModelReader(text) as reader:
            models = [model.dict() for model in reader.models()]
    except Exception as error:
        return {"ok": False, "error": type(error).__name__, "detail": str(error)}
    return {"ok": True, "models": models}


def main() -> None:
    texts = json.load(sys.stdin)
    json.dump([_read(text) for text in texts], sys.stdout, default=str)


if __name__ == "__main__":
    main()

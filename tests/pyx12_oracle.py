"""pyx12 as an independent oracle for the X12 we write (STYLE: a second implementation as the
oracle, like h11 testing against the stdlib's HTTP).

pyx12 is a dev dependency and never imported by runtime code. `validate` runs the same
validation as its `x12valid` script, in process, with the error report written as JSON
(`fd_json`) so every error comes back with its location instead of being scraped from logs.
pyx12 knows 837P X222A1, 837I, 835, 277CA and 999 (not 270/271/276/277 X212).
"""

from __future__ import annotations

import io
import json
import logging

import pyx12.errors
import pyx12.params
import pyx12.x12n_document

__all__ = ["validate", "validate_many"]


def _errors(node: object, where: str) -> list[str]:
    """Messages of one node of pyx12's JSON error tree, located."""
    if not isinstance(node, dict):
        return []
    found: list[str] = []
    for error in node.get("errors", []):
        if isinstance(error, dict):
            value = error.get("err_val")
            suffix = f" (value {value!r})" if value not in (None, "") else ""
            found.append(f"{where}: [{error.get('err_cde')}] {error.get('err_str')}{suffix}")
    return found


def _walk(report: object) -> dict[str, list[str]]:
    """Messages per interchange control number (ISA13)."""
    if not isinstance(report, dict):
        return {"": [f"unreadable pyx12 report: {report!r}"]}
    found: dict[str, list[str]] = {}
    for isa in report.get("interchanges", []):
        messages = found.setdefault(str(isa.get("isa_trn_set_id")), [])
        messages += _errors(isa, f"ISA {isa.get('isa_trn_set_id')}")
        for gs in isa.get("groups", []):
            messages += _errors(gs, f"GS {gs.get('gs_control_num')}")
            for st in gs.get("transactions", []):
                messages += _errors(st, f"ST {st.get('trn_set_control_num')}")
                for seg in st.get("segments", []):
                    where = (
                        f"segment {seg.get('seg_count')} {seg.get('seg_id')} ({seg.get('name')})"
                    )
                    messages += _errors(seg, where)
                    for ele in seg.get("elements", []):
                        position = f"{seg.get('seg_id')}{ele.get('ele_pos') or 0:02d}"
                        if ele.get("subele_pos"):
                            position += f"-{ele.get('subele_pos')}"
                        messages += _errors(ele, f"{where} {position} ({ele.get('name')})")
    return found


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _run(text: str) -> dict[str, list[str]]:
    """pyx12 over `text`; messages per ISA13, or under "" when pyx12 failed as a whole."""
    report = io.StringIO()
    capture = _Capture()
    logger = logging.getLogger("pyx12")
    logger.addHandler(capture)
    try:
        valid = pyx12.x12n_document.x12n_document(
            param=pyx12.params.params(),
            src_file=io.StringIO(text),
            fd_997=None,
            fd_html=None,
            fd_xmldoc=None,
            fd_json=report,
        )
    except pyx12.errors.EngineError as error:  # e.g. no map for GS08
        return {"": [f"pyx12 cannot validate: {error}"]}
    finally:
        logger.removeHandler(capture)
    raw = report.getvalue()
    found = _walk(json.loads(raw)) if raw else {}
    if not valid and not any(found.values()):
        found[""] = capture.messages or ["pyx12 rejected the file without a message"]
    return found


def validate(text: str) -> list[str]:
    """Every error pyx12 finds in `text` (one interchange or more), located; [] = valid.

    When pyx12 fails without putting anything in its error tree (a file it cannot read, a map
    it cannot find) its logged errors are returned instead, so a failure is never silent."""
    return [message for messages in _run(text).values() for message in messages]


def _isa(text: str) -> tuple[str, tuple[str, str, str, str]]:
    """ISA13 and the delimiters (element, repetition, component, terminator) of one text."""
    if not text.startswith("ISA") or len(text) < 106:
        raise ValueError("each text must be one interchange starting with a 106-character ISA")
    elements = text.split(text[3], 16)
    return elements[13], (text[3], elements[11], elements[16][0], elements[16][1])


def validate_many(texts: dict[str, str]) -> dict[str, list[str]]:
    """Validate several interchanges with as few pyx12 runs as possible; errors per key.

    pyx12 spends nearly all of a small file's time parsing its XML maps, once per run (and
    again only when GS08 changes), so one run over many interchanges costs about what one
    small file does. pyx12 keeps the first ISA's delimiters for a whole file, so interchanges
    are run in groups that share delimiters. Each text must be one interchange with its own
    ISA13; what pyx12 cannot attribute to one interchange goes to every key of its run."""
    groups: dict[tuple[str, str, str, str], dict[str, str]] = {}
    seen: dict[str, str] = {}
    for key, text in texts.items():
        control, delimiters = _isa(text)
        if control in seen:
            raise ValueError(f"{key!r} and {seen[control]!r} share ISA13 {control}")
        seen[control] = key
        groups.setdefault(delimiters, {})[control] = text
    results: dict[str, list[str]] = {}
    for group in groups.values():
        found = _run("".join(t if t.endswith("\n") else t + "\n" for t in group.values()))
        shared = [
            m for control, messages in found.items() if control not in group for m in messages
        ]
        for control in group:
            results[seen[control]] = shared + found.get(control, [])
    return {key: results[key] for key in texts}

"""Which reader turns a transaction set into JSON: one registry, keyed by transaction kind.

The kind is ST01, refined by the implementation guide (ST03, else GS08) where one ST01
covers several guides: a 277 is a claim status response (X212) or a claim acknowledgment
(277CA, X214); an 837 is professional, institutional or dental. Registering a reader is one
line in `READERS`. A kind with no reader yet still appears in the output, as its type,
control number and segment count (and its envelope findings), so nothing in a file is
silently dropped.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from importlib import import_module
from typing import TYPE_CHECKING, Any

from .envelope import Finding, TransactionSet
from .errors import X12Error
from .grammar import kind_of

if TYPE_CHECKING:
    from .read.claim837p import Claim837


def transaction_kind(ts: TransactionSet) -> str:
    """ST01, or the guide-specific kind ("277CA", "837P" ...) where ST01 is ambiguous."""
    return kind_of(ts.transaction_set_id, ts.implementation_reference or ts.group.version)


def plain(value: object) -> object:
    """A typed model as JSON-ready data: dataclasses as objects (every field, private-looking
    PHI fields included: this is the caller's own file), amounts as strings, dates ISO."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Enum):
        return plain(value.value)
    if isinstance(value, X12Error):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | frozenset | set):
        return [plain(v) for v in value]
    return value


def _typed(kind: str, model: object) -> dict[str, object]:
    data = plain(model)
    assert isinstance(data, dict)
    return {"type": kind, **data}


def claim_findings(ts: TransactionSet, claims: list[Claim837]) -> list[Finding]:
    """An 837P's findings: the envelope's, then each claim's once (a finding of the header or
    an HL level is carried by every claim under it, but is one finding)."""
    found = list(ts.findings)
    seen = set(found)
    for claim in claims:
        for finding in claim.findings:
            if finding not in seen:
                seen.add(finding)
                found.append(finding)
    return found


@dataclass(frozen=True, slots=True)
class Reading:
    """One transaction set read: its JSON document (which lists `findings`) and the counts
    `parse --summary` gives for its kind."""

    kind: str
    findings: tuple[Finding, ...]
    counts: Mapping[str, int | Decimal]
    document: Callable[[], dict[str, object]]
    # The same document as compact JSON text (json.dumps), in pieces, where a reader writes
    # it faster than its dict is built and encoded (the 835's tens of thousands of claims).
    json_text: Callable[[], Iterator[str]] | None = None


# Each reader imports its transaction's modules on first use: `parse` of a file pays only
# for the kinds it holds (all of them are a tenth of a second of process start-up).


def _read_835(ts: TransactionSet) -> Reading:
    from .read.remit835 import parse_835
    from .read.remit835_json import render_remittance_json

    remittance = parse_835(ts)
    counts: dict[str, int | Decimal] = {
        "claims": len(remittance.claims),
        # BPR02 is what the payer sent (the payment); the CLP04 sum is what the claims say
        # was paid before provider-level adjustments (PLB): both, named, never one for both.
        "paid_bpr02": remittance.total_paid,
        "paid_clp04": sum((c.paid for c in remittance.claims), Decimal(0)),
    }
    return Reading(
        "835",
        remittance.findings,
        counts,
        remittance.as_dict,
        lambda: render_remittance_json(remittance),
    )


def _read_837p(ts: TransactionSet) -> Reading:
    from .read.claim837p import parse_837p

    claims = parse_837p(ts)
    findings = tuple(claim_findings(ts, claims))
    counts: dict[str, int | Decimal] = {
        "claims": len(claims),
        "claims_unreadable": sum(1 for c in claims if c.error is not None),
    }

    def document() -> dict[str, object]:
        return {
            "type": "837P",
            "claims": plain(claims),
            "findings": [finding.as_dict() for finding in findings],
        }

    return Reading("837P", findings, counts, document)


def _reader(kind: str, module: str, function: str, count: str) -> Reader:
    """A reader whose model carries its own `findings` (the envelope's included): `function`
    of `read.<module>`."""

    def read(ts: TransactionSet) -> Reading:
        parse: Callable[[TransactionSet], Any] = getattr(
            import_module(f".read.{module}", __package__), function
        )
        model = parse(ts)
        counts: dict[str, int | Decimal] = {count: len(getattr(model, count))}
        return Reading(kind, tuple(model.findings), counts, lambda: _typed(kind, model))

    return read


Reader = Callable[[TransactionSet], Reading]

READERS: dict[str, Reader] = {
    "835": _read_835,
    "837P": _read_837p,
    "999": _reader("999", "ack999", "parse_999", "sets"),
    "277": _reader("277", "status277", "parse_277", "claims"),
    "277CA": _reader("277CA", "status277", "parse_277", "claims"),
    "271": _reader("271", "eligibility271", "parse_271", "members"),
    "276": _reader("276", "status276", "parse_276", "claims"),
    "270": _reader("270", "eligibility270", "parse_270", "members"),
}


def read(ts: TransactionSet) -> Reading:
    """The set read by the reader of its kind; a kind with no reader yet is still listed, as
    its type, control number and segment count with its envelope findings (nothing in a file
    is silently dropped). Readers may raise X12ReadError."""
    kind = transaction_kind(ts)
    reader = READERS.get(kind)
    if reader is not None:
        return reader(ts)
    skipped = Finding(
        "not_read",
        f"no reader for transaction set {kind!r} (ST01/ST03): listed by its envelope, its "
        "segments not read",
        ts.first_index,
        "ST",
        1,
    )
    findings = (*ts.findings, skipped)

    def document() -> dict[str, object]:
        return {
            "type": ts.transaction_set_id,
            "implementation_reference": ts.implementation_reference or ts.group.version,
            "control_number": ts.control_number,
            "segments": ts.segment_count,
            "findings": [finding.as_dict() for finding in findings],
        }

    return Reading(kind, findings, {}, document)


def to_json(ts: TransactionSet) -> dict[str, object]:
    """The transaction set as a JSON-ready dict (amounts as strings), with its findings."""
    return read(ts).document()


def to_json_text(ts: TransactionSet) -> Iterator[str]:
    """The transaction set as compact JSON text (`json.dumps(to_json(ts))`), in pieces."""
    reading = read(ts)
    if reading.json_text is not None:
        return reading.json_text()
    return iter((json.dumps(reading.document()),))

"""Which reader turns a transaction set into JSON: one registry, keyed by transaction kind.

The kind is ST01, refined by the implementation guide (ST03, else GS08) where one ST01
covers several guides: a 277 is a claim status response (X212) or a claim acknowledgment
(277CA, X214); an 837 is professional, institutional or dental. Registering a reader is one
line in `CONVERTERS`. A kind with no reader yet still appears in the output, as its type,
control number and segment count (and its envelope findings), so nothing in a file is
silently dropped.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from enum import Enum

from .envelope import TransactionSet
from .errors import X12Error
from .read.ack999 import parse_999
from .read.claim837p import parse_837p
from .read.eligibility271 import parse_271
from .read.remit835 import parse_835
from .read.status277 import parse_277

Converter = Callable[[TransactionSet], dict[str, object]]

# (ST01, first 10 characters of ST03/GS08) -> kind, where ST01 alone is ambiguous.
_KINDS = {
    ("277", "005010X214"): "277CA",
    ("837", "005010X222"): "837P",
    ("837", "005010X223"): "837I",
    ("837", "005010X224"): "837D",
}


def transaction_kind(ts: TransactionSet) -> str:
    """ST01, or the guide-specific kind ("277CA", "837P" ...) where ST01 is ambiguous."""
    guide = (ts.implementation_reference or ts.group.version)[:10]
    return _KINDS.get((ts.transaction_set_id, guide), ts.transaction_set_id)


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


def _remittance(ts: TransactionSet) -> dict[str, object]:
    return parse_835(ts).as_dict()


CONVERTERS: dict[str, Converter] = {
    "835": _remittance,
    "999": lambda ts: _typed("999", parse_999(ts)),
    "277": lambda ts: _typed("277", parse_277(ts)),
    "277CA": lambda ts: _typed("277CA", parse_277(ts)),
    "271": lambda ts: _typed("271", parse_271(ts)),
    "837P": lambda ts: {"type": "837P", "claims": plain(parse_837p(ts))},
}


def to_json(ts: TransactionSet) -> dict[str, object]:
    """The transaction set as a JSON-ready dict (amounts as strings); readers may raise
    X12ReadError."""
    kind = transaction_kind(ts)
    convert = CONVERTERS.get(kind)
    if convert is None:
        return {
            "type": ts.transaction_set_id,
            "implementation_reference": ts.implementation_reference or ts.group.version,
            "control_number": ts.control_number,
            "segments": ts.segment_count,
            "findings": [finding.as_dict() for finding in ts.findings],
        }
    return convert(ts)

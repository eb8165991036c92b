"""Which reader turns a transaction set into JSON: one registry, keyed by transaction kind.

The kind is ST01, refined by the implementation guide (ST03, else GS08) where one ST01
covers several guides: a 277 is a claim status response (X212) or a claim acknowledgment
(277CA, X214); an 837 is professional, institutional or dental. Registering a reader is one
line in `CONVERTERS`. A kind with no reader yet still appears in the output, as its type,
control number and segment count (and its envelope findings), so nothing in a file is
silently dropped.
"""

from __future__ import annotations

from collections.abc import Callable

from .envelope import TransactionSet
from .remittance import parse_835

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


def _remittance(ts: TransactionSet) -> dict[str, object]:
    return parse_835(ts).as_dict()


CONVERTERS: dict[str, Converter] = {
    "835": _remittance,
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
            "segments": len(ts.segments),
            "findings": [finding.as_dict() for finding in ts.findings],
        }
    return convert(ts)

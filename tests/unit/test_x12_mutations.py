"""Hostile EDI never crashes a reader: the real samples, damaged (an element replaced with text
no X12 number is, segments deleted, duplicated or swapped, truncation, inserted bytes, other
separators), read through EnvelopeReader and the transaction's reader either succeed or raise
an X12Error, whose message the service can answer 422 with. Anything else (Overflow,
InvalidOperation, IndexError, RecursionError, UnicodeError, ValueError ...) is a 500 and a
clearinghouse mailbox stuck at that file. For the 835 the loop-by-loop reading must also
still equal the segment-by-segment one, errors included.

Deterministic (derandomize): the same examples every run, sized to run in seconds.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.x12.envelope import EnvelopeReader, TransactionSet
from chalicelib.x12.errors import X12Error, X12ReadError
from chalicelib.x12.read import remit835 as remittance_module
from chalicelib.x12.read.ack999 import parse_999
from chalicelib.x12.read.claim837p import parse_837p
from chalicelib.x12.read.remit835 import Remittance, parse_835
from chalicelib.x12.read.remit835_json import render_remittance_json
from chalicelib.x12.read.status277 import parse_277
from chalicelib.x12.readers import plain, to_json
from chalicelib.x12.tokenizer import parse_isa_delimiters
from tests.conftest import X12_SAMPLES
from tests.x12_mutations import HOSTILE, NUMBERS

# Larger files would only slow each example: the damage, not the size, finds the crashes.
_MAX_SAMPLE_BYTES = 32 * 1024

_DELIMITERS = "*|^:>~+-.!\\{}\x1d\x1c"
# Where the readers take numbers (and dates): a damaged one must be refused, never crash.
_NUMERIC = {
    "BPR": (2, 16),
    "CLP": (3, 4, 5),
    "SVC": (2, 3, 5, 7),
    "CAS": (3, 4, 6, 7, 19),
    "PLB": (2, 4, 6),
    "AMT": (2,),
    "QTY": (2,),
    "DTM": (2,),
    "DTP": (3,),
    "STC": (2, 4, 5),
    "IK3": (2,),
    "IK4": (1,),
    "CTX": (3, 5),
    "AK9": (2, 3, 4),
    "CLM": (2,),
    "SV1": (2, 4, 7),
    "SVD": (2, 5, 6),
    "LX": (1,),
    "SE": (1,),
}


def _samples(kind: str) -> list[str]:
    folder = X12_SAMPLES / kind
    files = sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
    return [p.name for p in files if p.stat().st_size <= _MAX_SAMPLE_BYTES]


def _remittance_dict(ts: TransactionSet) -> object:
    return parse_835(ts).as_dict()  # every lazily decoded field too


_READERS: dict[str, Callable[[TransactionSet], object]] = {
    "835": _remittance_dict,
    "999": lambda ts: plain(parse_999(ts)),
    "277": lambda ts: plain(parse_277(ts)),
    "277CA": lambda ts: plain(parse_277(ts)),
    "837P": lambda ts: plain(parse_837p(ts)),
}


@dataclass(frozen=True)
class Mutation:
    """One damage done to a file, at positions taken modulo what the file has."""

    op: str
    at: int
    other: int
    pick: int
    value: str

    def apply(self, text: str) -> str:
        try:
            delimiters = parse_isa_delimiters(text.lstrip())
        except X12Error:
            delimiters = None
        terminator = delimiters.segment if delimiters else "~"
        element = delimiters.element if delimiters else "*"
        segments = text.split(terminator)
        i, j = self.at % len(segments), self.other % len(segments)
        if self.op == "number":
            numeric = [
                k for k, seg in enumerate(segments) if seg.strip().split(element)[0] in _NUMERIC
            ]
            if numeric:
                k = numeric[i % len(numeric)]
                elements = segments[k].split(element)
                positions = _NUMERIC[elements[0].strip()]
                position = positions[j % len(positions)]
                elements += [""] * (position + 1 - len(elements))
                hostile = NUMBERS[self.pick % len(NUMBERS)]
                elements[position] = hostile if self.pick % 4 else self.value
                segments[k] = element.join(elements)
        elif self.op == "element":
            elements = segments[i].split(element)
            if len(elements) > 1:  # an element, never the segment id
                elements[1 + j % (len(elements) - 1)] = self.value
            segments[i] = element.join(elements)
        elif self.op == "delete":
            del segments[i]
        elif self.op == "duplicate":
            segments.insert(i, segments[i])
        elif self.op == "swap":
            segments[i], segments[j] = segments[j], segments[i]
        elif self.op == "lowercase":
            segments[i] = segments[i].lower()
        elif self.op == "truncate":
            return text[: self.at % (len(text) + 1)]
        elif self.op == "insert":
            at = self.at % (len(text) + 1)
            return text[:at] + self.value + text[at:]
        elif self.op == "separator":
            # one delimiter (element, component, terminator or repetition) becomes another,
            # everywhere or once
            old = text.lstrip()[[3, 104, 105, 82][j % 4]] if len(text.lstrip()) > 105 else "*"
            new = self.value[:1] or "|"
            return text.replace(old, new) if self.at % 2 else text.replace(old, new, 1)
        return terminator.join(segments)


_mutations = st.builds(
    Mutation,
    op=st.sampled_from(
        (
            "number",
            "number",
            "number",
            "number",
            "element",
            "delete",
            "duplicate",
            "swap",
            "lowercase",
            "truncate",
            "insert",
            "separator",
        )
    ),
    at=st.integers(min_value=0, max_value=1 << 20),
    other=st.integers(min_value=0, max_value=1 << 20),
    pick=st.integers(min_value=0, max_value=1 << 10),
    value=st.one_of(
        st.sampled_from(HOSTILE),
        st.sampled_from(_DELIMITERS),
        st.text(alphabet="0123456789.-+eE ", max_size=24),
        st.text(st.characters(codec="utf-8"), max_size=8),
        # raw bytes, UTF-8 or not: surrogateescape gives them back as they were
        st.binary(max_size=8).map(lambda raw: raw.decode("utf-8", errors="surrogateescape")),
    ),
)


def _damaged(kind: str) -> st.SearchStrategy[bytes]:
    """A sample of `kind` with one to three mutations, as bytes (Unicode values in UTF-8)."""

    def damage(name: str, mutations: list[Mutation]) -> bytes:
        raw = (X12_SAMPLES / kind / name).read_bytes()
        text = raw.decode("utf-8", errors="surrogateescape")
        for mutation in mutations:
            text = mutation.apply(text)
        return text.encode("utf-8", errors="surrogateescape")

    return st.builds(
        damage, st.sampled_from(_samples(kind)), st.lists(_mutations, min_size=1, max_size=3)
    )


def _read(kind: str, data: bytes) -> None:
    """Read every transaction set of `data` with the reader of `kind` and with the registry
    (a damaged ST01 may make it another kind). X12Error is an answer; anything else fails."""
    read = _READERS[kind]
    with contextlib.suppress(X12Error):
        for ts in EnvelopeReader(data):
            with contextlib.suppress(X12Error):
                read(ts)
            with contextlib.suppress(X12Error):
                to_json(ts)


_SETTINGS = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=600,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
_MORE = settings(_SETTINGS, max_examples=1200)  # the 835 has the most numbers and two readings


@_MORE
@given(data=_damaged("835"))
def test_x12_mutations_835_never_crash(data: bytes) -> None:
    _read("835", data)


@_SETTINGS
@given(data=_damaged("999"))
def test_x12_mutations_999_never_crash(data: bytes) -> None:
    _read("999", data)


@_SETTINGS
@given(data=_damaged("277"))
def test_x12_mutations_277_never_crash(data: bytes) -> None:
    _read("277", data)


@_SETTINGS
@given(data=_damaged("277CA"))
def test_x12_mutations_277ca_never_crash(data: bytes) -> None:
    _read("277CA", data)


@_SETTINGS
@given(data=_damaged("837P"))
def test_x12_mutations_837p_never_crash(data: bytes) -> None:
    _read("837P", data)


class _SegmentBySegment(remittance_module._Reader):
    """The reference reading: every claim segment by segment."""

    def _read_claims(self, detail: str, index: int, unusual: list[int]) -> int:
        return super()._read_claims(detail, index, list(range(len(detail))))


def _everything(data: bytes, read: Callable[[TransactionSet], Remittance]) -> list[object]:
    """Each remittance in full with its findings, or the error (located), or the crash."""
    results: list[object] = []
    try:
        for ts in EnvelopeReader(data):
            try:
                remittance = read(ts)
                results.append((remittance.as_dict(), remittance.findings, remittance.claims))
            except X12ReadError as error:
                results.append(("error", error.located()))
    except X12ReadError as error:
        results.append(("envelope error", error.located()))
    return results


def _segment_by_segment(ts: TransactionSet) -> Remittance:
    if ts.transaction_set_id != "835":
        return parse_835(ts)  # raises as the loop reading does
    return _SegmentBySegment(ts).read()


@_MORE
@given(data=_damaged("835"))
def test_x12_mutations_835_loop_reading_equals_segment_reading(data: bytes) -> None:
    assert _everything(data, parse_835) == _everything(data, _segment_by_segment)


@_SETTINGS
@given(data=_damaged("835"))
def test_x12_mutations_835_json_text_equals_dumped_document(data: bytes) -> None:
    """The 835 document written as text (remit835_json) is json.dumps of as_dict, whatever
    the damage: escaping, odd CAS, invalid dates, unknown segments."""
    remittances: list[Remittance] = []
    with contextlib.suppress(X12Error):
        for ts in EnvelopeReader(data):
            with contextlib.suppress(X12Error):
                remittances.append(parse_835(ts))
    for remittance in remittances:  # what was read is written: never an error here
        assert "".join(render_remittance_json(remittance)) == json.dumps(remittance.as_dict())


def test_x12_mutations_have_samples_of_every_kind() -> None:
    for kind in _READERS:
        assert _samples(kind), f"no {kind} sample under {Path(X12_SAMPLES).name}"

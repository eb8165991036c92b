"""Interchange (ISA/IEA), functional group (GS/GE) and transaction set (ST/SE) envelopes.

Splits a segment stream into transaction sets, one at a time so memory stays flat, and checks
the control structure (X12.5/X12.6): SE01 segment count, ST02 = SE02, GE01 = number of ST,
GS06 = GE02, IEA01 = number of GS, ISA13 = IEA02. Count and control-number mismatches are real
in the wild and do not stop a file from being read: they are reported as findings. A file that
ends inside an envelope, or a segment outside any envelope, cannot be read and raises.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from .elements import element
from .errors import X12ReadError
from .tokenizer import Delimiters, SegmentReader


@dataclass(frozen=True, slots=True)
class Finding:
    """Something wrong in a file that was still read: located, with a stable code."""

    code: str
    message: str
    segment_index: int | None = None
    segment_id: str | None = None
    element_position: int | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "message": self.message,
            "segment_index": self.segment_index,
            "segment_id": self.segment_id,
            "element_position": self.element_position,
        }


@dataclass(frozen=True, slots=True)
class Interchange:
    """ISA: who sent it to whom, when, and under which control number."""

    sender_qualifier: str
    sender_id: str
    receiver_qualifier: str
    receiver_id: str
    date: str
    time: str
    version: str
    control_number: str
    usage_indicator: str
    delimiters: Delimiters


@dataclass(frozen=True, slots=True)
class FunctionalGroup:
    """GS: GS01 functional identifier (HP 835, HC 837, HN 277, FA 999 ...), GS08 version."""

    functional_id: str
    sender_id: str
    receiver_id: str
    date: str
    time: str
    control_number: str
    version: str


@dataclass(slots=True)
class TransactionSet:
    """One ST..SE with its envelopes. `segments` runs from ST to SE inclusive; `first_index`
    is the 1-based file position of the ST, so segments[i] sits at first_index + i."""

    interchange: Interchange
    group: FunctionalGroup
    transaction_set_id: str
    control_number: str
    implementation_reference: str | None
    segments: list[list[str]]
    first_index: int
    findings: list[Finding] = field(default_factory=list)


def _parse_isa(segment: list[str], delimiters: Delimiters, index: int) -> Interchange:
    if len(segment) < 17:
        raise X12ReadError(
            "ISA must have 16 elements",
            segment_index=index,
            segment_id="ISA",
            element_position=len(segment) - 1,
        )
    return Interchange(
        sender_qualifier=segment[5].strip(),
        sender_id=segment[6].strip(),
        receiver_qualifier=segment[7].strip(),
        receiver_id=segment[8].strip(),
        date=segment[9].strip(),
        time=segment[10].strip(),
        version=segment[12].strip(),
        control_number=segment[13].strip(),
        usage_indicator=segment[15].strip(),
        delimiters=delimiters,
    )


def _parse_gs(segment: list[str]) -> FunctionalGroup:
    return FunctionalGroup(
        functional_id=element(segment, 1),
        sender_id=element(segment, 2),
        receiver_id=element(segment, 3),
        date=element(segment, 4),
        time=element(segment, 5),
        control_number=element(segment, 6),
        version=element(segment, 8),
    )


class EnvelopeReader:
    """Iterate the transaction sets of a file. Envelope findings not tied to one transaction
    set (GE/IEA counts) collect in `findings`; those about one ST/SE go on that set."""

    def __init__(self, source: BinaryIO | bytes) -> None:
        self.segments = SegmentReader(source)
        self.findings: list[Finding] = []
        self.interchanges: list[Interchange] = []

    def __iter__(self) -> Iterator[TransactionSet]:
        reader = self.segments
        interchange: Interchange | None = None
        group: FunctionalGroup | None = None
        current: TransactionSet | None = None
        groups_in_interchange = 0
        sets_in_group = 0
        last_id = ""
        for segment in reader:
            index = reader.index
            tag = segment[0]
            last_id = tag
            if current is not None:
                current.segments.append(segment)
                if tag == "SE":
                    self._close_set(current, segment, index)
                    sets_in_group += 1
                    yield current
                    current = None
                elif tag in ("ST", "GE", "IEA", "GS", "ISA"):
                    raise X12ReadError(
                        f"{tag} before SE closed transaction set {current.control_number}",
                        segment_index=index,
                        segment_id=tag,
                    )
                continue
            if tag == "ISA":
                if interchange is not None:
                    raise X12ReadError(
                        "ISA before IEA closed the previous interchange",
                        segment_index=index,
                        segment_id=tag,
                    )
                assert reader.delimiters is not None
                interchange = _parse_isa(segment, reader.delimiters, index)
                self.interchanges.append(interchange)
                groups_in_interchange = 0
            elif tag == "GS":
                if interchange is None or group is not None:
                    raise X12ReadError(
                        "GS outside an interchange or inside an open group",
                        segment_index=index,
                        segment_id=tag,
                    )
                group = _parse_gs(segment)
                sets_in_group = 0
            elif tag == "ST":
                if interchange is None or group is None:
                    raise X12ReadError(
                        "ST outside a functional group", segment_index=index, segment_id=tag
                    )
                current = TransactionSet(
                    interchange=interchange,
                    group=group,
                    transaction_set_id=element(segment, 1),
                    control_number=element(segment, 2),
                    implementation_reference=element(segment, 3) or None,
                    segments=[segment],
                    first_index=index,
                )
            elif tag == "GE":
                if group is None:
                    raise X12ReadError("GE without GS", segment_index=index, segment_id=tag)
                self._check(
                    element(segment, 1),
                    str(sets_in_group),
                    "GE01",
                    "number of transaction sets",
                    index,
                    "GE",
                    1,
                )
                self._check(
                    element(segment, 2),
                    group.control_number,
                    "GE02",
                    "GS06 control number",
                    index,
                    "GE",
                    2,
                )
                group = None
                groups_in_interchange += 1
            elif tag == "IEA":
                if interchange is None or group is not None:
                    raise X12ReadError(
                        "IEA outside an interchange or before GE",
                        segment_index=index,
                        segment_id=tag,
                    )
                self._check(
                    element(segment, 1),
                    str(groups_in_interchange),
                    "IEA01",
                    "number of functional groups",
                    index,
                    "IEA",
                    1,
                )
                self._check(
                    element(segment, 2),
                    interchange.control_number,
                    "IEA02",
                    "ISA13 control number",
                    index,
                    "IEA",
                    2,
                )
                interchange = None
            else:
                raise X12ReadError(
                    "segment outside a transaction set", segment_index=index, segment_id=tag
                )
        if current is not None or group is not None or interchange is not None:
            open_part = (
                "transaction set" if current else "functional group" if group else ("interchange")
            )
            raise X12ReadError(
                f"file ends inside an open {open_part} (truncated)",
                segment_index=reader.index,
                segment_id=last_id,
            )

    def _close_set(self, current: TransactionSet, se: list[str], index: int) -> None:
        count = element(se, 1)
        if count != str(len(current.segments)):
            current.findings.append(
                Finding(
                    "se_count_mismatch",
                    f"SE01 says {count or 'nothing'}, the set has {len(current.segments)} segments",
                    index,
                    "SE",
                    1,
                )
            )
        if element(se, 2) != current.control_number:
            current.findings.append(
                Finding(
                    "se_control_mismatch",
                    f"SE02 {element(se, 2)!r} does not match ST02 {current.control_number!r}",
                    index,
                    "SE",
                    2,
                )
            )

    def _check(
        self, found: str, expected: str, code: str, what: str, index: int, seg: str, pos: int
    ) -> None:
        if found.lstrip("0") != expected.lstrip("0"):
            self.findings.append(
                Finding(
                    f"{code.lower()}_mismatch",
                    f"{code} is {found!r}, expected the {what} {expected!r}",
                    index,
                    seg,
                    pos,
                )
            )


def iter_transactions(source: BinaryIO | bytes) -> Iterator[TransactionSet]:
    """Shorthand when envelope-level findings are not needed."""
    return iter(EnvelopeReader(source))

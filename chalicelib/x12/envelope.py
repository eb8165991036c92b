"""Interchange (ISA/IEA), functional group (GS/GE) and transaction set (ST/SE) envelopes.

Cuts a file's segment text into transaction sets, one at a time so memory stays flat, and
checks the control structure (X12.5/X12.6): SE01 segment count, ST02 = SE02, GE01 = number of
ST, GS06 = GE02, IEA01 = number of GS, ISA13 = IEA02. Count and control-number mismatches are real
in the wild and do not stop a file from being read: they are reported as findings. A file that
ends inside an envelope, or a segment outside any envelope, cannot be read and raises.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import BinaryIO, NoReturn

from .elements import element
from .errors import X12ReadError
from .grammar import (
    MAX_PER_SET,
    foreign_character,
    has_foreign_characters,
    kind_of,
    unknown_segments,
)
from .tokenizer import BLOCK_SIZE, Delimiters, SegmentText


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
    segment_index: int = field(default=0, compare=False)  # where the ISA is in the file


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


@dataclass
class TransactionSet:
    """One ST..SE with its envelopes. `text` runs from ST to SE inclusive, each segment
    followed by the terminator (normalized: no line breaks, indentation or empty segments);
    `segments` is that text split into element lists, made on first use so that readers that
    work on the text never pay for it. `first_index` is the 1-based file position of the ST,
    so segments[i] sits at first_index + i. Not a slots class: cached_property needs a dict."""

    interchange: Interchange
    group: FunctionalGroup
    transaction_set_id: str
    control_number: str
    implementation_reference: str | None
    text: str
    first_index: int
    findings: list[Finding] = field(default_factory=list)

    @property
    def delimiters(self) -> Delimiters:
        return self.interchange.delimiters

    @property
    def segment_count(self) -> int:
        """ST to SE inclusive, what SE01 should say."""
        return self.text.count(self.interchange.delimiters.segment)

    @cached_property
    def segments(self) -> list[list[str]]:
        delimiters = self.interchange.delimiters
        element = delimiters.element
        return [part.split(element) for part in self.text.split(delimiters.segment)[:-1]]


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
        segment_index=index,
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


@cache
def _set_patterns(element: str, terminator: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The segments that end a transaction set's text: its SE or, which raises, an ST, GS,
    GE, IEA or ISA before it (X12.6: ST..SE nest inside GS..GE inside ISA..IEA). Any segment
    starting with ISA counts, as the tokenizer takes it for an interchange header. The first
    pattern finds one after a terminator, the second matches one at the start of a block."""
    t = re.escape(terminator)
    ends = f"[{re.escape(element)}{t}]"  # the tag is the whole segment id
    head = f"S[TE]{ends}|G[SE]{ends}|I(?:EA{ends}|SA)"  # factored: a third faster than not
    return re.compile(f"{t}(?:{head})"), re.compile(head)


class EnvelopeReader:
    """Iterate the transaction sets of a file. Envelope findings not tied to one transaction
    set (GE/IEA counts) collect in `findings`; those about one ST/SE go on that set.

    Reads SegmentText's normalized blocks: envelope segments are split one at a time, but a
    transaction set is cut out of the text whole, from its ST to the SE a search finds, so its
    segments are never handled one by one here (that was most of the time of a read).
    `segments` is the SegmentText; its `delimiters` are those of the interchange being read.
    """

    def __init__(self, source: BinaryIO | bytes, *, chunk_size: int = BLOCK_SIZE) -> None:
        self.segments = SegmentText(source, chunk_size=chunk_size)
        self.findings: list[Finding] = []
        self.interchanges: list[Interchange] = []

    def __iter__(self) -> Iterator[TransactionSet]:
        source = self.segments
        blocks = iter(source)
        text = ""  # the current block
        pos = 0  # where its next segment starts
        index = 0  # the 1-based file position of the last segment read
        interchange: Interchange | None = None
        group: FunctionalGroup | None = None
        groups_in_interchange = 0
        sets_in_group = 0
        last_id = ""
        while True:
            if pos == len(text):
                text = next(blocks, "")
                if not text:
                    break
                pos = 0
            delimiters = source.delimiters
            assert delimiters is not None
            start = pos
            end = text.find(delimiters.segment, start)
            part = text[start:end]
            pos = end + 1
            index += 1
            if index > 1 and part.startswith("ISA"):
                delimiters = source.next_interchange(part, index)
            segment = part.split(delimiters.element)
            tag = segment[0]
            last_id = tag
            if tag == "ISA":
                if interchange is not None:
                    raise X12ReadError(
                        "ISA before IEA closed the previous interchange",
                        segment_index=index,
                        segment_id=tag,
                    )
                interchange = _parse_isa(segment, delimiters, index)
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
                control_number = element(segment, 2)
                set_text, text, pos, se = self._read_set(blocks, text, start, index, control_number)
                current = TransactionSet(
                    interchange=interchange,
                    group=group,
                    transaction_set_id=element(segment, 1),
                    control_number=control_number,
                    implementation_reference=element(segment, 3) or None,
                    text=set_text,
                    first_index=index,
                )
                count = current.segment_count
                index += count - 1
                last_id = "SE"
                self._close_set(current, se, count, index)
                sets_in_group += 1
                yield current
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
        if group is not None or interchange is not None:
            open_part = "functional group" if group else "interchange"
            raise X12ReadError(
                f"file ends inside an open {open_part} (truncated)",
                segment_index=index,
                segment_id=last_id,
            )

    def _read_set(
        self, blocks: Iterator[str], text: str, start: int, first_index: int, control: str
    ) -> tuple[str, str, int, list[str]]:
        """Cut the set whose ST (file position `first_index`, ST02 `control`) starts at
        text[start] out of the text, through its SE, reading further blocks while no SE is
        found (no text is searched twice). Returns the set's text, the block and position
        where reading goes on, and the SE split into elements."""
        delimiters = self.segments.delimiters
        assert delimiters is not None
        terminator, separator = delimiters.segment, delimiters.element
        seek, head = _set_patterns(separator, terminator)
        pieces: list[str] = []  # the set's text in the blocks before the current one
        found = seek.search(text, start)
        while found is None:
            pieces.append(text[start:])
            text = next(blocks, "")
            if not text:
                self._truncated(pieces, first_index, separator, terminator)
            start = 0
            found = head.match(text) or seek.search(text)
        at = found.start() + (found.re is seek)  # `seek` matches from the terminator before
        end = text.find(terminator, at)
        part = text[at:end]
        tag = "ISA" if part.startswith("ISA") else part.split(separator, 1)[0]
        if tag != "SE":
            index = first_index + text.count(terminator, start, at)
            index += sum(piece.count(terminator) for piece in pieces)
            if tag == "ISA":  # a bad ISA raises as the tokenizer would have
                self.segments.next_interchange(part, index)
            raise X12ReadError(
                f"{tag} before SE closed transaction set {control}",
                segment_index=index,
                segment_id=tag,
            )
        pieces.append(text[start : end + 1])
        return "".join(pieces), text, end + 1, part.split(separator)

    @staticmethod
    def _truncated(
        pieces: list[str], first_index: int, separator: str, terminator: str
    ) -> NoReturn:
        """The file ended before the set's SE: name the last segment of the file."""
        last = pieces[-1]
        tag = last[last.rfind(terminator, 0, len(last) - 1) + 1 : -1].split(separator, 1)[0]
        raise X12ReadError(
            "file ends inside an open transaction set (truncated)",
            segment_index=first_index - 1 + sum(piece.count(terminator) for piece in pieces),
            segment_id=tag,
        )

    def _close_set(self, current: TransactionSet, se: list[str], count: int, index: int) -> None:
        _check_text(current)
        said = element(se, 1)
        if said != str(count):
            current.findings.append(
                Finding(
                    "se_count_mismatch",
                    f"SE01 says {said or 'nothing'}, the set has {count} segments",
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


def _check_text(ts: TransactionSet) -> None:
    """Segment ids the set's guide does not allow and characters outside the X12 character
    set, as findings on the set (grammar.py): nothing in the set is dropped without a word."""
    text, delimiters = ts.text, ts.interchange.delimiters
    terminator, separator = delimiters.segment, delimiters.element
    kind = kind_of(ts.transaction_set_id, ts.implementation_reference or ts.group.version)
    unknown = unknown_segments(kind, terminator, separator)
    if unknown is not None:
        for found in itertools.islice(unknown.finditer(text), MAX_PER_SET):
            segment_id = found.group(1)[:3]
            ts.findings.append(
                Finding(
                    "unknown_segment",
                    f"segment id {segment_id!r} is not a segment of the {kind}: not read",
                    ts.first_index + text.count(terminator, 0, found.start()) + 1,
                    segment_id,
                )
            )
    every = separator + delimiters.component + terminator + (delimiters.repetition or "")
    if not has_foreign_characters(text, every):
        return
    reported: set[int] = set()
    for found in foreign_character(every).finditer(text):
        start = text.rfind(terminator, 0, found.start()) + 1
        if start in reported:
            continue  # one finding per segment
        if len(reported) == MAX_PER_SET:
            break
        reported.add(start)
        position = text.count(separator, start, found.start())
        segment_id = text[start : start + 3].split(terminator)[0].split(separator)[0]
        ts.findings.append(
            Finding(
                "invalid_character",
                f"{segment_id}{position:02d} holds U+{ord(found.group()):04X}, which is outside "
                "the X12 character set",
                ts.first_index + text.count(terminator, 0, start),
                segment_id,
                position or None,
            )
        )


def iter_transactions(source: BinaryIO | bytes) -> Iterator[TransactionSet]:
    """Shorthand when envelope-level findings are not needed."""
    return iter(EnvelopeReader(source))

"""Streaming X12 tokenizer: bytes in, segments (lists of element strings) out.

Delimiters are learned from the ISA (X12.5 interchange control structure): the element
separator is the 4th character, ISA11 is the repetition separator in 5010 (a letter such as
"U" in 4010 files means none), ISA16 is the component separator and the character right after
ISA16 terminates segments. The ISA is located by counting separators rather than by fixed
offsets, so ISAs with wrongly padded fields still read.

Real files carry quirks that are tolerated here: a UTF-8 byte-order mark, CR, LF or CRLF after
terminators, indentation, CR or 0x1D as the terminator, a missing terminator after the final
segment, and several interchanges in one file. Memory stays flat: input is read in chunks and
only the current partial segment is buffered.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from .errors import X12ReadError

_ISA_ELEMENTS = 16
_CHUNK = 1 << 16


@dataclass(frozen=True, slots=True)
class Delimiters:
    element: str
    component: str
    segment: str
    repetition: str | None = None


def _is_delimiter_candidate(char: str) -> bool:
    return len(char) == 1 and not char.isalnum()


def parse_isa_delimiters(text: str) -> Delimiters:
    """Read the delimiters from text that starts with an ISA segment."""
    if not text.startswith("ISA") or len(text) < 4:
        raise X12ReadError(
            "an interchange must start with an ISA segment",
            segment_index=1,
            segment_id=text[:3].strip(),
        )
    element = text[3]
    if not _is_delimiter_candidate(element) or element.isspace():
        raise X12ReadError(
            f"element separator {element!r} is not a delimiter character",
            segment_index=1,
            segment_id="ISA",
        )
    pos = 3
    starts: list[int] = []
    for _ in range(_ISA_ELEMENTS):
        pos = text.find(element, pos)
        if pos < 0:
            raise X12ReadError(
                "ISA segment is truncated: fewer than 16 elements",
                segment_index=1,
                segment_id="ISA",
                element_position=len(starts),
            )
        pos += 1
        starts.append(pos)
    # starts[i] is where ISA(i+1) begins; ISA16 is a single character and the terminator follows.
    if len(text) < starts[15] + 2:
        raise X12ReadError(
            "ISA segment is truncated: no segment terminator after ISA16",
            segment_index=1,
            segment_id="ISA",
            element_position=16,
        )
    component = text[starts[15]]
    segment = text[starts[15] + 1]
    if not _is_delimiter_candidate(component) or component in (element, " "):
        raise X12ReadError(
            f"component separator {component!r} is not a delimiter character",
            segment_index=1,
            segment_id="ISA",
            element_position=16,
        )
    if not _is_delimiter_candidate(segment) or segment in (element, component, " "):
        raise X12ReadError(
            f"segment terminator {segment!r} is not a delimiter character",
            segment_index=1,
            segment_id="ISA",
            element_position=16,
        )
    isa11 = text[starts[10] : starts[11] - 1]
    repetition = (
        isa11
        if len(isa11) == 1 and _is_delimiter_candidate(isa11) and isa11 not in (component, segment)
        else None
    )
    return Delimiters(element=element, component=component, segment=segment, repetition=repetition)


class SegmentReader:
    """Iterate the segments of an X12 byte stream.

    `delimiters` holds those of the interchange being read (set once the first ISA is seen);
    `index` is the 1-based position in the file of the last segment yielded, for error messages.
    """

    def __init__(self, source: BinaryIO | bytes, *, chunk_size: int = _CHUNK) -> None:
        self._stream: BinaryIO = io.BytesIO(source) if isinstance(source, bytes) else source
        self._chunk_size = chunk_size
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="replace")
        self.delimiters: Delimiters | None = None
        self.index = 0

    def _read(self) -> str:
        data = self._stream.read(self._chunk_size)
        return self._decoder.decode(data, final=not data)

    def _start(self) -> str:
        """Buffer enough text to read the ISA; return the buffer with leading blanks removed."""
        buffer = ""
        while True:
            chunk = self._read()
            buffer += chunk
            stripped = buffer.lstrip()
            if not chunk or len(stripped) >= 256:
                break
        if not stripped:
            raise X12ReadError("the file is empty", segment_index=0, segment_id="")
        self.delimiters = parse_isa_delimiters(stripped)
        return stripped

    def __iter__(self) -> Iterator[list[str]]:
        buffer = self._start()
        assert self.delimiters is not None
        terminator = self.delimiters.segment
        element = self.delimiters.element
        index = self.index
        # A chunk with no line break, indentation, empty segment or ISA after a terminator
        # (the usual machine-written file) is split in one comprehension: the same segments
        # as the general loop below, about twice as fast.
        quirk = re.compile(f"{re.escape(terminator)}(?:[\\x00- ]|ISA|{re.escape(terminator)})")
        while True:
            chunk = self._read()
            if chunk:
                buffer += chunk
                parts = buffer.split(terminator)
                buffer = parts.pop()
                first = parts[0] if parts else ""
                if first[:1] > " " and first[:3] != "ISA" and not quirk.search(chunk):
                    for segment in [part.split(element) for part in parts]:
                        index += 1
                        self.index = index
                        yield segment
                    continue
            else:
                parts = buffer.split(terminator)
                buffer = ""
            for part in parts:
                if part and part[0] <= " ":
                    part = part.lstrip()  # noqa: PLW2901 - indentation and line breaks
                if not part:
                    continue
                index += 1
                self.index = index
                if part.startswith("ISA") and index > 1:
                    element = self._next_interchange(part, index)
                yield part.split(element)
            if not chunk:
                return

    def _next_interchange(self, part: str, index: int) -> str:
        """A later ISA in the same file may change the element and component separators."""
        try:
            found = parse_isa_delimiters(
                part + (self.delimiters.segment if self.delimiters else "")
            )
        except X12ReadError as error:
            raise X12ReadError(error.message, segment_index=index, segment_id="ISA") from None
        if self.delimiters is not None and found.segment != self.delimiters.segment:
            raise X12ReadError(
                "a later interchange changes the segment terminator",
                segment_index=index,
                segment_id="ISA",
            )
        self.delimiters = found
        return found.element


def iter_segments(source: BinaryIO | bytes) -> Iterator[list[str]]:
    """Shorthand for iterating a SegmentReader when locations are not needed."""
    return iter(SegmentReader(source))

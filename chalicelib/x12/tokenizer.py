"""Streaming X12 tokenizer: bytes in, normalized segment text (or segment lists) out.

Delimiters are learned from the ISA (X12.5 interchange control structure): the element
separator is the 4th character, ISA11 is the repetition separator in 5010 (a letter such as
"U" in 4010 files means none), ISA16 is the component separator and the character right after
ISA16 terminates segments. The ISA is located by counting separators rather than by fixed
offsets, so ISAs with wrongly padded fields still read.

Real files carry quirks that are tolerated here: a UTF-8 byte-order mark, CR, LF or CRLF after
terminators, indentation, empty segments, CR or 0x1D as the terminator, a missing terminator
after the final segment, and several interchanges in one file. `SegmentText` removes them and
hands out large blocks of whole segments, each followed by the terminator, so that readers can
find what they need with C-level string operations; `SegmentReader` splits those blocks into
one list per segment for callers that want that. Memory stays flat: input is read in chunks
and only the current block and the partial segment after it are held.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from .errors import X12ReadError

_ISA_ELEMENTS = 16
_CHUNK = 1 << 16  # SegmentReader: one list per segment of a chunk is built at once
BLOCK_SIZE = 1 << 20  # SegmentText: large chunks, so per-chunk costs vanish
# The characters <= " " that str.isspace() accepts: a segment starting with one of them is
# stripped of all its leading whitespace (line breaks after terminators, indentation).
_BLANKS = "\t\n\v\f\r\x1c\x1d\x1e\x1f "


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


def _normalizer(terminator: str) -> Callable[[str], str]:
    """Normalize text that starts at a segment: drop the leading whitespace of every segment
    that starts with a blank <= " " (as `str.lstrip()` would) and the empty segments. Many
    files have neither, which one regex search finds out before any substitution is made."""
    t = re.escape(terminator)
    blank = "".join(re.escape(char) for char in _BLANKS if char != terminator)
    # What may follow a terminator and goes: another terminator (an empty segment), or a blank
    # and then any whitespace short of the next terminator (an all-blank segment goes too).
    junk = f"(?:{t}|[{blank}][^\\S{t}]*)"
    quirk = re.compile(f"{t}[{blank}{t}]")
    inner = re.compile(f"{t}{junk}+")
    leading = re.compile(f"{junk}+")
    replacement = terminator.replace("\\", "\\\\")  # a template: "\\" would be an escape

    def normalize(text: str) -> str:
        start = leading.match(text)
        if start is not None:
            text = text[start.end() :]
        if quirk.search(text) is None:
            return text
        if text.isascii():
            # Every whitespace character is then a blank <= " ", so the line break after each
            # terminator (the usual quirk) would go by the regex anyway: a replace drops it
            # five times faster, and the regex is left with indentation and empty segments.
            for line_break in ("\r\n", "\n"):
                if line_break[0] != terminator and line_break[0] in text:
                    text = text.replace(terminator + line_break, terminator)
            if quirk.search(text) is None:
                return text
        return inner.sub(replacement, text)

    return normalize


class SegmentText:
    """The segments of an X12 byte stream as normalized text blocks.

    Each block is a run of whole segments, every one followed by the segment terminator, with
    the quirks above removed: working on text with C-level string operations (one `rfind` per
    chunk, a regex substitution only when a chunk has a quirk) is an order of magnitude faster
    than yielding one list per segment. Only the current block and the partial segment after
    it are held. `delimiters` are those of the interchange being read: set once the first ISA
    is seen, updated by `next_interchange` for a later ISA.
    """

    def __init__(self, source: BinaryIO | bytes, *, chunk_size: int = BLOCK_SIZE) -> None:
        self._stream: BinaryIO = io.BytesIO(source) if isinstance(source, bytes) else source
        self._chunk_size = chunk_size
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="replace")
        self.delimiters: Delimiters | None = None

    def _read(self) -> tuple[bool, str]:
        """The next chunk of text, and whether the stream had more bytes (so a chunk that ends
        inside a multi-byte character, which decodes to nothing yet, is not taken for the end)."""
        data = self._stream.read(self._chunk_size)
        return bool(data), self._decoder.decode(data, final=not data)

    def _start(self) -> str:
        """Buffer enough text to read the ISA; return the buffer with leading blanks removed."""
        buffer = ""
        while True:
            more, chunk = self._read()
            buffer += chunk
            stripped = buffer.lstrip()
            if not more or len(stripped) >= 256:
                break
        if not stripped:
            raise X12ReadError("the file is empty", segment_index=0, segment_id="")
        self.delimiters = parse_isa_delimiters(stripped)
        return stripped

    def __iter__(self) -> Iterator[str]:
        text = self._start()
        assert self.delimiters is not None
        terminator = self.delimiters.segment
        normalize = _normalizer(terminator)
        partial: list[str] = []  # the segment the last chunk ended inside
        more = True
        while True:
            cut = text.rfind(terminator)
            if cut < 0:
                partial.append(text)
            else:
                partial.append(text[: cut + 1])
                block = normalize("".join(partial))
                partial = [text[cut + 1 :]]
                if block:
                    yield block
            if not more:
                break
            more, text = self._read()
        # The final segment may lack its terminator (or be only line breaks).
        block = normalize("".join(partial) + terminator)
        if block:
            yield block

    def next_interchange(self, part: str, index: int) -> Delimiters:
        """A later ISA in the same file may change the element and component separators, not
        the terminator (the blocks are already cut on it)."""
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
        return found


class SegmentReader:
    """Iterate the segments of an X12 byte stream, each as a list of element strings.

    `delimiters` holds those of the interchange being read (set once the first ISA is seen);
    `index` is the 1-based position in the file of the last segment yielded, for error messages.
    Built on SegmentText; readers that can work on a transaction set's text (EnvelopeReader)
    should, as one list per segment is what makes this slow.
    """

    def __init__(self, source: BinaryIO | bytes, *, chunk_size: int = _CHUNK) -> None:
        self._text = SegmentText(source, chunk_size=chunk_size)
        self.delimiters: Delimiters | None = None
        self.index = 0

    def __iter__(self) -> Iterator[list[str]]:
        source = self._text
        index = self.index
        element = ""
        for block in source:
            assert source.delimiters is not None
            terminator = source.delimiters.segment
            if not element:
                self.delimiters = source.delimiters
                element = source.delimiters.element
            parts = block.split(terminator)
            parts.pop()  # the block ends with a terminator
            if terminator + "ISA" not in block and (index == 0 or not block.startswith("ISA")):
                for segment in [part.split(element) for part in parts]:
                    index += 1
                    self.index = index
                    yield segment
                continue
            for part in parts:
                index += 1
                self.index = index
                if part.startswith("ISA") and index > 1:
                    self.delimiters = source.next_interchange(part, index)
                    element = self.delimiters.element
                yield part.split(element)


def iter_segments(source: BinaryIO | bytes) -> Iterator[list[str]]:
    """Shorthand for iterating a SegmentReader when locations are not needed."""
    return iter(SegmentReader(source))

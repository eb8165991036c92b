"""The text-based readers (SegmentText, SegmentReader, EnvelopeReader) against a plain
per-segment reference: the tokenizer and envelope reader as they were before they worked on
text, kept here in their simplest form (whole file decoded at once, one list per segment).
For every sample file and for files with each quirk the tokenizer tolerates, read in chunks
small enough that boundaries fall inside segments, line breaks and UTF-8 characters, both
must give the same transaction sets, findings and errors."""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.x12.envelope import (
    EnvelopeReader,
    Finding,
    FunctionalGroup,
    Interchange,
    TransactionSet,
)
from chalicelib.x12.errors import X12ReadError
from chalicelib.x12.grammar import SEGMENTS, kind_of
from chalicelib.x12.tokenizer import (
    BLOCK_SIZE,
    Delimiters,
    SegmentReader,
    SegmentText,
    parse_isa_delimiters,
)

SAMPLES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "x12-samples"
SAMPLE_FILES = sorted(path for path in SAMPLES.rglob("*") if path.is_file())
CHUNK_SIZES = (BLOCK_SIZE, 4096, 64, 7, 1)

Error = tuple[str, int, str, int | None]


# --- The reference: one segment at a time -------------------------------------------------


def _error(error: X12ReadError) -> Error:
    return (error.message, error.segment_index, error.segment_id, error.element_position)


class ReferenceSegments:
    """The tokenizer as it was: split on the terminator, strip a segment's leading
    whitespace when it starts with a blank, skip empty segments, re-read the delimiters at a
    later ISA (same terminator)."""

    def __init__(self, data: bytes) -> None:
        self.text = codecs.decode(data, "utf-8-sig", errors="replace")
        self.delimiters: Delimiters | None = None
        self.index = 0

    def parts(self) -> Iterator[str]:
        """The non-empty segments as text, leading blanks removed."""
        text = self.text.lstrip()
        if not text:
            raise X12ReadError("the file is empty", segment_index=0, segment_id="")
        self.delimiters = parse_isa_delimiters(text)
        for raw in text.split(self.delimiters.segment):
            part = raw.lstrip() if raw and raw[0] <= " " else raw
            if part:
                yield part

    def __iter__(self) -> Iterator[list[str]]:
        for part in self.parts():
            assert self.delimiters is not None
            self.index += 1
            if part.startswith("ISA") and self.index > 1:
                try:
                    found = parse_isa_delimiters(part + self.delimiters.segment)
                except X12ReadError as error:
                    raise X12ReadError(
                        error.message, segment_index=self.index, segment_id="ISA"
                    ) from None
                if found.segment != self.delimiters.segment:
                    raise X12ReadError(
                        "a later interchange changes the segment terminator",
                        segment_index=self.index,
                        segment_id="ISA",
                    )
                self.delimiters = found
            yield part.split(self.delimiters.element)


def _element(segment: list[str], position: int) -> str:
    return segment[position] if len(segment) > position else ""


@dataclass
class ReferenceSet:
    interchange: Interchange
    group: FunctionalGroup
    segments: list[list[str]]
    first_index: int
    findings: list[Finding] = field(default_factory=list)


@dataclass(frozen=True)
class SetView:
    """What is compared of a transaction set."""

    interchange: Interchange
    group: FunctionalGroup
    transaction_set_id: str
    control_number: str
    implementation_reference: str | None
    first_index: int
    segments: list[list[str]]
    findings: list[Finding]


@dataclass
class Reading:
    """What a reader gave: its sets, envelope findings, interchanges, the error that stopped
    it and the delimiters it ended with."""

    sets: list[SetView] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    interchanges: list[Interchange] = field(default_factory=list)
    error: Error | None = None
    delimiters: Delimiters | None = None


def _set_view(
    interchange: Interchange,
    group: FunctionalGroup,
    segments: list[list[str]],
    first_index: int,
    findings: list[Finding],
) -> SetView:
    st_segment = segments[0]
    return SetView(
        interchange,
        group,
        _element(st_segment, 1),
        _element(st_segment, 2),
        _element(st_segment, 3) or None,
        first_index,
        segments,
        findings,
    )


def _check(
    findings: list[Finding],
    found: str,
    expected: str,
    code: str,
    what: str,
    index: int,
    seg: str,
    pos: int,
) -> None:
    if found.lstrip("0") != expected.lstrip("0"):
        findings.append(
            Finding(
                f"{code.lower()}_mismatch",
                f"{code} is {found!r}, expected the {what} {expected!r}",
                index,
                seg,
                pos,
            )
        )


def _text_findings(current: ReferenceSet, delimiters: Delimiters) -> list[Finding]:
    """Segment by segment, character by character: ids the guide does not allow, then
    characters outside printable ASCII (delimiters apart), once per segment, 50 of each."""
    st = current.segments[0]
    kind = kind_of(_element(st, 1), _element(st, 3) or current.group.version)
    allowed = SEGMENTS.get(kind)
    unknown: list[Finding] = []
    foreign: list[Finding] = []
    others = delimiters.component + (delimiters.repetition or "")
    for offset, segment in enumerate(current.segments):
        index = current.first_index + offset
        if allowed is not None and offset and segment[0] not in allowed and len(unknown) < 50:
            segment_id = segment[0][:3]
            message = f"segment id {segment_id!r} is not a segment of the {kind}: not read"
            unknown.append(Finding("unknown_segment", message, index, segment_id))
        if len(foreign) == 50:
            continue
        for position, value in enumerate(segment):
            bad = [c for c in value if not " " <= c <= "~" and c not in others]
            if bad:
                joined = delimiters.element.join(segment)
                segment_id = joined[:3].split(delimiters.element)[0]
                message = (
                    f"{segment_id}{position:02d} holds U+{ord(bad[0]):04X}, which is outside "
                    "the X12 character set"
                )
                foreign.append(
                    Finding("invalid_character", message, index, segment_id, position or None)
                )
                break
    return unknown + foreign


def reference_read(data: bytes) -> Reading:
    """The envelope reader as it was (X12.5/X12.6 control structure), on ReferenceSegments."""
    reading = Reading()
    reader = ReferenceSegments(data)
    interchange: Interchange | None = None
    group: FunctionalGroup | None = None
    current: ReferenceSet | None = None
    groups = sets = 0
    last_id = ""
    try:
        for segment in reader:
            index = reader.index
            tag = segment[0]
            last_id = tag
            if current is not None:
                current.segments.append(segment)
                if tag == "SE":
                    assert reader.delimiters is not None
                    current.findings.extend(_text_findings(current, reader.delimiters))
                    count = _element(segment, 1)
                    if count != str(len(current.segments)):
                        current.findings.append(
                            Finding(
                                "se_count_mismatch",
                                f"SE01 says {count or 'nothing'}, "
                                f"the set has {len(current.segments)} segments",
                                index,
                                "SE",
                                1,
                            )
                        )
                    control = _element(current.segments[0], 2)
                    if _element(segment, 2) != control:
                        current.findings.append(
                            Finding(
                                "se_control_mismatch",
                                f"SE02 {_element(segment, 2)!r} does not match ST02 {control!r}",
                                index,
                                "SE",
                                2,
                            )
                        )
                    sets += 1
                    reading.sets.append(
                        _set_view(
                            current.interchange,
                            current.group,
                            current.segments,
                            current.first_index,
                            current.findings,
                        )
                    )
                    current = None
                elif tag in ("ST", "GE", "IEA", "GS", "ISA"):
                    control = _element(current.segments[0], 2)
                    raise X12ReadError(
                        f"{tag} before SE closed transaction set {control}",
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
                if len(segment) < 17:
                    raise X12ReadError(
                        "ISA must have 16 elements",
                        segment_index=index,
                        segment_id="ISA",
                        element_position=len(segment) - 1,
                    )
                assert reader.delimiters is not None
                isa = [element.strip() for element in segment]
                interchange = Interchange(
                    sender_qualifier=isa[5],
                    sender_id=isa[6],
                    receiver_qualifier=isa[7],
                    receiver_id=isa[8],
                    date=isa[9],
                    time=isa[10],
                    version=isa[12],
                    control_number=isa[13],
                    usage_indicator=isa[15],
                    delimiters=reader.delimiters,
                )
                reading.interchanges.append(interchange)
                groups = 0
            elif tag == "GS":
                if interchange is None or group is not None:
                    raise X12ReadError(
                        "GS outside an interchange or inside an open group",
                        segment_index=index,
                        segment_id=tag,
                    )
                group = FunctionalGroup(*(_element(segment, i) for i in (1, 2, 3, 4, 5, 6, 8)))
                sets = 0
            elif tag == "ST":
                if interchange is None or group is None:
                    raise X12ReadError(
                        "ST outside a functional group", segment_index=index, segment_id=tag
                    )
                current = ReferenceSet(interchange, group, [segment], index)
            elif tag == "GE":
                if group is None:
                    raise X12ReadError("GE without GS", segment_index=index, segment_id=tag)
                found = reading.findings
                _check(
                    found,
                    _element(segment, 1),
                    str(sets),
                    "GE01",
                    "number of transaction sets",
                    index,
                    "GE",
                    1,
                )
                _check(
                    found,
                    _element(segment, 2),
                    group.control_number,
                    "GE02",
                    "GS06 control number",
                    index,
                    "GE",
                    2,
                )
                group = None
                groups += 1
            elif tag == "IEA":
                if interchange is None or group is not None:
                    raise X12ReadError(
                        "IEA outside an interchange or before GE",
                        segment_index=index,
                        segment_id=tag,
                    )
                found = reading.findings
                _check(
                    found,
                    _element(segment, 1),
                    str(groups),
                    "IEA01",
                    "number of functional groups",
                    index,
                    "IEA",
                    1,
                )
                _check(
                    found,
                    _element(segment, 2),
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
                "transaction set" if current else "functional group" if group else "interchange"
            )
            raise X12ReadError(
                f"file ends inside an open {open_part} (truncated)",
                segment_index=reader.index,
                segment_id=last_id,
            )
    except X12ReadError as error:
        reading.error = _error(error)
    reading.delimiters = reader.delimiters
    return reading


def reference_text(data: bytes) -> str:
    """The normalized text SegmentText should hand out: every segment followed by the
    terminator. Raises where the file cannot be started (no ISA)."""
    reader = ReferenceSegments(data)
    parts = list(reader.parts())
    assert reader.delimiters is not None
    terminator = reader.delimiters.segment
    return "".join(part + terminator for part in parts)


# --- The readers under test ---------------------------------------------------------------


def _check_set_text(ts: TransactionSet) -> None:
    """`text` is the set's normalized text; `segments` is made from it, once."""
    delimiters = ts.delimiters
    assert delimiters is ts.interchange.delimiters
    assert ts.text == "".join(delimiters.element.join(s) + delimiters.segment for s in ts.segments)
    assert ts.segment_count == len(ts.segments)
    assert ts.segments is ts.segments
    assert ts.segments[0][0] == "ST"
    assert ts.segments[-1][0] == "SE"


def fast_read(data: bytes, chunk_size: int) -> Reading:
    reading = Reading()
    reader = EnvelopeReader(data, chunk_size=chunk_size)
    try:
        for ts in reader:
            _check_set_text(ts)
            assert ts.implementation_reference == (_element(ts.segments[0], 3) or None)
            reading.sets.append(
                SetView(
                    ts.interchange,
                    ts.group,
                    ts.transaction_set_id,
                    ts.control_number,
                    ts.implementation_reference,
                    ts.first_index,
                    ts.segments,
                    ts.findings,
                )
            )
    except X12ReadError as error:
        reading.error = _error(error)
    reading.findings = reader.findings
    reading.interchanges = reader.interchanges
    reading.delimiters = reader.segments.delimiters
    return reading


def _segment_list(reader: SegmentReader | ReferenceSegments) -> tuple[object, ...]:
    found: list[tuple[int, list[str], Delimiters | None]] = []
    error = None
    try:
        for segment in reader:
            found.append((reader.index, segment, reader.delimiters))
    except X12ReadError as exc:
        error = _error(exc)
    return found, error, reader.delimiters


def assert_same(data: bytes, chunk_sizes: tuple[int, ...] = CHUNK_SIZES) -> Reading:
    """Every reader agrees with the reference, at every chunk size; returns the reference."""
    expected = reference_read(data)
    segments = _segment_list(ReferenceSegments(data))
    try:
        text: str | None = reference_text(data)
    except X12ReadError:
        text = None
    for chunk_size in chunk_sizes:
        assert fast_read(data, chunk_size) == expected, chunk_size
        assert _segment_list(SegmentReader(data, chunk_size=chunk_size)) == segments, chunk_size
        if text is not None:
            assert "".join(_blocks(data, chunk_size)) == text, chunk_size
    return expected


def _blocks(data: bytes, chunk_size: int) -> Iterator[str]:
    """SegmentText's blocks, checked: whole segments, terminated, held one chunk at a time."""
    source = SegmentText(data, chunk_size=chunk_size)
    decoded = ReferenceSegments(data).text
    longest = 0
    for block in source:
        assert source.delimiters is not None
        terminator = source.delimiters.segment
        longest = longest or max(len(part) for part in decoded.split(terminator))
        assert block.endswith(terminator)
        assert block[0] != terminator
        assert not (block[0] <= " " and block[0].isspace())
        assert len(block) <= chunk_size + max(256, longest) + 1
        yield block


# --- Sample files ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: str(p.relative_to(SAMPLES)))
def test_samples_read_as_the_reference_reads_them(path: Path) -> None:
    data = path.read_bytes()
    chunk_sizes = CHUNK_SIZES if len(data) < 20_000 else (BLOCK_SIZE, 4096, 61)
    assert_same(data, chunk_sizes)


def test_samples_are_mostly_readable() -> None:
    """The comparison above is not only of errors: most samples read to the end."""
    readable = [p for p in SAMPLE_FILES if reference_read(p.read_bytes()).error is None]
    assert len(readable) >= len(SAMPLE_FILES) // 2


# --- Synthetic files with each quirk -------------------------------------------------------


def _isa(control: str, element: str = "*", component: str = ":", repetition: str = "^") -> str:
    fields = [
        "ISA", "00", " " * 10, "00", " " * 10, "ZZ", "SENDER".ljust(15), "ZZ",
        "RECEIVER".ljust(15), "240301", "1200", repetition, "00501", control, "0", "P", component,
    ]  # fmt: skip
    return element.join(fields)


BODY = [
    "GS*HP*SENDER*RECEIVER*20240301*1200*1*X*005010X221A1",
    "ST*835*0001",
    "BPR*I*100.00*C*ACH",
    "TRN*1*A1*1512345678",
    "SE*4*0001",
    "ST*835*0002*005010X221A1",
    "BPR*I*2.50*C",
    "SEQ*1",
    "SVC*HC:99213*2.50*2.50",
    "SE*5*0002",
    "GE*2*1",
    "GS*HN*SENDER*RECEIVER*20240301*1200*2*X*005010X214",
    "ST*277*0003*005010X214",
    "STC*A1:20*20240301*WQ*2.50",
    "NM1*QC*1*MÜLLER*ANNA",
    "SE*4*0003",
    "GE*1*2",
    "IEA*2*000000001",
]


def interchange(
    body: list[str] = BODY,
    *,
    control: str = "000000001",
    element: str = "*",
    component: str = ":",
) -> list[str]:
    """Segments of one interchange, written with the given delimiters."""
    body = [segment.replace("*", element).replace(":", component) for segment in body]
    return [_isa(control, element, component), *body]


def render(segments: list[str], terminator: str = "~", after: str = "") -> bytes:
    return "".join(segment + terminator + after for segment in segments).encode()


def test_reference_reads_the_clean_file() -> None:
    """The reference is a real reader: three sets, one interchange, no envelope findings;
    only the two text defects the body holds on purpose (SEQ is no 835 segment, MÜLLER is
    not X12 text)."""
    reading = assert_same(render(interchange()))
    assert reading.error is None
    sets = reading.sets
    assert [
        (s.transaction_set_id, s.control_number, s.implementation_reference, s.first_index)
        for s in sets
    ] == [
        ("835", "0001", None, 3),
        ("835", "0002", "005010X221A1", 7),
        ("277", "0003", "005010X214", 14),
    ]
    assert reading.findings == []
    assert [[(f.code, f.segment_index, f.segment_id) for f in s.findings] for s in sets] == [
        [],
        [("unknown_segment", 9, "SEQ")],
        [("invalid_character", 16, "NM1")],
    ]
    assert sets[2].findings[0].element_position == 3
    assert [i.control_number for i in reading.interchanges] == ["000000001"]


LINE_BREAKS = {
    "crlf": "\r\n",
    "lf": "\n",
    "indent": "\n    ",
    "crlf-tab": "\r\n\t",
    "blank-lines": "\n\n\n",
    "blank-crlf": "\r\n\r\n  \r\n",
    "unicode-space": "\n\u00a0\u2003",
    "space": " ",
    "vt-ff": "\x0b\x0c",
    "separators": "\x1c\x1d\x1e\x1f\x85",
}


@pytest.mark.parametrize("after", LINE_BREAKS.values(), ids=LINE_BREAKS.keys())
@pytest.mark.parametrize("name", ["MÜLLER", "MULLER"], ids=["unicode", "ascii"])
def test_line_breaks_and_indentation(after: str, name: str) -> None:
    """An ASCII block loses its line breaks by a plain replace, another by the regex."""
    body = [segment.replace("MÜLLER", name) for segment in BODY]
    reading = assert_same(render(interchange(body), after=after))
    assert reading.error is None
    assert len(reading.sets) == 3


def test_empty_segments_and_odd_starts() -> None:
    """Empty segments go; a segment starting with a non-blank whitespace or a control
    character that is not whitespace keeps it, as before."""
    segments = interchange()
    text = "~".join(segments).replace("BPR*I*100", "\r\n~~ \n~BPR*I*100")
    text = text.replace("SEQ*1", "\u00a0SEQ*1").replace("SVC*", "\x00SVC*") + "~~\r\n~"
    reading = assert_same(text.encode())
    assert reading.error is None


@pytest.mark.parametrize("terminator", ["\r", "\x1d", "\n", "\\", "|"])
@pytest.mark.parametrize("after", ["", "\r\n", "\n"], ids=["none", "crlf", "lf"])
def test_other_terminators(terminator: str, after: str) -> None:
    body = [segment.replace("MÜLLER", "MULLER") for segment in BODY]
    reading = assert_same(render(interchange(body), terminator, after))
    assert reading.error is None
    assert len(reading.sets) == 3


def test_bom_and_leading_blanks() -> None:
    data = b"\xef\xbb\xbf" + b" \r\n\t" + render(interchange(), "~", "\r\n")
    assert assert_same(data).error is None


def test_missing_final_terminator() -> None:
    for tail in ("", "\r\n", "\n  "):
        data = render(interchange(), "~", "\n")[:-2] + tail.encode()
        reading = assert_same(data)
        assert reading.error is None


def test_final_segment_with_trailing_blanks_keeps_them() -> None:
    """No terminator after the IEA but a line break: the break stays in IEA02, so the
    control number no longer matches (a finding), as before."""
    data = render(interchange())[:-1] + b"\r\n"
    reading = assert_same(data)
    assert [f.code for f in reading.findings] == ["iea02_mismatch"]


def test_two_interchanges_with_different_separators() -> None:
    first = interchange()
    second = interchange(control="000000002", element="|", component=">")
    second[-1] = "IEA|2|000000002"
    reading = assert_same(render(first + second, "~", "\r\n"))
    assert reading.error is None
    assert len(reading.sets) == 6
    assert [i.delimiters.element for i in reading.interchanges] == ["*", "|"]


def test_utf8_split_across_chunks_and_invalid_bytes() -> None:
    data = render(interchange()).replace("MÜLLER".encode(), "MÜ€LLER🙂".encode() + b"\xff\xc3")
    reading = assert_same(data, (1, 2, 3, 5, BLOCK_SIZE))
    assert reading.error is None


def test_findings() -> None:
    body = list(BODY)
    body[4] = "SE*9*0009"  # SE01 and SE02 wrong
    body[9] = "SE"  # no elements at all
    body[10] = "GE*3*7"
    body[-1] = "IEA*1*000000002"
    reading = assert_same(render(interchange(body), "~", "\n"))
    assert reading.error is None
    codes = [f.code for s in reading.sets for f in s.findings if f.segment_id == "SE"]
    assert codes == ["se_count_mismatch", "se_control_mismatch"] * 2
    assert [f.code for f in reading.findings] == [
        "ge01_mismatch",
        "ge02_mismatch",
        "iea01_mismatch",
        "iea02_mismatch",
    ]


@pytest.mark.parametrize(
    ("position", "segment"),
    [
        (3, "ST*835*0009"),
        (3, "GS*HP*A*B*20240101*1200*9*X*005010X221A1"),
        (3, "GE*1*1"),
        (3, "IEA*1*000000001"),
        (3, "IEA"),
        (3, "ST"),
        (3, _isa("000000005")),
        (3, _isa("000000005", element="|")),
        (3, "ISAX*broken"),
        (3, "ISA*too*short"),
        (8, _isa("000000005")[:-2]),  # no ISA16: the next terminator is taken for it
        (1, "BPR*I*1*C"),  # a segment outside any set
        (0, "ST*835*0001"),  # ST outside a group
        (0, "GE*0*1"),  # GE without GS
        (11, "GS*HP*A*B*20240101*1200*9*X*005010X221A1"),  # GS inside an open group
        (11, "ISA"),  # between groups: a broken ISA
        (11, _isa("000000005")),  # ISA before IEA
        (11, "IEA*1*000000001"),  # between groups: fine, then GS outside an interchange
        (12, "IEA*1*000000001"),  # IEA before GE
    ],
)
def test_structural_errors(position: int, segment: str) -> None:
    segments = interchange()
    segments.insert(position + 1, segment)
    for after in ("", "\r\n"):
        reading = assert_same(render(segments, "~", after))
        assert reading.error is not None


def test_nested_segment_in_a_later_block() -> None:
    """The set spans many blocks; the stray GE sits in the last."""
    body = list(BODY)
    body[3:3] = [f"REF*6R*{n:06d}" for n in range(400)] + ["GE*1*1"]
    reading = assert_same(render(interchange(body), "~", "\r\n"), (BLOCK_SIZE, 512, 97, 13))
    assert reading.error is not None
    assert reading.error[0] == "GE before SE closed transaction set 0001"


def test_later_interchange_changes_the_terminator() -> None:
    data = render(interchange()) + render(interchange(control="000000002"), "!")
    reading = assert_same(data)
    assert reading.error is not None
    assert reading.error[0] == "a later interchange changes the segment terminator"


@pytest.mark.parametrize("keep", [2, 3, 4, 6, 8, 11, 12, 16, 17, 18])
def test_truncated_files(keep: int) -> None:
    for after in ("", "\r\n", "\n\n"):
        segments = interchange()[:keep]
        for data in (render(segments, "~", after), render(segments, "~", after)[:-1]):
            reading = assert_same(data)
            assert reading.error is not None
            assert "(truncated)" in reading.error[0]


def test_a_long_set_spanning_blocks() -> None:
    body = list(BODY)
    body[3:3] = [f"REF*6R*{n:06d}" for n in range(3000)]
    body[4 + 3000] = "SE*3004*0001"
    reading = assert_same(render(interchange(body), "~", "\n"), (BLOCK_SIZE, 1024, 100, 17))
    assert reading.error is None
    assert reading.sets[0].findings == []


@pytest.mark.parametrize(
    "data",
    [b"", b"  \r\n\t ", b"\xef\xbb\xbf", b"\xef\xbb\xbf\r\n", b"GS*HP~", b"ISA", b"ISA1*00~"],
    ids=["empty", "blanks", "bom", "bom-blanks", "no-isa", "short-isa", "bad-separator"],
)
def test_unreadable_starts(data: bytes) -> None:
    reading = assert_same(data)
    assert reading.error is not None


def test_transaction_set_text() -> None:
    (ts, *_) = EnvelopeReader(render(interchange(), "~", "\r\n"))
    assert ts.text == "ST*835*0001~BPR*I*100.00*C*ACH~TRN*1*A1*1512345678~SE*4*0001~"
    assert ts.segment_count == 4
    assert ts.segments[1] == ["BPR", "I", "100.00", "C", "ACH"]
    assert ts.delimiters == Delimiters("*", ":", "~", "^")


# --- Random files -------------------------------------------------------------------------

JUNK = ["", "", "", "\r\n", "\n", "\n  ", "~", "~\n~", " ", "\t", "\u00a0", "\x00", "\r"]
JUNK += ["\x0b\x0c", "\x1c\x1d\x1e\x1f", "\x1f\u3000 ", "\x85", "\n\u2028"]
EXTRA = ["ST*835*0009", "GE*1*1", "SE*2*0001", "REF*X*1", "IEA*1*1", "ISA*bad", "SEQ*1", ""]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_files(data: st.DataObject) -> None:
    """Random junk after terminators, dropped or stray segments, another interchange,
    truncation, and a random chunk size."""
    segments = interchange()
    if data.draw(st.booleans()):
        segments += interchange(control="000000002", element=data.draw(st.sampled_from("*|!")))
    for _ in range(data.draw(st.integers(0, 3))):
        at = data.draw(st.integers(0, len(segments)))
        if data.draw(st.booleans()):
            segments.insert(at, data.draw(st.sampled_from(EXTRA)))
        elif at < len(segments):
            del segments[at]
    text = "".join(s + "~" + data.draw(st.sampled_from(JUNK)) for s in segments)
    text = text[: data.draw(st.integers(len(text) - 40, len(text)))] if text else text
    prefix = data.draw(st.sampled_from(["", "\ufeff", "\r\n ", "\ufeff\n"]))
    chunk_size = data.draw(st.integers(1, 300))
    assert_same((prefix + text).encode(), (chunk_size, BLOCK_SIZE))

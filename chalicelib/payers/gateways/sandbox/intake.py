"""What the sandbox clearinghouse makes of a submitted interchange before any payer sees it:
the envelope and the 837P sets read, and each defect located for the 999 (IK3 segment,
position and loop, IK4 element, CTX*CLM01)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from chalicelib.claims.model import Claim
from chalicelib.x12.envelope import EnvelopeReader, FunctionalGroup, TransactionSet
from chalicelib.x12.errors import X12ReadError
from chalicelib.x12.read.claim837p import parse_837p
from chalicelib.x12.tokenizer import SegmentReader, parse_isa_delimiters
from chalicelib.x12.writer import (
    DEFAULT_DELIMITERS,
)

from .write import ack999


@dataclass(frozen=True, slots=True)
class _Header:
    """The ISA fields the answers need, read even when the rest of the file is broken."""

    control_number: str
    sender_qualifier: str
    sender_id: str
    usage_indicator: str


def _peek_isa(data: bytes) -> _Header | None:
    text = data.decode("utf-8-sig", errors="replace").lstrip()
    try:
        delimiters = parse_isa_delimiters(text)
    except X12ReadError:
        return None
    elements = text.split(delimiters.segment, 1)[0].split(delimiters.element)
    if len(elements) < 17:
        return None
    return _Header(
        control_number=elements[13].strip(),
        sender_qualifier=elements[5].strip() or "ZZ",
        sender_id=elements[6].strip(),
        usage_indicator=elements[15].strip() if elements[15].strip() in ("T", "P") else "P",
    )


def _scan(data: bytes) -> list[tuple[int, list[str]]]:
    """Segments with their file positions, up to where the file stops being readable."""
    reader = SegmentReader(data)
    found: list[tuple[int, list[str]]] = []
    try:
        for segment in reader:
            found.append((reader.index, segment))
    except X12ReadError:
        pass
    return found


_NM1_LOOPS = {
    "header": {"41": "1000A", "40": "1000B"},
    "hl": {"85": "2010AA", "87": "2010AB", "PE": "2010AC", "IL": "2010BA", "PR": "2010BB"}
    | {"QC": "2010CA"},
    "claim": {"DN": "2310A", "P3": "2310A", "82": "2310B", "77": "2310C", "DQ": "2310D"}
    | {"PW": "2310E", "45": "2310F"},
    "other": {"IL": "2330A", "PR": "2330B", "DN": "2330C", "P3": "2330C", "82": "2330D"}
    | {"77": "2330E", "DQ": "2330F", "85": "2330G"},
    "line": {"82": "2420A", "QB": "2420B", "77": "2420C", "DQ": "2420D", "DK": "2420E"}
    | {"DN": "2420F", "P3": "2420F", "PW": "2420G", "45": "2420H"},
}
_HL_LOOPS = {"20": "2000A", "22": "2000B", "23": "2000C"}


def _loop_837(segments: Sequence[list[str]], position: int) -> str | None:
    """The 837P (X222A1) loop of the segment at `position` (0 = ST), e.g. "2010AA"; IK303
    takes its first four characters (data element 447 is AN 1-4)."""
    loop: str | None = None
    stage = "header"
    for segment in segments[1 : position + 1]:
        tag = segment[0]
        code = segment[1] if len(segment) > 1 else ""
        if tag == "HL":
            loop, stage = _HL_LOOPS.get(segment[3] if len(segment) > 3 else ""), "hl"
        elif tag == "CLM":
            loop, stage = "2300", "claim"
        elif tag == "SBR" and stage in ("claim", "other", "line"):
            loop, stage = "2320", "other"
        elif tag == "LX":
            loop, stage = "2400", "line"
        elif tag == "LIN" and stage == "line":
            loop = "2410"
        elif tag == "SVD":
            loop = "2430"
        elif tag == "NM1":
            loop = _NM1_LOOPS[stage].get(code, loop)
        elif tag in ("SE", "ST"):
            loop = None
    return loop


# Data element reference numbers (IK402) of the 837P elements a reader most often rejects.
_ELEMENT_REFERENCES = {
    ("CLM", 1): "1028",
    ("CLM", 2): "782",
    ("SV1", 2): "782",
    ("SV1", 4): "380",
    ("DTP", 1): "374",
    ("DTP", 2): "1250",
    ("DTP", 3): "1251",
    ("NM1", 1): "98",
    ("NM1", 2): "1065",
    ("NM1", 3): "1035",
    ("NM1", 4): "1036",
    ("NM1", 8): "66",
    ("NM1", 9): "67",
    ("HL", 1): "628",
    ("HL", 2): "734",
    ("HL", 3): "735",
    ("HL", 4): "736",
    ("SBR", 1): "1138",
    ("SBR", 9): "1032",
    ("DMG", 2): "1251",
    ("DMG", 3): "1068",
    ("REF", 1): "128",
    ("REF", 2): "127",
    ("N4", 1): "19",
    ("N4", 2): "156",
    ("N4", 3): "116",
    ("AMT", 2): "782",
    ("LX", 1): "554",
    ("PAT", 1): "1069",
    ("SVD", 2): "782",
    ("CAS", 3): "782",
    ("BHT", 4): "373",
}
_NUMERIC = frozenset({"782", "380", "554"})
_DATES = frozenset({"1251", "373"})


def _element_error(
    segment: list[str] | None, position: int, delimiters: str
) -> ack999.ElementError:
    """IK4 for one element: missing (1), not a number (6), not a date (8), else an invalid
    code value (7); the bad value is copied unless it holds one of our delimiters."""
    segment_id = segment[0] if segment else ""
    value = segment[position] if segment is not None and len(segment) > position else ""
    reference = _ELEMENT_REFERENCES.get((segment_id, position))
    if not value.strip():
        code = "1"
    elif reference in _NUMERIC:
        code = "6"
    elif reference in _DATES:
        code = "8"
    else:
        code = "7"
    copy = value if value and not any(c in value for c in delimiters) and len(value) <= 99 else ""
    return ack999.ElementError(
        position=position,
        error_code=code,
        data_element_reference=reference,
        bad_value=copy or None,
    )


def _segment_error(
    segments: Sequence[list[str]],
    first_index: int,
    error: X12ReadError,
    claim_id: str | None = None,
) -> ack999.SegmentError:
    """IK3 (+ IK4, CTX*CLM01) locating a read error inside one transaction set."""
    position = max(1, min(error.segment_index - first_index + 1, len(segments)))
    segment = segments[position - 1] if segments else None
    delimiters = "".join(
        (DEFAULT_DELIMITERS.element, DEFAULT_DELIMITERS.component, DEFAULT_DELIMITERS.segment)
    ) + (DEFAULT_DELIMITERS.repetition or "")
    elements: tuple[ack999.ElementError, ...] = ()
    if error.element_position:
        elements = (_element_error(segment, error.element_position, delimiters),)
        code = "8"  # segment has data element errors
    elif any(word in error.message.lower() for word in ("missing", "has no", "truncated")):
        code = "3"  # required segment missing
    else:
        code = "2"  # unexpected segment
    segment_id = error.segment_id or (segment[0] if segment else "ST")
    if not segment_id.isalnum() or not 2 <= len(segment_id) <= 3:
        segment_id = segment[0] if segment and segment[0].isalnum() else "ST"
    return ack999.SegmentError(
        segment_id=segment_id,
        position=position,
        loop_id=(_loop_837(segments, position - 1) or "")[:4] or None,
        error_code=code,
        business_context=("CLM01", claim_id) if claim_id else None,
        element_errors=elements,
    )


@dataclass(frozen=True, slots=True)
class _ReadSet:
    """One received transaction set: its acknowledgment and, when accepted, its claims."""

    ts: TransactionSet
    ack: ack999.SetAcknowledgment
    claims: tuple[Claim, ...]


def _read_set(ts: TransactionSet) -> _ReadSet:
    def rejected(*codes: str, errors: tuple[ack999.SegmentError, ...] = ()) -> _ReadSet:
        ack = ack999.SetAcknowledgment(
            ts.transaction_set_id or "837",
            ts.control_number or "0000",
            "R",
            ts.implementation_reference,
            codes,
            errors,
        )
        return _ReadSet(ts, ack, ())

    if ts.transaction_set_id != "837":
        return rejected("1")  # transaction set not supported
    if not (ts.implementation_reference or "").startswith("005010X222"):
        return rejected("I6")  # implementation convention not supported
    codes = []
    for finding in ts.findings:
        if finding.code == "se_count_mismatch":
            codes.append("4")  # number of included segments does not match actual count
        elif finding.code == "se_control_mismatch":
            codes.append("3")  # control number in header and trailer do not match
    if codes:
        return rejected(*codes)
    try:
        read = parse_837p(ts)
    except X12ReadError as error:
        return rejected("5", errors=(_segment_error(ts.segments, ts.first_index, error),))
    errors = tuple(
        _segment_error(ts.segments, ts.first_index, item.error, item.patient_control_number)
        for item in read
        if item.error is not None
    )
    if errors or not read:
        return rejected("5", errors=errors)
    ack = ack999.SetAcknowledgment("837", ts.control_number, "A", ts.implementation_reference)
    return _ReadSet(ts, ack, tuple(item.claim for item in read if item.claim is not None))


@dataclass(frozen=True, slots=True)
class _ReadGroup:
    group: FunctionalGroup
    sets: tuple[_ReadSet, ...]
    acknowledgment: ack999.GroupAcknowledgment


def _group_from_scan(
    scanned: Sequence[tuple[int, list[str]]], before: int
) -> tuple[list[str] | None, list[tuple[int, list[list[str]]]]]:
    """The last GS before file position `before` and the sets (ST..) that follow it."""
    gs: list[str] | None = None
    sets: list[tuple[int, list[list[str]]]] = []
    for index, segment in scanned:
        if index > before:
            break
        if segment[0] == "GS":
            gs, sets = segment, []
        elif segment[0] == "ST":
            sets.append((index, [segment]))
        elif sets and sets[-1][1][-1][0] != "SE":
            sets[-1][1].append(segment)
    return gs, sets


def _unreadable(data: bytes, error: X12ReadError) -> ack999.GroupAcknowledgment:
    """A 999 R for an interchange whose envelopes cannot be read: the set holding the error
    gets IK3 at it; sets read before it are rejected with the group (AK905 3 when the file
    ends inside the group)."""
    scanned = _scan(data)
    gs, sets = _group_from_scan(scanned, error.segment_index)
    acks: list[ack999.SetAcknowledgment] = []
    for first_index, segments in sets:
        st = segments[0]
        closed = segments[-1][0] == "SE"
        errors: tuple[ack999.SegmentError, ...] = ()
        codes: tuple[str, ...] = ()
        if not closed:
            errors = (_segment_error(segments, first_index, error),)
            truncated = "truncated" in error.message or "before SE" in error.message
            codes = ("2",) if truncated else ("5",)  # trailer missing / segments in error
        acks.append(
            ack999.SetAcknowledgment(
                st[1] if len(st) > 1 and st[1] else "837",
                st[2] if len(st) > 2 and st[2] else "0000",
                "R",
                st[3] if len(st) > 3 and st[3] else None,
                codes,
                errors,
            )
        )
    group_codes: tuple[str, ...] = ()
    if "functional group" in error.message:
        group_codes = ("3",)  # functional group trailer missing
    return ack999.GroupAcknowledgment(
        functional_id=gs[1] if gs and len(gs) > 1 and gs[1] else "HC",
        group_control_number=gs[6] if gs and len(gs) > 6 and gs[6] else "0",
        sets=tuple(acks),
        version=gs[8] if gs and len(gs) > 8 and gs[8] else None,
        status="R",
        sets_included=len(acks),
        error_codes=group_codes,
    )


def _read_groups(sets: Sequence[TransactionSet], reader: EnvelopeReader) -> list[_ReadGroup]:
    """Acknowledge each functional group (one 999 per group); GE/IEA count or control
    mismatches reject the whole group (AK905 5 / 4)."""
    groups: dict[tuple[str, str], list[TransactionSet]] = {}
    for ts in sets:
        groups.setdefault((ts.interchange.control_number, ts.group.control_number), []).append(ts)
    group_codes: list[str] = []
    interchange_broken = False
    for finding in reader.findings:
        if finding.code == "ge01_mismatch":
            group_codes.append("5")
        elif finding.code == "ge02_mismatch":
            group_codes.append("4")
        else:
            interchange_broken = True  # IEA01 / IEA02: TA1 territory, the group goes with it
    result = []
    for members in groups.values():
        read = [_read_set(ts) for ts in members]
        if group_codes or interchange_broken:
            # The group is rejected as a whole: its sets go with it, claims and all.
            read = [_ReadSet(r.ts, dataclasses.replace(r.ack, status="R"), ()) for r in read]
        group = members[0].group
        acknowledgment = ack999.GroupAcknowledgment(
            functional_id=group.functional_id,
            group_control_number=group.control_number,
            sets=tuple(r.ack for r in read),
            version=group.version or None,
            status="R" if group_codes or interchange_broken else None,
            error_codes=tuple(dict.fromkeys(group_codes)),
        )
        result.append(_ReadGroup(group, tuple(read), acknowledgment))
    return result


# ==========================================================================================
# The clearinghouse
# ==========================================================================================

"""999 implementation acknowledgment reader (005010X231A1; also X231 without the errata).

A 999 answers one functional group we sent: AK1 names the group, one AK2 loop (2000) per
transaction set says whether that set was accepted (IK5), and IK3/IK4 (loops 2100/2110) locate
each syntax error, with CTX segments that give context, most usefully CTX*CLM01:<claim id>
naming the claim the error sits in. AK9 closes with the group's status and counts.

A 997 (the 4010 functional acknowledgment) has the same shape with AK3/AK4/AK5 in place of
IK3/IK4/IK5, so it reads here too.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..elements import Numeric, element, number_error, optional, parse_integer
from ..envelope import Finding, TransactionSet
from .base import SetReader

SET_STATUSES: dict[str, str] = {
    "A": "accepted",
    "E": "accepted, but errors were noted",
    "M": "rejected, message authentication code (MAC) failed",
    "R": "rejected",
    "W": "rejected, assurance failed validity tests",
    "X": "rejected, content after decryption could not be analyzed",
}
"""IK501 transaction set acknowledgment codes (X231A1 loop 2000 IK5)."""

GROUP_STATUSES: dict[str, str] = {
    "A": "accepted",
    "E": "accepted, but errors were noted",
    "M": "rejected, message authentication code (MAC) failed",
    "P": "partially accepted, at least one transaction set was rejected",
    "R": "rejected",
    "W": "rejected, assurance failed validity tests",
    "X": "rejected, content after decryption could not be analyzed",
}
"""AK901 functional group acknowledgment codes (X231A1 AK9)."""

_ACCEPTED = frozenset({"A", "E"})
# X231A1 numbers are N0 (digits only, X12.6): a position in a set (IK302, CTX03: DE 719, 1/10),
# a count of sets (AK902-904: DE 97, 123, 2, 1/6) and the parts of C030 (DE 722 element 1/2,
# DE 1528 component 1/2, DE 1686 repetition 1/4). They count or locate: no minus sign.
_SEGMENT_POSITION = Numeric("segment position", 10, decimal=False, signed=False)
_SET_COUNT = Numeric("count of transaction sets", 6, decimal=False, signed=False)
_C030 = (
    Numeric("element position", 2, decimal=False, signed=False),
    Numeric("component position", 2, decimal=False, signed=False),
    Numeric("repeating element position", 4, decimal=False, signed=False),
)
_SEGMENT_TAGS = {"IK3": "IK3", "AK3": "IK3", "IK4": "IK4", "AK4": "IK4", "IK5": "IK5", "AK5": "IK5"}


@dataclass(frozen=True, slots=True)
class ElementPosition:
    """C030 position in segment (IK401, CTX05): element, then component and repetition."""

    element: int
    component: int | None = None
    repetition: int | None = None


@dataclass(frozen=True, slots=True)
class Context:
    """CTX (X231A1 loops 2100 and 2110). Two uses: business unit identifier, where
    `name` is e.g. "CLM01" and `reference` the claim's patient control number; and segment
    context ("SITUATIONAL TRIGGER"), which locates the segment whose presence triggered it."""

    name: str  # CTX01-1 context name
    reference: str | None  # CTX01-2 context reference, e.g. the CLM01 value
    segment_id: str | None  # CTX02
    segment_position: int | None  # CTX03 position in the acknowledged transaction set
    loop_id: str | None  # CTX04
    element_position: ElementPosition | None  # CTX05
    element_reference: str | None  # CTX06-1 data element reference number
    component_reference: str | None  # CTX06-2 data element reference number in the composite


@dataclass(frozen=True, slots=True)
class ElementError:
    """IK4 (loop 2110): one bad data element inside the segment its IK3 names."""

    position: ElementPosition  # IK401
    data_element_reference: str | None  # IK402, e.g. "782" monetary amount
    error_code: str  # IK403 implementation data element syntax error code
    bad_value: str | None  # IK404 copy of the bad data element (PHI is possible)
    contexts: tuple[Context, ...]


@dataclass(frozen=True, slots=True)
class SegmentError:
    """IK3 (loop 2100): one segment in the acknowledged set that has an error."""

    segment_id: str  # IK301
    position: int | None  # IK302 position in the acknowledged transaction set (ST = 1)
    loop_id: str | None  # IK303
    error_code: str | None  # IK304 implementation segment syntax error code
    contexts: tuple[Context, ...]
    element_errors: tuple[ElementError, ...]


@dataclass(frozen=True, slots=True)
class SetAcknowledgment:
    """AK2 loop 2000: one transaction set we sent and what became of it."""

    transaction_set_id: str  # AK201, e.g. "837"
    control_number: str  # AK202, our ST02
    implementation_reference: str | None  # AK203, our ST03
    status: str  # IK501, see SET_STATUSES; unknown codes are kept as sent
    error_codes: tuple[str, ...]  # IK502..IK506
    segment_errors: tuple[SegmentError, ...]

    @property
    def accepted(self) -> bool:
        """A and E pass the set on to the payer; every other code stops it (X231A1 IK501)."""
        return self.status in _ACCEPTED

    @property
    def claim_ids(self) -> tuple[str, ...]:
        """Patient control numbers named by CTX*CLM01 in this set's errors, first seen first."""
        found: list[str] = []
        for error in self.segment_errors:
            contexts = list(error.contexts)
            for element_error in error.element_errors:
                contexts.extend(element_error.contexts)
            for context in contexts:
                if context.name == "CLM01" and context.reference and context.reference not in found:
                    found.append(context.reference)
        return tuple(found)


@dataclass(frozen=True, slots=True)
class Acknowledgment:
    """One 999 transaction set: the answer about one functional group we sent."""

    control_number: str  # ST02 of the 999
    implementation_reference: str | None  # ST03, "005010X231A1" (or X231)
    functional_id: str  # AK101 of the acknowledged group, e.g. "HC" for 837
    group_control_number: str  # AK102, our GS06
    version: str | None  # AK103, our GS08
    group_status: str  # AK901, see GROUP_STATUSES
    sets_included: int | None  # AK902
    sets_received: int | None  # AK903
    sets_accepted: int | None  # AK904
    group_error_codes: tuple[str, ...]  # AK905..AK909
    sets: tuple[SetAcknowledgment, ...]
    findings: tuple[Finding, ...]

    @property
    def accepted(self) -> bool:
        return self.group_status in _ACCEPTED


class _Reader(SetReader):
    """Walks the 999 segment list, keeping file positions for errors and findings."""

    def integer(self, segment: list[str], position: int, i: int, kind: Numeric) -> int | None:
        """A position or count: one that is not an N0 number is a finding, read as None (the
        acknowledgment's verdict does not depend on it)."""
        text = element(segment, position)
        if not text:
            return None
        number = parse_integer(text, kind)
        if number is None:
            self.findings.append(
                Finding(
                    "not_a_number",
                    kind.message(segment[0], position),
                    self.at(i),
                    segment[0],
                    position,
                )
            )
        return number

    def position(self, segment: list[str], position: int, i: int) -> ElementPosition | None:
        """C030: element position, component position, repeating element position."""
        text = element(segment, position)
        if not text:
            return None
        parts = text.split(self.component)
        numbers: list[int | None] = []
        for part, kind in zip(parts, _C030, strict=False):
            number = parse_integer(part, kind) if part else None
            if part and number is None:
                raise number_error(kind, segment[0], self.at(i), position)
            numbers.append(number)
        numbers += [None] * (3 - len(numbers))
        first = numbers[0]
        if first is None:
            raise self.error("position has no element position", i, position)
        return ElementPosition(first, numbers[1], numbers[2])

    def context(self, segment: list[str], i: int) -> Context:
        parts = element(segment, 1).split(self.component)
        if not parts[0]:
            raise self.error("CTX01 context name is missing", i, 1)
        reference = element(segment, 6).split(self.component)
        return Context(
            name=parts[0],
            reference=(parts[1] or None) if len(parts) > 1 else None,
            segment_id=optional(segment, 2),
            segment_position=self.integer(segment, 3, i, _SEGMENT_POSITION),
            loop_id=optional(segment, 4),
            element_position=self.position(segment, 5, i),
            element_reference=reference[0] or None,
            component_reference=(reference[1] or None) if len(reference) > 1 else None,
        )


@dataclass(slots=True)
class _OpenSegmentError:
    segment: list[str]
    index: int
    contexts: list[Context]
    elements: list[ElementError]
    element_contexts: list[Context] | None = None
    element_segment: list[str] | None = None
    element_index: int = 0


@dataclass(slots=True)
class _OpenSet:
    segment: list[str]
    index: int
    errors: list[SegmentError]
    current: _OpenSegmentError | None = None


def _closeelement(reader: _Reader, open_error: _OpenSegmentError) -> None:
    segment = open_error.element_segment
    if segment is None:
        return
    i = open_error.element_index
    position = reader.position(segment, 1, i)
    if position is None:
        raise reader.error("IK401 position in segment is missing", i, 1)
    code = element(segment, 3)
    if not code:
        raise reader.error("IK403 error code is missing", i, 3)
    open_error.elements.append(
        ElementError(
            position=position,
            data_element_reference=optional(segment, 2),
            error_code=code,
            bad_value=optional(segment, 4),
            contexts=tuple(open_error.element_contexts or ()),
        )
    )
    open_error.element_segment = None
    open_error.element_contexts = None


def _close_segment_error(reader: _Reader, open_set: _OpenSet) -> None:
    current = open_set.current
    if current is None:
        return
    _closeelement(reader, current)
    segment = current.segment
    if not element(segment, 1):
        raise reader.error("IK301 segment id is missing", current.index, 1)
    open_set.errors.append(
        SegmentError(
            segment_id=segment[1],
            position=reader.integer(segment, 2, current.index, _SEGMENT_POSITION),
            loop_id=optional(segment, 3),
            error_code=optional(segment, 4),
            contexts=tuple(current.contexts),
            element_errors=tuple(current.elements),
        )
    )
    open_set.current = None


def parse_999(ts: TransactionSet) -> Acknowledgment:
    """Read one 999 (or 997) transaction set. Raises X12ReadError when the acknowledgment
    cannot be trusted (no AK1, no AK9, an AK2 loop without IK5); smaller defects are findings."""
    reader = _Reader(ts)
    if ts.transaction_set_id not in ("999", "997"):
        raise reader.error(f"ST01 is {ts.transaction_set_id!r}, not 999", 0, 1)
    ak1: list[str] | None = None
    ak9: tuple[list[str], int] | None = None
    sets: list[SetAcknowledgment] = []
    open_set: _OpenSet | None = None

    def close_set(at: int) -> None:
        """Every AK2 loop must end in IK5 (X231A1 2000): without it the set's fate is unknown,
        and guessing accepted or rejected would be worse than refusing the file."""
        if open_set is not None:
            raise reader.error(
                f"AK2 loop for set {element(open_set.segment, 2)!r} has no IK5 status", at
            )

    for i, segment in enumerate(ts.segments[1:-1], 1):
        tag = _SEGMENT_TAGS.get(segment[0], segment[0])
        if tag == "AK1":
            ak1 = segment
        elif tag == "AK2":
            close_set(i)
            if not element(segment, 1) or not element(segment, 2):
                raise reader.error("AK2 needs the set id and control number", i, 2)
            open_set = _OpenSet(segment, i, [])
        elif tag == "IK3":
            if open_set is None:
                raise reader.error("IK3 outside an AK2 loop (2000)", i)
            _close_segment_error(reader, open_set)
            open_set.current = _OpenSegmentError(segment, i, [], [])
        elif tag == "IK4":
            if open_set is None or open_set.current is None:
                raise reader.error("IK4 outside an IK3 loop (2100)", i)
            _closeelement(reader, open_set.current)
            open_set.current.element_segment = segment
            open_set.current.element_index = i
            open_set.current.element_contexts = []
        elif tag == "CTX":
            context = reader.context(segment, i)
            if open_set is None or open_set.current is None:
                reader.findings.append(
                    Finding("ctx_out_of_place", "CTX outside an IK3 loop", reader.at(i), "CTX")
                )
            elif open_set.current.element_contexts is not None:
                open_set.current.element_contexts.append(context)  # loop 2110 element context
            else:
                open_set.current.contexts.append(context)  # loop 2100 segment / claim context
        elif tag == "IK5":
            if open_set is None:
                raise reader.error("IK5 outside an AK2 loop (2000)", i)
            _close_segment_error(reader, open_set)
            status = element(segment, 1)
            if not status:
                raise reader.error("IK501 acknowledgment code is missing", i, 1)
            if status not in SET_STATUSES:
                reader.findings.append(
                    Finding(
                        "unknown_code",
                        f"IK501 {status!r} is not a 999 acknowledgment code",
                        reader.at(i),
                        "IK5",
                        1,
                    )
                )
            sets.append(
                SetAcknowledgment(
                    transaction_set_id=open_set.segment[1],
                    control_number=open_set.segment[2],
                    implementation_reference=optional(open_set.segment, 3),
                    status=status,
                    error_codes=tuple(code for code in segment[2:7] if code),
                    segment_errors=tuple(open_set.errors),
                )
            )
            open_set = None
        elif tag == "AK9":
            close_set(i)
            ak9 = (segment, i)
    close_set(len(ts.segments) - 1)
    if ak1 is None:
        raise reader.error("999 has no AK1 naming the acknowledged group", 0)
    if ak9 is None:
        raise reader.error("999 has no AK9 group status", len(ts.segments) - 1)
    ak9_segment, ak9_index = ak9
    group_status = element(ak9_segment, 1)
    if not group_status:
        raise reader.error("AK901 acknowledgment code is missing", ak9_index, 1)
    if group_status not in GROUP_STATUSES:
        reader.findings.append(
            Finding(
                "unknown_code",
                f"AK901 {group_status!r} is not a 999 group acknowledgment code",
                reader.at(ak9_index),
                "AK9",
                1,
            )
        )
    accepted = reader.integer(ak9_segment, 4, ak9_index, _SET_COUNT)
    if accepted is not None and accepted != sum(1 for s in sets if s.accepted) and sets:
        reader.findings.append(
            Finding(
                "ak904_mismatch",
                f"AK904 says {accepted} accepted, the AK2 loops accept "
                f"{sum(1 for s in sets if s.accepted)}",
                reader.at(ak9_index),
                "AK9",
                4,
            )
        )
    return Acknowledgment(
        control_number=ts.control_number,
        implementation_reference=ts.implementation_reference,
        functional_id=element(ak1, 1),
        group_control_number=element(ak1, 2),
        version=optional(ak1, 3),
        group_status=group_status,
        sets_included=reader.integer(ak9_segment, 2, ak9_index, _SET_COUNT),
        sets_received=reader.integer(ak9_segment, 3, ak9_index, _SET_COUNT),
        sets_accepted=accepted,
        group_error_codes=tuple(code for code in ak9_segment[5:10] if code),
        sets=tuple(sets),
        findings=tuple(reader.findings),
    )

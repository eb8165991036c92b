"""999 implementation acknowledgment writer (005010X231A1).

A 999 answers one functional group that was received: AK1 names it, one AK2 loop (2000) per
transaction set says whether the set was accepted (IK5), IK3 (loop 2100) locates each segment in
error, IK4 (loop 2110) each element in error inside it, CTX gives business context (CTX*CLM01
names the claim), and AK9 closes with the group's status and counts.

The acknowledgment is typed data; its consistency is checked before anything is written, so a
999 that contradicts itself (an accepted set carrying errors, an AK9 that disagrees with the
sets) raises `X12WriteError` rather than reaching a trading partner. `parse_999` reads back
exactly what is written here.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.x12.errors import X12WriteError
from chalicelib.x12.tokenizer import Delimiters
from chalicelib.x12.writer import DEFAULT_DELIMITERS, EnvelopeValues, X12Builder, for_transaction

IMPLEMENTATION_REFERENCE = "005010X231A1"
FUNCTIONAL_ID = "FA"  # GS01 for 997 and 999

SET_CODES = frozenset({"A", "E", "M", "R", "W", "X"})
"""IK501 transaction set acknowledgment codes (X231A1 2000 IK5)."""
GROUP_CODES = frozenset({"A", "E", "M", "P", "R", "W", "X"})
"""AK901 functional group acknowledgment codes (X231A1 AK9)."""
SEGMENT_ERROR_CODES = frozenset(
    {"1", "2", "3", "4", "5", "6", "7", "8", "I4", "I6", "I7", "I8", "I9"}
)
"""IK304 implementation segment syntax error codes (X231A1 2100 IK3)."""
ELEMENT_ERROR_CODES = frozenset(
    {"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13"}
    | {"I10", "I11", "I12", "I13", "I6", "I9"}
)
"""IK403 implementation data element syntax error codes (X231A1 2110 IK4)."""
SET_ERROR_CODES = frozenset(
    {str(n) for n in (*range(1, 14), 15, 16, 17, 18, 19, 23, 24, 25, 26, 27)} | {"I5", "I6"}
)
"""IK502-IK506 implementation transaction set syntax error codes (X231A1 2000 IK5)."""
GROUP_ERROR_CODES = frozenset(
    {str(n) for n in (1, 2, 3, 4, 5, 6, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 23, 24, 25, 26)}
)
"""AK905-AK909 functional group syntax error codes (X231A1 AK9)."""
BUSINESS_CONTEXTS = frozenset(
    {
        "TRN02",
        "NM109",
        "PATIENT NAME NM109",
        "SUBSCRIBER NAME NM109",
        "ENT01",
        "SUBSCRIBER NUMBER REF02",
        "CLM01",
    }
)
"""CTX01-1 context names of the business unit identifier CTX (X231A1 2100)."""
_ACCEPTED = frozenset({"A", "E"})


@dataclass(frozen=True, slots=True)
class ElementError:
    """IK4 (loop 2110): one bad element of the segment its IK3 names."""

    position: int  # IK401-1 element position in the segment
    error_code: str  # IK403, see ELEMENT_ERROR_CODES
    component_position: int | None = None  # IK401-2
    repetition_position: int | None = None  # IK401-3
    data_element_reference: str | None = None  # IK402, e.g. "782" monetary amount
    bad_value: str | None = None  # IK404 copy of the bad data (may be PHI: the 999 goes back
    # to the sender, who already holds it)


@dataclass(frozen=True, slots=True)
class SegmentError:
    """IK3 (loop 2100): one segment in error, located by its position in the set (ST = 1)."""

    segment_id: str  # IK301
    position: int  # IK302
    loop_id: str | None = None  # IK303 (AN 1-4, so "2010", not "2010AA"), when in a loop
    error_code: str | None = None  # IK304, see SEGMENT_ERROR_CODES
    business_context: tuple[str, str] | None = None  # CTX01: e.g. ("CLM01", patient control no.)
    element_errors: tuple[ElementError, ...] = ()


@dataclass(frozen=True, slots=True)
class SetAcknowledgment:
    """AK2 loop (2000): one received transaction set and what became of it."""

    transaction_set_id: str  # AK201, e.g. "837"
    control_number: str  # AK202, the received ST02
    status: str  # IK501
    implementation_reference: str | None = None  # AK203, the received ST03
    error_codes: tuple[str, ...] = ()  # IK502-IK506
    segment_errors: tuple[SegmentError, ...] = ()


@dataclass(frozen=True, slots=True)
class GroupAcknowledgment:
    """The whole answer about one received functional group (AK1 .. AK9).

    `sets_included` is the received GE01 (None: the number of AK2 loops); `status` is AK901
    (None: derived from the sets: A when all are A, E when all pass and some are E, P when some
    pass, R when none does)."""

    functional_id: str  # AK101, the received GS01 (HC for 837)
    group_control_number: str  # AK102, the received GS06
    sets: tuple[SetAcknowledgment, ...]
    version: str | None = None  # AK103, the received GS08
    status: str | None = None  # AK901
    sets_included: int | None = None  # AK902
    error_codes: tuple[str, ...] = ()  # AK905-AK909

    @property
    def sets_accepted(self) -> int:
        """AK904: sets whose IK501 lets them through (A or E)."""
        return sum(1 for s in self.sets if s.status in _ACCEPTED)

    def group_status(self) -> str:
        if self.status is not None:
            return self.status
        if self.error_codes or not self.sets:
            return "R"
        accepted = self.sets_accepted
        if accepted == 0:
            return "R"
        if accepted < len(self.sets):
            return "P"
        return "E" if any(s.status == "E" for s in self.sets) else "A"


def _codes(codes: tuple[str, ...], allowed: frozenset[str], field: str, most: int) -> None:
    if len(codes) > most:
        raise X12WriteError(f"at most {most} codes", field=field)
    for code in codes:
        if code not in allowed:
            raise X12WriteError(f"{code!r} is not a valid code", field=field)


def _check(ack: GroupAcknowledgment) -> str:
    """Refuse an acknowledgment that contradicts itself; return AK901."""
    status = ack.group_status()
    if status not in GROUP_CODES:
        raise X12WriteError(f"{status!r} is not an AK901 code", field="status")
    _codes(ack.error_codes, GROUP_ERROR_CODES, "error_codes", 5)
    for i, item in enumerate(ack.sets):
        where = f"sets[{i}]"
        if item.status not in SET_CODES:
            raise X12WriteError(f"{item.status!r} is not an IK501 code", field=f"{where}.status")
        _codes(item.error_codes, SET_ERROR_CODES, f"{where}.error_codes", 5)
        if item.status == "A" and (item.error_codes or item.segment_errors):
            # X231A1 IK501 A: accepted with no errors; errors that did not stop it are E.
            raise X12WriteError("an accepted (A) set cannot carry errors", field=where)
        for j, error in enumerate(item.segment_errors):
            path = f"{where}.segment_errors[{j}]"
            if error.position < 1:
                raise X12WriteError("IK302 counts from ST = 1", field=f"{path}.position")
            if error.loop_id is not None and not 1 <= len(error.loop_id) <= 4:
                raise X12WriteError("IK303 is 1-4 characters", field=f"{path}.loop_id")
            if error.error_code is not None and error.error_code not in SEGMENT_ERROR_CODES:
                raise X12WriteError(f"{error.error_code!r} is not an IK304 code", field=path)
            if error.business_context and error.business_context[0] not in BUSINESS_CONTEXTS:
                raise X12WriteError(
                    f"{error.business_context[0]!r} is not a CTX01 context name",
                    field=f"{path}.business_context",
                )
            for k, element in enumerate(error.element_errors):
                if element.error_code not in ELEMENT_ERROR_CODES:
                    raise X12WriteError(
                        f"{element.error_code!r} is not an IK403 code",
                        field=f"{path}.element_errors[{k}]",
                    )
                if element.position < 1:
                    raise X12WriteError(
                        "IK401 counts elements from 1", field=f"{path}.element_errors[{k}]"
                    )
    if status in _ACCEPTED and ack.sets_accepted == 0 and ack.sets:
        raise X12WriteError("AK901 accepts the group but no set is accepted", field="status")
    if status == "A" and any(s.status != "A" for s in ack.sets):
        raise X12WriteError("AK901 A needs every set accepted without errors", field="status")
    included = ack.sets_included if ack.sets_included is not None else len(ack.sets)
    if included < 0:
        raise X12WriteError("cannot be negative", field="sets_included")
    return status


def render_999(
    ack: GroupAcknowledgment,
    envelope: EnvelopeValues,
    *,
    control_number: int | str = 1,
    delimiters: Delimiters = DEFAULT_DELIMITERS,
) -> str:
    """The 999 interchange text acknowledging one functional group; GS01/GS08 default to
    FA / 005010X231A1. `control_number` is ST02."""
    status = _check(ack)
    builder = X12Builder(delimiters)
    envelope = for_transaction(envelope, FUNCTIONAL_ID, IMPLEMENTATION_REFERENCE)
    builder.isa(envelope)
    builder.gs(envelope)
    builder.st("999", control_number, IMPLEMENTATION_REFERENCE)
    builder.add("AK1", ack.functional_id, ack.group_control_number, ack.version or "")
    for item in ack.sets:
        builder.add(
            "AK2", item.transaction_set_id, item.control_number, item.implementation_reference or ""
        )
        for error in item.segment_errors:
            builder.add(
                "IK3",
                error.segment_id,
                str(error.position),
                error.loop_id or "",
                error.error_code or "",
            )
            if error.business_context is not None:
                # 2100 CTX business unit identifier: which claim the error sits in.
                builder.add("CTX", builder.composite(*error.business_context))
            for element in error.element_errors:
                builder.add(
                    "IK4",
                    builder.composite(
                        str(element.position),
                        ""
                        if element.component_position is None
                        else str(element.component_position),
                        ""
                        if element.repetition_position is None
                        else str(element.repetition_position),
                    ),
                    element.data_element_reference or "",
                    element.error_code,
                    element.bad_value or "",
                )
        builder.add("IK5", item.status, *item.error_codes)
    included = ack.sets_included if ack.sets_included is not None else len(ack.sets)
    builder.add(
        "AK9",
        status,
        str(included),
        str(len(ack.sets)),
        str(ack.sets_accepted),
        *ack.error_codes,
    )
    builder.se()
    builder.ge()
    builder.iea()
    return builder.render()

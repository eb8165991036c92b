"""Building blocks for writing X12 5010: segments, composites, envelopes, counts.

Every transaction writer (276, 270, 837P ...) goes through `X12Builder`, so the rules that make
outbound EDI readable live in one place:

- no value ever contains a delimiter (or a control character): a value such as "SMITH*JR" would
  silently shift every later element, so it raises `X12WriteError` instead of being escaped
  (X12 has no escape mechanism);
- trailing empty elements and trailing empty components are trimmed (X12.6: a segment or
  composite must not end in a separator);
- ISA fields are fixed width and padded (X12.5 ISA: every element has min = max length);
- SE01, GE01 and IEA01 are counted, and SE02/GE02/IEA02 echo ST02/GS06/ISA13, so they are
  right by construction.

Usage::

    builder = X12Builder()
    builder.isa(values)
    builder.gs(values)
    builder.st("276", 1, values.implementation_reference)   # ST02 "0001"
    builder.add("BHT", "0010", "13", "REF1", format_date8(day), format_time(now_time))
    builder.add("SVC", builder.composite("HC", "99213"), "100.00")
    builder.se()
    builder.ge()
    builder.iea()
    text = builder.render()

The builder raises `X12WriteError` (our data is at fault, not the peer's); callers that know
the business name of a value should check it first with `check_value(value, field=...)` so the
error names "subscriber.last_name" rather than "NM103".
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from .charset import to_x12_text
from .errors import X12WriteError
from .tokenizer import Delimiters

DEFAULT_DELIMITERS = Delimiters(element="*", component=":", segment="~", repetition="^")
"""The delimiters most clearinghouses expect: `*` elements, `:` components, `^` repetition,
`~` segment terminator."""

ISA_VERSION = "00501"
"""ISA12 interchange control version for 5010."""

_MAX_CONTROL = 999_999_999


@dataclass(frozen=True, slots=True)
class Composite:
    """A composite element (X12.6): components joined by the component separator.
    Built with `X12Builder.composite` or directly; trailing empty parts are trimmed on render."""

    parts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Repeated:
    """A repeated element (5010 repetition separator, ISA11), e.g. EQ01 service type codes."""

    values: tuple[str | Composite, ...]


Element = str | Composite | Repeated


@dataclass(frozen=True, slots=True)
class EnvelopeValues:
    """What the caller decides about an interchange: who, when, which control numbers, test or
    production. The writer never reads the clock or picks control numbers itself (DESIGN rule 1),
    so the same values always render the same bytes and retries are repeatable."""

    sender_qualifier: str  # ISA05, e.g. "ZZ" mutually defined, "30" federal tax id
    sender_id: str  # ISA06, padded to 15
    receiver_qualifier: str  # ISA07
    receiver_id: str  # ISA08, padded to 15
    interchange_control_number: int  # ISA13 / IEA02, 1..999999999, written as 9 digits
    group_control_number: int  # GS06 / GE02, 1..999999999
    date: dt.date  # ISA09 (YYMMDD) and GS04 (CCYYMMDD)
    time: dt.time | str  # ISA10 and GS05, HHMM
    usage_indicator: str  # ISA15: "T" test, "P" production
    functional_id: str = ""  # GS01: HR 276, HS 270, HC 837 ...; a transaction writer may fill it
    implementation_reference: str = ""  # GS08 and ST03, e.g. "005010X212"; likewise
    application_sender_code: str | None = None  # GS02; defaults to sender_id
    application_receiver_code: str | None = None  # GS03; defaults to receiver_id
    acknowledgment_requested: str = "0"  # ISA14: "1" asks for a TA1
    authorization_qualifier: str = "00"  # ISA01
    authorization_information: str = ""  # ISA02, padded to 10
    security_qualifier: str = "00"  # ISA03
    security_information: str = ""  # ISA04, padded to 10


def _forbidden(delimiters: Delimiters) -> str:
    chars = delimiters.element + delimiters.component + delimiters.segment
    return chars + (delimiters.repetition or "")


def check_value(value: str, *, field: str, delimiters: Delimiters = DEFAULT_DELIMITERS) -> str:
    """`value` in the X12 character set (charset.to_x12_text: accents off, what has no
    equivalent removed), or raise naming `field` if it holds a delimiter or a control
    character. X12 has no escaping, so such a value cannot be written at all."""
    for char in value:
        if char < " " or char == "\x7f":
            raise X12WriteError(f"value contains the control character {char!r}", field=field)
    text = to_x12_text(value)
    for char in text:
        if char in _forbidden(delimiters):
            raise X12WriteError(f"value contains the delimiter {char!r}", field=field)
    return text


def format_date8(day: dt.date) -> str:
    """CCYYMMDD (DTP D8, GS04, BHT04)."""
    return day.strftime("%Y%m%d")


def format_date_range(start: dt.date, end: dt.date) -> str:
    """DTP RD8 value CCYYMMDD-CCYYMMDD; a range that runs backwards is our bug."""
    if end < start:
        raise X12WriteError(f"date range ends ({end}) before it starts ({start})", field="RD8")
    return f"{format_date8(start)}-{format_date8(end)}"


def format_time(value: dt.time | str) -> str:
    """HHMM (ISA10, GS05, BHT05). A string must already be four digits forming a valid time."""
    if isinstance(value, dt.time):
        return value.strftime("%H%M")
    if len(value) != 4 or not value.isdigit() or int(value[:2]) > 23 or int(value[2:]) > 59:
        raise X12WriteError(f"time {value!r} is not HHMM", field="time")
    return value


def format_amount(amount: Decimal, *, field: str = "amount") -> str:
    """X12 R (decimal) without exponent or rounding: money is written exactly as held."""
    if not amount.is_finite():
        raise X12WriteError(f"amount {amount} is not a finite number", field=field)
    text = format(amount, "f")
    return "0" if text in ("-0", "0", "") else text


def format_r(amount: Decimal, *, field: str) -> str:
    """X12 R (decimal) as X12.6 wants it: no exponent, trailing fractional zeros suppressed
    ("245.00" -> "245", "185.50" -> "185.5"). Never rounds: the value is exact or refused."""
    if not amount.is_finite():
        raise X12WriteError(f"amount {amount} is not a finite number", field=field)
    text = format(amount, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def for_transaction(
    values: EnvelopeValues, functional_id: str, implementation_reference: str
) -> EnvelopeValues:
    """`values` with GS01/GS08 set for one transaction type; a conflicting value the caller
    already set is a bug, not something to overwrite silently."""
    for name, given, wanted in (
        ("GS01", values.functional_id, functional_id),
        ("GS08", values.implementation_reference, implementation_reference),
    ):
        if given and given != wanted:
            raise X12WriteError(f"is {given!r}, this transaction needs {wanted!r}", field=name)
    return dataclasses.replace(
        values, functional_id=functional_id, implementation_reference=implementation_reference
    )


def _fixed(value: str, width: int, field: str) -> str:
    """An ISA element: exactly `width` characters, left-justified and space-padded (X12.5)."""
    if len(value) > width:
        raise X12WriteError(f"{value!r} is longer than {width} characters", field=field)
    return value.ljust(width)


def _control(number: int, field: str) -> int:
    if not 1 <= number <= _MAX_CONTROL:
        raise X12WriteError(f"control number {number} is not in 1..{_MAX_CONTROL}", field=field)
    return number


def _trim(items: Iterable[str]) -> list[str]:
    values = list(items)
    while values and values[-1] == "":
        values.pop()
    return values


class X12Builder:
    """Accumulates segments and renders them as one X12 text.

    Keeps the envelope counts: segments since ST (for SE01), transaction sets since GS (GE01),
    groups since ISA (IEA01). Envelopes must be opened and closed in order; anything else is a
    programming error in the calling writer and raises `X12WriteError`.
    """

    def __init__(self, delimiters: Delimiters = DEFAULT_DELIMITERS) -> None:
        seen = [delimiters.element, delimiters.component, delimiters.segment]
        if delimiters.repetition is not None:
            seen.append(delimiters.repetition)
        if len(set(seen)) != len(seen) or any(len(c) != 1 or c.isalnum() for c in seen):
            raise X12WriteError("delimiters must be distinct non-alphanumeric characters")
        self.delimiters = delimiters
        self._segments: list[str] = []
        self._isa_control: int | None = None
        self._gs_control: int | None = None
        self._st_control: str | None = None
        self._segments_in_set = 0
        self._sets_in_group = 0
        self._groups_in_interchange = 0

    # -- values --------------------------------------------------------------------------

    def composite(self, *parts: str) -> Composite:
        """A composite element, e.g. `composite("HC", "99213")` renders "HC:99213"."""
        return Composite(tuple(parts))

    def repeated(self, *values: str | Composite) -> Repeated:
        """A repeated element, e.g. `repeated("30", "1")` renders "30^1" (needs ISA11)."""
        return Repeated(tuple(values))

    def _value(self, value: str, where: str) -> str:
        return check_value(value, field=where, delimiters=self.delimiters)

    def _render_element(self, element: Element, where: str) -> str:
        if isinstance(element, str):
            return self._value(element, where)
        if isinstance(element, Composite):
            parts = [self._value(p, f"{where}-{i}") for i, p in enumerate(element.parts, 1)]
            return self.delimiters.component.join(_trim(parts))
        if self.delimiters.repetition is None:
            raise X12WriteError("no repetition separator to write a repeated element", field=where)
        rendered = [self._render_element(v, where) for v in element.values]
        return self.delimiters.repetition.join(_trim(rendered))

    # -- segments ------------------------------------------------------------------------

    def add(self, segment_id: str, *elements: Element) -> None:
        """Append one segment. Empty strings stand for omitted elements; trailing ones are
        dropped. Errors name the element as e.g. "NM103" (or "SVC01-2" for a component)."""
        if not segment_id.isalnum() or not 2 <= len(segment_id) <= 3:
            raise X12WriteError(f"{segment_id!r} is not a segment id", field="segment id")
        if self._st_control is None and segment_id not in ("ISA", "GS", "ST", "GE", "IEA"):
            raise X12WriteError(f"{segment_id} outside a transaction set", field=segment_id)
        rendered = [
            self._render_element(element, f"{segment_id}{position:02d}")
            for position, element in enumerate(elements, 1)
        ]
        text = self.delimiters.element.join([segment_id, *_trim(rendered)])
        self._segments.append(text)
        if self._st_control is not None:
            self._segments_in_set += 1

    def _add_raw(self, text: str) -> None:
        self._segments.append(text)

    # -- envelopes -----------------------------------------------------------------------

    def isa(self, values: EnvelopeValues) -> None:
        """ISA (X12.5): fixed-width, so it is assembled here rather than through `add`."""
        if self._isa_control is not None:
            raise X12WriteError("ISA while an interchange is open", field="ISA")
        if values.usage_indicator not in ("T", "P"):
            raise X12WriteError(
                f"usage indicator {values.usage_indicator!r} is not T or P", field="ISA15"
            )
        if values.acknowledgment_requested not in ("0", "1"):
            raise X12WriteError("acknowledgment requested must be 0 or 1", field="ISA14")
        if self.delimiters.repetition is None:
            raise X12WriteError("5010 needs a repetition separator in ISA11", field="ISA11")
        control = _control(values.interchange_control_number, "ISA13")
        fields = [
            ("ISA01", values.authorization_qualifier, 2),
            ("ISA02", values.authorization_information, 10),
            ("ISA03", values.security_qualifier, 2),
            ("ISA04", values.security_information, 10),
            ("ISA05", values.sender_qualifier, 2),
            ("ISA06", values.sender_id, 15),
            ("ISA07", values.receiver_qualifier, 2),
            ("ISA08", values.receiver_id, 15),
        ]
        elements = [
            _fixed(check_value(value, field=name, delimiters=self.delimiters), width, name)
            for name, value, width in fields
        ]
        elements += [
            values.date.strftime("%y%m%d"),
            format_time(values.time),
            self.delimiters.repetition,
            ISA_VERSION,
            f"{control:09d}",
            values.acknowledgment_requested,
            values.usage_indicator,
            self.delimiters.component,
        ]
        self._add_raw(self.delimiters.element.join(["ISA", *elements]))
        self._isa_control = control
        self._groups_in_interchange = 0

    def gs(self, values: EnvelopeValues) -> None:
        """GS (X12.6 functional group header); GS07 is always "X" (ASC X12)."""
        if self._isa_control is None or self._gs_control is not None:
            raise X12WriteError("GS outside an interchange or inside an open group", field="GS")
        control = _control(values.group_control_number, "GS06")
        if not values.functional_id or not values.implementation_reference:
            raise X12WriteError("GS01 and GS08 must be set", field="GS")
        sender = values.application_sender_code or values.sender_id
        receiver = values.application_receiver_code or values.receiver_id
        for name, value in (("GS02", sender), ("GS03", receiver)):
            if not 2 <= len(value) <= 15:
                raise X12WriteError(f"{value!r} must be 2-15 characters", field=name)
        self.add(
            "GS",
            values.functional_id,
            sender,
            receiver,
            format_date8(values.date),
            format_time(values.time),
            str(control),
            "X",
            values.implementation_reference,
        )
        self._gs_control = control
        self._sets_in_group = 0

    def st(
        self, transaction_set_id: str, control_number: int | str, implementation_reference: str
    ) -> None:
        """ST; an int control number is written with at least 4 digits (ST02 is AN 4-9)."""
        if self._gs_control is None or self._st_control is not None:
            raise X12WriteError("ST outside a group or inside an open set", field="ST")
        control = f"{control_number:04d}" if isinstance(control_number, int) else control_number
        if not 4 <= len(control) <= 9:
            raise X12WriteError(f"ST02 {control!r} must be 4-9 characters", field="ST02")
        self._st_control = control
        self._segments_in_set = 0
        self.add("ST", transaction_set_id, control, implementation_reference)

    def se(self) -> None:
        """SE: SE01 counts ST through SE inclusive (X12.6), SE02 echoes ST02."""
        if self._st_control is None:
            raise X12WriteError("SE without ST", field="SE")
        control = self._st_control
        self.add("SE", str(self._segments_in_set + 1), control)
        self._st_control = None
        self._sets_in_group += 1

    def ge(self) -> None:
        if self._gs_control is None or self._st_control is not None:
            raise X12WriteError("GE without GS, or with a transaction set open", field="GE")
        self.add("GE", str(self._sets_in_group), str(self._gs_control))
        self._gs_control = None
        self._groups_in_interchange += 1

    def iea(self) -> None:
        if self._isa_control is None or self._gs_control is not None:
            raise X12WriteError("IEA without ISA, or with a group open", field="IEA")
        self.add("IEA", str(self._groups_in_interchange), f"{self._isa_control:09d}")
        self._isa_control = None

    @property
    def segment_count(self) -> int:
        """Segments written so far in the open transaction set (ST included)."""
        return self._segments_in_set

    def render(self, *, line_breaks: bool = False) -> str:
        """The whole text, each segment followed by the terminator (and "\\n" if asked, which
        readers tolerate and people find easier to read)."""
        if (
            self._isa_control is not None
            or self._gs_control is not None
            or self._st_control is not None
        ):
            raise X12WriteError("an envelope is still open", field="render")
        end = self.delimiters.segment + ("\n" if line_breaks else "")
        return "".join(segment + end for segment in self._segments)

"""Reading single elements, shared by every reader: a missing trailing element is empty (X12
drops trailing empty elements), numbers are X12 R and N0 elements, dates are CCYYMMDD (DT, 8
digits). `parse_*` only convert (None when the text is not one); `read_*` raise a located
X12ReadError. Each reader decides whether a bad value is a finding or an error.

Numbers are strict, because Python is not: Decimal() and int() take exponents, "NaN",
"Infinity", a plus sign, underscores, surrounding whitespace and any Unicode digit ("２４５"),
and int() or str.isdigit() take "²". An 835 amount of "1E+9999999999" made Decimal arithmetic
raise Overflow. X12.6 (Data element types) says what an element may hold:

- R (decimal numeric): an optional leading minus sign, digits and at most one decimal point;
  no exponent, no plus sign, no spaces.
- N0 (numeric, no implied decimal): an optional leading minus sign and digits.
- The maximum length of either counts digits only, not the sign or the decimal point: a money
  element (DE 782, R 1/18 in 5010) holds at most 18 digits.

Messages name the element and the rule, never the value: an element may hold PHI.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from .errors import X12ReadError

# pyx12 treats years before 1800 as invalid; so do we (placeholders such as 10010101).
EARLIEST_YEAR = 1800

# ASCII digits only: \d and str.isdigit() take any Unicode digit.
_R = re.compile(r"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)")
_N0 = re.compile(r"-?[0-9]+")


@dataclass(frozen=True, slots=True)
class Numeric:
    """One kind of X12 numeric element: its name for messages, R or N0, and the maximum
    length of the data element (X12.6: digits only). `signed` False where the element counts
    or locates something, so a minus sign is as wrong as a letter."""

    name: str
    max_digits: int
    decimal: bool = True
    signed: bool = True

    @property
    def rule(self) -> str:
        sign = "optional minus sign, " if self.signed else ""
        if self.decimal:
            return f"R: {sign}digits, one optional decimal point, at most {self.max_digits} digits"
        return f"N0: {sign}digits only, at most {self.max_digits} digits"

    def describe(self, label: str) -> str:
        """What is wrong with the element called `label`, without its value."""
        return f"{label} is not an X12 {self.name} ({self.rule})"

    def message(self, segment_id: str, position: int, what: str = "") -> str:
        return self.describe(f"{segment_id}{position:02d}{f' {what}' if what else ''}")


# 5010 data element dictionary: DE 782 Monetary Amount R 1/18, DE 380 Quantity R 1/15,
# DE 954 Percentage as Decimal R 1/10.
AMOUNT = Numeric("amount", 18)
QUANTITY = Numeric("quantity", 15)
PERCENT = Numeric("percentage", 10)


def element(segment: list[str], position: int) -> str:
    return segment[position] if len(segment) > position else ""


def optional(segment: list[str], position: int) -> str | None:
    return element(segment, position) or None


def parse_number(text: str, kind: Numeric = AMOUNT) -> Decimal | None:
    """An R element as Decimal; None when it is not one, or has more digits than `kind`."""
    if _R.fullmatch(text) is None:
        return None
    if len(text) - text.startswith("-") - ("." in text) > kind.max_digits:
        return None
    if not kind.signed and text.startswith("-"):
        return None
    return Decimal(text)


def parse_integer(text: str, kind: Numeric) -> int | None:
    """An N0 element as int; None when it is not one, or has more digits than `kind` (which
    also keeps int() far from its 4,300-digit limit)."""
    if _N0.fullmatch(text) is None or len(text) - text.startswith("-") > kind.max_digits:
        return None
    if not kind.signed and text.startswith("-"):
        return None
    return int(text)


def number_error(
    kind: Numeric, segment_id: str, segment_index: int, position: int, what: str = ""
) -> X12ReadError:
    return X12ReadError(
        kind.message(segment_id, position, what),
        segment_index=segment_index,
        segment_id=segment_id,
        element_position=position,
    )


def read_number(
    text: str,
    kind: Numeric = AMOUNT,
    *,
    segment_id: str,
    segment_index: int,
    position: int,
    what: str = "",
) -> Decimal:
    """An R element that must be one (empty included): X12ReadError naming the element."""
    number = parse_number(text, kind)
    if number is None:
        raise number_error(kind, segment_id, segment_index, position, what)
    return number


def read_integer(
    text: str, kind: Numeric, *, segment_id: str, segment_index: int, position: int, what: str = ""
) -> int:
    """An N0 element that must be one (empty included): X12ReadError naming the element."""
    number = parse_integer(text, kind)
    if number is None:
        raise number_error(kind, segment_id, segment_index, position, what)
    return number


def parse_date(text: str) -> dt.date | None:
    """A CCYYMMDD date; None when it is not a real calendar date from 1800 on."""
    if len(text) != 8 or not (text.isascii() and text.isdigit()) or int(text[:4]) < EARLIEST_YEAR:
        return None
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None

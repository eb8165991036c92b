"""Reading single elements, shared by every reader: a missing trailing element is empty (X12
drops trailing empty elements), numbers are X12 R elements, dates are CCYYMMDD (DT, 8 digits).
These only convert; each reader decides whether a bad value is a finding or an error."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

# pyx12 treats years before 1800 as invalid; so do we (placeholders such as 10010101).
EARLIEST_YEAR = 1800


def element(segment: list[str], position: int) -> str:
    return segment[position] if len(segment) > position else ""


def optional(segment: list[str], position: int) -> str | None:
    return element(segment, position) or None


def parse_number(text: str) -> Decimal | None:
    """An R (decimal) element as Decimal; None when it is not a finite number."""
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def parse_date(text: str) -> dt.date | None:
    """A CCYYMMDD date; None when it is not a real calendar date from 1800 on."""
    if len(text) != 8 or not text.isdigit() or int(text[:4]) < EARLIEST_YEAR:
        return None
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None
